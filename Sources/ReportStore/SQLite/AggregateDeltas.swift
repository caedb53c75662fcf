import Foundation
import GRDB

/// The aggregate changes of one commit, summed per distinct aggregate row in memory and written by `flush` with
/// one UPSERT per row, instead of one per article: the store-wide aggregates (v4) and the summary rows by day and
/// facet (`SummarySchema`).
///
/// Invariants:
/// - between `add` and `flush`, the aggregate tables plus these deltas equal the sum over the latest versions of
///   all articles; after `flush` the tables alone do, and the deltas are empty;
/// - a row that received any negative contribution is deleted by `flush` when its count is no longer positive,
///   so, as with per-article updates, no aggregate row holds a zero count;
/// - `first_seen`/`last_seen` of an entity only widen, over the times of every contribution of either sign.
///
/// Deferred are the aggregate tables and the articles' entity and speaker rows (keyed by the numbers
/// `entity_totals` and `speaker_totals` give new ones here, and read by no later article of the commit): the
/// other per-article rows, the story index and `term_counts` are written as each article is recorded, because
/// later articles of the same commit read them.
final class AggregateDeltas {
    /// Its key by bytes (`BinaryText`).
    struct EntityKey: Hashable {
        var key: String
        var type: String

        static func == (a: Self, b: Self) -> Bool { a.type == b.type && BinaryText.equal(a.key, b.key) }

        func hash(into hasher: inout Hasher) {
            BinaryText.hash(key, into: &hasher)
            hasher.combine(type)
        }
    }

    /// A speaker's key, by bytes.
    typealias SpeakerKey = BinaryKey

    /// A facet (`source`, `language`, `topic`) and one of its values.
    struct FacetKey: Hashable {
        var facet: String
        var value: String
    }

    /// Two of this commit's numbers (`Numbering`): a facet's or a day's and an entity's or a speaker's, or the two
    /// entities of a pair, in one word, which hashes in a fraction of the time of the keys they stand for.
    struct NumberPair: Hashable {
        private let packed: UInt64

        init(_ first: Int, _ second: Int) {
            packed = UInt64(UInt32(truncatingIfNeeded: first)) << 32 | UInt64(UInt32(truncatingIfNeeded: second))
        }

        var first: Int { Int(packed >> 32) }
        var second: Int { Int(packed & 0xFFFF_FFFF) }
    }

    /// The distinct keys of one kind that this commit's deltas name, numbered 0, 1, ... in the order first met.
    ///
    /// Invariant: `keys[numbers[k]] == k` for every key, and the numbers are exactly `keys.indices`.
    struct Numbering<Key: Hashable> {
        private(set) var keys: [Key] = []
        private var numbers: [Key: Int] = [:]

        /// The key's number, given the next one when it has none.
        mutating func number(_ key: Key) -> (number: Int, new: Bool) {
            if let n = numbers[key] { return (n, false) }
            let n = keys.count
            numbers[key] = n
            keys.append(key)
            return (n, true)
        }

        func number(of key: Key) -> Int? { numbers[key] }
    }

    /// A `day_cells` row: `topic` is `''` for the row every article counts in.
    struct CellKey: Hashable {
        var topic: String
        var day: String
        var source: String
        var language: String
    }

    struct TallyKey: Hashable {
        var dimension: String
        var value: String
    }

    struct EntityDelta {
        var name: String
        var articles = 0
        var mentions = 0
        var first = Int64.max
        var last = Int64.min
        var removed = false
    }

    struct CountDelta {
        var name = ""
        var articles = 0
        var mentions = 0
        var removed = false
    }

    struct TallyDelta {
        var articles = 0
        var tone = 0.0
        var namedSources = 0
        var anonymousSources = 0
        var quotes = 0
        var removed = false
    }

    struct CellDelta {
        var tally = TallyDelta()
        var results = 0
        var versions = 0
        var revised = 0
    }

    /// What an article's history adds to `day_cells`: the results that brought it and its version.
    struct History {
        var seen: Int
        var version: Int
    }

    /// The entities, speakers, facet values and days of this commit, numbered: each is hashed once an article, and
    /// the rows below that combine two of them are keyed by their numbers (`NumberPair`).
    private var entityNumbers = Numbering<EntityKey>()
    private var speakerNumbers = Numbering<SpeakerKey>()
    private var facetNumbers = Numbering<FacetKey>()
    private var dayNumbers = Numbering<String>()
    /// By entity number.
    private var entities: [EntityDelta] = []
    /// By facet and entity number.
    private var entityFacets: [NumberPair: TallyAndMentions] = [:]
    /// By day and entity number.
    private var entityDays: [NumberPair: CountDelta] = [:]
    private var cells: [CellKey: CellDelta] = [:]
    /// By day and speaker number.
    private var speakerDays: [NumberPair: CountDelta] = [:]
    /// By facet and speaker number.
    private var speakerFacets: [NumberPair: CountDelta] = [:]
    /// By the numbers of the pair's two entities, ordered as `ArticleFacts.entityPairs` orders them.
    private var pairs: [NumberPair: CountDelta] = [:]
    private var tallies: [TallyKey: TallyDelta] = [:]
    /// By speaker number; `mentions` holds the quotes.
    private var speakers: [CountDelta] = []
    /// The latest versions of the articles recorded since the last flush, by article: `flush` writes their entity
    /// and speaker rows once their entities and speakers have numbers.
    private var heldArticles: [Int64: ArticleFacts] = [:]
    /// The stored articles counted by the `language` tallies when this commit began, read once.
    private var storedBefore: Int?
    /// The change to that count not yet flushed.
    private var pendingArticles = 0

    /// False only to measure what the rest costs: then `add` keeps the store-wide `tallies` (which story term
    /// weights read), `entity_totals` and `speaker_totals` (which number the entity and speaker rows of articles)
    /// and nothing else, and the other aggregate and summary tables go stale.
    let keepsSummaries: Bool

    init(keepsSummaries: Bool = true) {
        self.keepsSummaries = keepsSummaries
    }

    /// Holds article `article`'s latest version (`facts`) for `flush` to write its entity and speaker rows,
    /// replacing any version held for it.
    func holdArticleRows(_ facts: ArticleFacts, article: Int64) {
        heldArticles[article] = facts
    }

    /// Forgets the version held for article `article`, which is being taken back.
    func dropArticleRows(article: Int64) {
        heldArticles[article] = nil
    }

    /// The number of articles the store holds, counting what is not yet flushed.
    func storedArticles(_ db: Database) throws -> Int {
        if storedBefore == nil {
            storedBefore = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(articles), 0) FROM tallies WHERE dimension = 'language'") ?? 0
        }
        return storedBefore! + pendingArticles
    }

    /// The summed tone and attributions of articles naming an entity, with its mentions.
    struct TallyAndMentions {
        var tally = TallyDelta()
        var mentions = 0
    }

    /// The facet values an article counts under: its source, its language and each of its topics.
    static func facets(_ facts: ArticleFacts) -> [FacetKey] {
        [FacetKey(facet: "source", value: facts.source), FacetKey(facet: "language", value: facts.language)]
            + facts.topics.map { FacetKey(facet: "topic", value: $0) }
    }

    /// The `day_cells` rows an article counts in.
    static func cells(day: String, source: String, language: String, topics: [String]) -> [CellKey] {
        ([""] + topics).map { CellKey(topic: $0, day: day, source: source, language: language) }
    }

    /// One more result of an article already stored with the same content: only `results` changes.
    func addRepeat(day: String, source: String, language: String, topics: [String]) {
        guard keepsSummaries else { return }
        for key in Self.cells(day: day, source: source, language: language, topics: topics) {
            cells[key, default: CellDelta()].results += 1
        }
    }

    /// Adds (`sign` 1) or takes back (`sign` -1) what `facts`, with `history`, contribute to every aggregate.
    func add(_ facts: ArticleFacts, sign: Int, history: History) {
        let removal = sign < 0
        func accumulate(_ t: inout TallyDelta) {
            t.articles += sign
            t.tone += Double(sign) * facts.tone
            t.namedSources += sign * facts.namedSources
            t.anonymousSources += sign * facts.anonymousSources
            t.quotes += sign * facts.quotes
            if removal { t.removed = true }
        }
        var dimensions = [
            TallyKey(dimension: "source", value: facts.source), TallyKey(dimension: "day", value: facts.day),
            TallyKey(dimension: "language", value: facts.language),
        ]
        dimensions += facts.topics.map { TallyKey(dimension: "topic", value: $0) }
        for key in dimensions { accumulate(&tallies[key, default: TallyDelta()]) }
        pendingArticles += sign
        // Each row's delta is changed where it is, one lookup a row (`subscript(_:default:)` passed `inout`).
        var entityNumber: [Int] = []
        entityNumber.reserveCapacity(facts.entities.count)
        for e in facts.entities {
            let (n, new) = entityNumbers.number(EntityKey(key: e.key, type: e.type.rawValue))
            if new { entities.append(EntityDelta(name: e.name)) }
            entityNumber.append(n)
            Self.update(&entities[n]) {
                $0.articles += sign
                $0.mentions += sign * e.mentions
                $0.first = min($0.first, facts.timeMilliseconds)
                $0.last = max($0.last, facts.timeMilliseconds)
                if removal { $0.removed = true }
            }
        }
        var speakerNumber: [Int] = []
        speakerNumber.reserveCapacity(facts.speakers.count)
        for s in facts.speakers {
            let (n, new) = speakerNumbers.number(SpeakerKey(s.key))
            if new { speakers.append(CountDelta(name: s.name)) }
            speakerNumber.append(n)
            Self.update(&speakers[n]) {
                $0.articles += sign
                $0.mentions += sign * s.quotes
                if removal { $0.removed = true }
            }
        }
        guard keepsSummaries else { return }
        let facetNumber = Self.facets(facts).map { facetNumbers.number($0).number }
        let day = dayNumbers.number(facts.day).number
        for (e, entity) in zip(facts.entities, entityNumber) {
            for facet in facetNumber {
                Self.update(&entityFacets[NumberPair(facet, entity), default: TallyAndMentions()]) {
                    accumulate(&$0.tally)
                    $0.mentions += sign * e.mentions
                }
            }
            Self.update(&entityDays[NumberPair(day, entity), default: CountDelta()]) {
                $0.articles += sign
                $0.mentions += sign * e.mentions
                if removal { $0.removed = true }
            }
        }
        for key in Self.cells(day: facts.day, source: facts.source, language: facts.language, topics: facts.topics) {
            Self.update(&cells[key, default: CellDelta()]) {
                accumulate(&$0.tally)
                $0.results += sign * history.seen
                $0.versions += sign * history.version
                $0.revised += history.version > 1 ? sign : 0
            }
        }
        for (a, b) in facts.entityPairIndices {
            Self.update(&pairs[NumberPair(entityNumber[a], entityNumber[b]), default: CountDelta()]) {
                $0.articles += sign
                if removal { $0.removed = true }
            }
        }
        for (s, speaker) in zip(facts.speakers, speakerNumber) {
            Self.update(&speakerDays[NumberPair(day, speaker), default: CountDelta()]) {
                $0.articles += sign
                $0.mentions += sign * s.quotes
                if removal { $0.removed = true }
            }
            for facet in facetNumber {
                Self.update(&speakerFacets[NumberPair(facet, speaker), default: CountDelta()]) {
                    $0.articles += sign
                    $0.mentions += sign * s.quotes
                    if removal { $0.removed = true }
                }
            }
        }
    }

    /// Applies `change` to `value` where it is (a dictionary entry passed `inout`).
    private static func update<Value>(_ value: inout Value, _ change: (inout Value) -> Void) {
        change(&value)
    }

    /// Writes every accumulated delta, one statement per distinct row (plus a delete where a row may have emptied),
    /// and starts over empty.
    func flush(_ db: Database) throws {
        var entityTotal = DirectStatement(try db.cachedStatement(sql: """
            INSERT INTO entity_totals (key, type, name, articles, mentions, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key, type) DO UPDATE SET articles = articles + excluded.articles,
                mentions = mentions + excluded.mentions,
                first_seen = MIN(first_seen, excluded.first_seen), last_seen = MAX(last_seen, excluded.last_seen)
            RETURNING entity_id
            """))
        // Every entity of a pair, a facet row or a day row has a delta of its own (`add`), so each of those rows
        // finds its entity's number here. An emptied entity's row goes after every entity is written, so that no
        // entity new in this flush is given the number of one leaving in it, whose rows empty with it.
        var entityIDs = [Int64?](repeating: nil, count: entities.count)
        var emptied: [Int64] = []
        for (n, key) in entityNumbers.keys.enumerated() {
            let d = entities[n]
            entityTotal.bind(key.key)
            entityTotal.bind(key.type)
            entityTotal.bind(d.name)
            entityTotal.bind(d.articles)
            entityTotal.bind(d.mentions)
            entityTotal.bind(d.first)
            entityTotal.bind(d.last)
            guard let id = try entityTotal.firstInteger() else { continue }
            entityIDs[n] = id
            if d.removed { emptied.append(id) }
        }
        // Speakers as entities: numbered first, emptied ones deleted once every speaker row is written.
        var speakerTotal = DirectStatement(try db.cachedStatement(sql: """
            INSERT INTO speaker_totals (speaker, name, quotes, articles) VALUES (?, ?, ?, ?)
            ON CONFLICT (speaker) DO UPDATE SET quotes = quotes + excluded.quotes, articles = articles + excluded.articles
            RETURNING speaker_id
            """))
        var speakerIDs = [Int64?](repeating: nil, count: speakers.count)
        var emptiedSpeakers: [Int64] = []
        for (n, key) in speakerNumbers.keys.enumerated() {
            let d = speakers[n]
            speakerTotal.bind(key.text)
            speakerTotal.bind(d.name)
            speakerTotal.bind(d.mentions)
            speakerTotal.bind(d.articles)
            guard let id = try speakerTotal.firstInteger() else { continue }
            speakerIDs[n] = id
            if d.removed { emptiedSpeakers.append(id) }
        }
        var entityRow = DirectStatement(try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO article_entities (entity_id, time_ms, article_id, mentions, paired) VALUES (?, ?, ?, ?, ?)
            """))
        var speakerRow = DirectStatement(try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO article_speakers (speaker_id, article_id, quotes) VALUES (?, ?, ?)
            """))
        for (article, facts) in heldArticles {
            for e in facts.entities {
                guard let n = entityNumbers.number(of: EntityKey(key: e.key, type: e.type.rawValue)),
                      let id = entityIDs[n] else { continue }
                entityRow.bind(id)
                entityRow.bind(facts.timeMilliseconds)
                entityRow.bind(article)
                entityRow.bind(e.mentions)
                entityRow.bind(e.paired ? 1 : 0)
                try entityRow.run()
            }
            for s in facts.speakers {
                guard let n = speakerNumbers.number(of: SpeakerKey(s.key)), let id = speakerIDs[n] else { continue }
                speakerRow.bind(id)
                speakerRow.bind(article)
                speakerRow.bind(s.quotes)
                try speakerRow.run()
            }
        }
        // Each (facet, value) of this flush given its `facets` number once, by its number here.
        var facetIDs = [Int64?](repeating: nil, count: facetNumbers.keys.count)
        func facetID(_ n: Int) throws -> Int64 {
            if let id = facetIDs[n] { return id }
            let key = facetNumbers.keys[n]
            let id = try NumberedFacetsSchema.number(facet: key.facet, value: key.value, in: db)
            facetIDs[n] = id
            return id
        }
        var entityFacet = DirectStatement(try db.cachedStatement(sql: """
            INSERT INTO entity_facets (facet_id, entity_id, articles, mentions, tone_sum, named_sources,
                anonymous_sources, quotes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (facet_id, entity_id) DO UPDATE SET articles = articles + excluded.articles,
                mentions = mentions + excluded.mentions, tone_sum = tone_sum + excluded.tone_sum,
                named_sources = named_sources + excluded.named_sources,
                anonymous_sources = anonymous_sources + excluded.anonymous_sources, quotes = quotes + excluded.quotes
            """))
        let dropEntityFacet = try db.cachedStatement(sql: "DELETE FROM entity_facets WHERE facet_id = ? AND entity_id = ? AND articles <= 0")
        for (key, d) in entityFacets {
            guard let id = entityIDs[key.second] else { continue }
            let facet = try facetID(key.first)
            let t = d.tally
            entityFacet.bind(facet)
            entityFacet.bind(id)
            entityFacet.bind(t.articles)
            entityFacet.bind(d.mentions)
            entityFacet.bindAttributions(of: t)
            try entityFacet.run()
            if t.removed { try dropEntityFacet.execute(arguments: [facet, id]) }
        }
        var entityDay = DirectStatement(try db.cachedStatement(sql: """
            INSERT INTO entity_days (day, entity_id, articles, mentions) VALUES (?, ?, ?, ?)
            ON CONFLICT (day, entity_id) DO UPDATE SET articles = articles + excluded.articles,
                mentions = mentions + excluded.mentions
            """))
        let dropEntityDay = try db.cachedStatement(sql: "DELETE FROM entity_days WHERE day = ? AND entity_id = ? AND articles <= 0")
        for (key, d) in entityDays {
            guard let id = entityIDs[key.second] else { continue }
            let day = dayNumbers.keys[key.first]
            entityDay.bind(day)
            entityDay.bind(id)
            entityDay.bind(d.articles)
            entityDay.bind(d.mentions)
            try entityDay.run()
            if d.removed { try dropEntityDay.execute(arguments: [day, id]) }
        }
        var cell = DirectStatement(try db.cachedStatement(sql: """
            INSERT INTO day_cells (topic, day, source, language, articles, results, versions, revised, tone_sum,
                named_sources, anonymous_sources, quotes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (topic, day, source, language) DO UPDATE SET articles = articles + excluded.articles,
                results = results + excluded.results, versions = versions + excluded.versions,
                revised = revised + excluded.revised, tone_sum = tone_sum + excluded.tone_sum,
                named_sources = named_sources + excluded.named_sources,
                anonymous_sources = anonymous_sources + excluded.anonymous_sources, quotes = quotes + excluded.quotes
            """))
        let dropCell = try db.cachedStatement(sql: "DELETE FROM day_cells WHERE topic = ? AND day = ? AND source = ? AND language = ? AND articles <= 0")
        for (key, c) in cells {
            let t = c.tally
            cell.bind(key.topic)
            cell.bind(key.day)
            cell.bind(key.source)
            cell.bind(key.language)
            cell.bind(t.articles)
            cell.bind(c.results)
            cell.bind(c.versions)
            cell.bind(c.revised)
            cell.bindAttributions(of: t)
            try cell.run()
            if t.removed { try dropCell.execute(arguments: [key.topic, key.day, key.source, key.language]) }
        }
        var speakerDay = DirectStatement(try db.cachedStatement(sql: """
            INSERT INTO speaker_days (day, speaker_id, quotes, articles) VALUES (?, ?, ?, ?)
            ON CONFLICT (day, speaker_id) DO UPDATE SET quotes = quotes + excluded.quotes, articles = articles + excluded.articles
            """))
        let dropSpeakerDay = try db.cachedStatement(sql: "DELETE FROM speaker_days WHERE day = ? AND speaker_id = ? AND articles <= 0")
        for (key, d) in speakerDays {
            guard let id = speakerIDs[key.second] else { continue }
            let day = dayNumbers.keys[key.first]
            speakerDay.bind(day)
            speakerDay.bind(id)
            speakerDay.bind(d.mentions)
            speakerDay.bind(d.articles)
            try speakerDay.run()
            if d.removed { try dropSpeakerDay.execute(arguments: [day, id]) }
        }
        var speakerFacet = DirectStatement(try db.cachedStatement(sql: """
            INSERT INTO speaker_facets (facet_id, speaker_id, quotes, articles) VALUES (?, ?, ?, ?)
            ON CONFLICT (facet_id, speaker_id) DO UPDATE SET quotes = quotes + excluded.quotes,
                articles = articles + excluded.articles
            """))
        let dropSpeakerFacet = try db.cachedStatement(sql: "DELETE FROM speaker_facets WHERE facet_id = ? AND speaker_id = ? AND articles <= 0")
        for (key, d) in speakerFacets {
            guard let id = speakerIDs[key.second] else { continue }
            let facet = try facetID(key.first)
            speakerFacet.bind(facet)
            speakerFacet.bind(id)
            speakerFacet.bind(d.mentions)
            speakerFacet.bind(d.articles)
            try speakerFacet.run()
            if d.removed { try dropSpeakerFacet.execute(arguments: [facet, id]) }
        }
        let dropSpeaker = try db.cachedStatement(sql: "DELETE FROM speaker_totals WHERE speaker_id = ? AND articles <= 0")
        for id in emptiedSpeakers { try dropSpeaker.execute(arguments: [id]) }
        var pair = DirectStatement(try db.cachedStatement(sql: """
            INSERT INTO entity_pairs (a_id, b_id, articles) VALUES (?, ?, ?)
            ON CONFLICT (a_id, b_id) DO UPDATE SET articles = articles + excluded.articles
            """))
        let dropPair = try db.cachedStatement(sql: "DELETE FROM entity_pairs WHERE a_id = ? AND b_id = ? AND articles <= 0")
        for (key, d) in pairs {
            guard let a = entityIDs[key.first], let b = entityIDs[key.second] else { continue }
            pair.bind(a)
            pair.bind(b)
            pair.bind(d.articles)
            try pair.run()
            if d.removed { try dropPair.execute(arguments: [a, b]) }
        }
        let dropEntity = try db.cachedStatement(sql: "DELETE FROM entity_totals WHERE entity_id = ? AND articles <= 0")
        for id in emptied { try dropEntity.execute(arguments: [id]) }
        var tally = DirectStatement(try db.cachedStatement(sql: """
            INSERT INTO tallies (dimension, value, articles, tone_sum, named_sources, anonymous_sources, quotes)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (dimension, value) DO UPDATE SET articles = articles + excluded.articles,
                tone_sum = tone_sum + excluded.tone_sum, named_sources = named_sources + excluded.named_sources,
                anonymous_sources = anonymous_sources + excluded.anonymous_sources, quotes = quotes + excluded.quotes
            """))
        let dropTally = try db.cachedStatement(sql: "DELETE FROM tallies WHERE dimension = ? AND value = ? AND articles <= 0")
        for (key, d) in tallies {
            tally.bind(key.dimension)
            tally.bind(key.value)
            tally.bind(d.articles)
            tally.bindAttributions(of: d)
            try tally.run()
            if d.removed { try dropTally.execute(arguments: [key.dimension, key.value]) }
        }
        entityNumbers = Numbering()
        speakerNumbers = Numbering()
        facetNumbers = Numbering()
        dayNumbers = Numbering()
        entities = []
        heldArticles = [:]
        entityFacets = [:]
        entityDays = [:]
        cells = [:]
        speakerDays = [:]
        speakerFacets = [:]
        pairs = [:]
        tallies = [:]
        speakers = []
        storedBefore = nil
        pendingArticles = 0
    }
}

private extension DirectStatement {
    /// Binds what a tally sums besides its articles, in the order every summary row keeps it: tone, named
    /// sources, anonymous sources, quotes.
    mutating func bindAttributions(of tally: AggregateDeltas.TallyDelta) {
        bind(tally.tone)
        bind(tally.namedSources)
        bind(tally.anonymousSources)
        bind(tally.quotes)
    }
}
