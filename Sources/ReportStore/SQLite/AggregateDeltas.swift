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
    struct EntityKey: Hashable {
        var key: String
        var type: String
    }

    /// A facet (`source`, `language`, `topic`) and one of its values.
    struct FacetKey: Hashable {
        var facet: String
        var value: String
    }

    struct FacetEntityKey: Hashable {
        var facet: FacetKey
        var entity: EntityKey
    }

    struct DayEntityKey: Hashable {
        var day: String
        var entity: EntityKey
    }

    struct FacetSpeakerKey: Hashable {
        var facet: FacetKey
        var speaker: String
    }

    struct DaySpeakerKey: Hashable {
        var day: String
        var speaker: String
    }

    /// A `day_cells` row: `topic` is `''` for the row every article counts in.
    struct CellKey: Hashable {
        var topic: String
        var day: String
        var source: String
        var language: String
    }

    struct PairKey: Hashable {
        var a: EntityKey
        var b: EntityKey
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

    private(set) var entities: [EntityKey: EntityDelta] = [:]
    private(set) var entityFacets: [FacetEntityKey: TallyAndMentions] = [:]
    private(set) var entityDays: [DayEntityKey: CountDelta] = [:]
    private(set) var cells: [CellKey: CellDelta] = [:]
    private(set) var speakerDays: [DaySpeakerKey: CountDelta] = [:]
    private(set) var speakerFacets: [FacetSpeakerKey: CountDelta] = [:]
    private(set) var pairs: [PairKey: CountDelta] = [:]
    private(set) var tallies: [TallyKey: TallyDelta] = [:]
    /// Keyed by speaker; `mentions` holds the quotes.
    private(set) var speakers: [String: CountDelta] = [:]
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
        for key in dimensions {
            var t = tallies[key, default: TallyDelta()]
            accumulate(&t)
            tallies[key] = t
        }
        pendingArticles += sign
        for e in facts.entities {
            let key = EntityKey(key: e.key, type: e.type.rawValue)
            entities[key, default: EntityDelta(name: e.name)].articles += sign
            entities[key]!.mentions += sign * e.mentions
            entities[key]!.first = min(entities[key]!.first, facts.timeMilliseconds)
            entities[key]!.last = max(entities[key]!.last, facts.timeMilliseconds)
            if removal { entities[key]!.removed = true }
        }
        for s in facts.speakers {
            speakers[s.key, default: CountDelta(name: s.name)].articles += sign
            speakers[s.key]!.mentions += sign * s.quotes
            if removal { speakers[s.key]!.removed = true }
        }
        guard keepsSummaries else { return }
        let facetKeys = Self.facets(facts)
        for e in facts.entities {
            let key = EntityKey(key: e.key, type: e.type.rawValue)
            for facet in facetKeys {
                let facetKey = FacetEntityKey(facet: facet, entity: key)
                var d = entityFacets[facetKey, default: TallyAndMentions()]
                accumulate(&d.tally)
                d.mentions += sign * e.mentions
                entityFacets[facetKey] = d
            }
            let dayKey = DayEntityKey(day: facts.day, entity: key)
            var d = entityDays[dayKey, default: CountDelta()]
            d.articles += sign
            d.mentions += sign * e.mentions
            if removal { d.removed = true }
            entityDays[dayKey] = d
        }
        for key in Self.cells(day: facts.day, source: facts.source, language: facts.language, topics: facts.topics) {
            var c = cells[key, default: CellDelta()]
            accumulate(&c.tally)
            c.results += sign * history.seen
            c.versions += sign * history.version
            c.revised += history.version > 1 ? sign : 0
            cells[key] = c
        }
        for (a, b) in facts.entityPairs {
            let key = PairKey(a: EntityKey(key: a.key, type: a.type.rawValue), b: EntityKey(key: b.key, type: b.type.rawValue))
            pairs[key, default: CountDelta()].articles += sign
            if removal { pairs[key]!.removed = true }
        }
        for s in facts.speakers {
            let dayKey = DaySpeakerKey(day: facts.day, speaker: s.key)
            speakerDays[dayKey, default: CountDelta()].articles += sign
            speakerDays[dayKey]!.mentions += sign * s.quotes
            if removal { speakerDays[dayKey]!.removed = true }
            for facet in facetKeys {
                let facetKey = FacetSpeakerKey(facet: facet, speaker: s.key)
                speakerFacets[facetKey, default: CountDelta()].articles += sign
                speakerFacets[facetKey]!.mentions += sign * s.quotes
                if removal { speakerFacets[facetKey]!.removed = true }
            }
        }
    }

    /// Writes every accumulated delta, one statement per distinct row (plus a delete where a row may have emptied),
    /// and starts over empty.
    func flush(_ db: Database) throws {
        let entityTotal = try db.cachedStatement(sql: """
            INSERT INTO entity_totals (key, type, name, articles, mentions, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key, type) DO UPDATE SET articles = articles + excluded.articles,
                mentions = mentions + excluded.mentions,
                first_seen = MIN(first_seen, excluded.first_seen), last_seen = MAX(last_seen, excluded.last_seen)
            RETURNING entity_id
            """)
        // Every entity of a pair, a facet row or a day row has a delta of its own (`add`), so each of those rows
        // finds its entity's number here. An emptied entity's row goes after every entity is written, so that no
        // entity new in this flush is given the number of one leaving in it, whose rows empty with it.
        var entityIDs: [EntityKey: Int64] = [:]
        entityIDs.reserveCapacity(entities.count)
        var emptied: [Int64] = []
        for (key, d) in entities {
            guard let id = try Int64.fetchOne(entityTotal, arguments: [
                key.key, key.type, d.name, d.articles, d.mentions, d.first, d.last,
            ]) else { continue }
            entityIDs[key] = id
            if d.removed { emptied.append(id) }
        }
        // Speakers as entities: numbered first, emptied ones deleted once every speaker row is written.
        let speakerTotal = try db.cachedStatement(sql: """
            INSERT INTO speaker_totals (speaker, name, quotes, articles) VALUES (?, ?, ?, ?)
            ON CONFLICT (speaker) DO UPDATE SET quotes = quotes + excluded.quotes, articles = articles + excluded.articles
            RETURNING speaker_id
            """)
        var speakerIDs: [String: Int64] = [:]
        speakerIDs.reserveCapacity(speakers.count)
        var emptiedSpeakers: [Int64] = []
        for (key, d) in speakers {
            guard let id = try Int64.fetchOne(speakerTotal, arguments: [key, d.name, d.mentions, d.articles]) else { continue }
            speakerIDs[key] = id
            if d.removed { emptiedSpeakers.append(id) }
        }
        let entityRow = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO article_entities (entity_id, time_ms, article_id, mentions, paired) VALUES (?, ?, ?, ?, ?)
            """)
        let speakerRow = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO article_speakers (speaker_id, article_id, quotes) VALUES (?, ?, ?)
            """)
        for (article, facts) in heldArticles {
            for e in facts.entities {
                guard let id = entityIDs[EntityKey(key: e.key, type: e.type.rawValue)] else { continue }
                entityRow.setUncheckedArguments([id, facts.timeMilliseconds, article, e.mentions, e.paired ? 1 : 0])
                try entityRow.execute()
            }
            for s in facts.speakers {
                guard let id = speakerIDs[s.key] else { continue }
                speakerRow.setUncheckedArguments([id, article, s.quotes])
                try speakerRow.execute()
            }
        }
        // Each (facet, value) of this flush numbered once.
        var facetIDs: [FacetKey: Int64] = [:]
        func facetID(_ key: FacetKey) throws -> Int64 {
            if let id = facetIDs[key] { return id }
            let id = try NumberedFacetsSchema.number(facet: key.facet, value: key.value, in: db)
            facetIDs[key] = id
            return id
        }
        let entityFacet = try db.cachedStatement(sql: """
            INSERT INTO entity_facets (facet_id, entity_id, articles, mentions, tone_sum, named_sources,
                anonymous_sources, quotes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (facet_id, entity_id) DO UPDATE SET articles = articles + excluded.articles,
                mentions = mentions + excluded.mentions, tone_sum = tone_sum + excluded.tone_sum,
                named_sources = named_sources + excluded.named_sources,
                anonymous_sources = anonymous_sources + excluded.anonymous_sources, quotes = quotes + excluded.quotes
            """)
        let dropEntityFacet = try db.cachedStatement(sql: "DELETE FROM entity_facets WHERE facet_id = ? AND entity_id = ? AND articles <= 0")
        for (key, d) in entityFacets {
            guard let id = entityIDs[key.entity] else { continue }
            let facet = try facetID(key.facet)
            let t = d.tally
            entityFacet.setUncheckedArguments([facet, id, t.articles, d.mentions, t.tone, t.namedSources,
                                               t.anonymousSources, t.quotes])
            try entityFacet.execute()
            if t.removed { try dropEntityFacet.execute(arguments: [facet, id]) }
        }
        let entityDay = try db.cachedStatement(sql: """
            INSERT INTO entity_days (day, entity_id, articles, mentions) VALUES (?, ?, ?, ?)
            ON CONFLICT (day, entity_id) DO UPDATE SET articles = articles + excluded.articles,
                mentions = mentions + excluded.mentions
            """)
        let dropEntityDay = try db.cachedStatement(sql: "DELETE FROM entity_days WHERE day = ? AND entity_id = ? AND articles <= 0")
        for (key, d) in entityDays {
            guard let id = entityIDs[key.entity] else { continue }
            entityDay.setUncheckedArguments([key.day, id, d.articles, d.mentions])
            try entityDay.execute()
            if d.removed { try dropEntityDay.execute(arguments: [key.day, id]) }
        }
        let cell = try db.cachedStatement(sql: """
            INSERT INTO day_cells (topic, day, source, language, articles, results, versions, revised, tone_sum,
                named_sources, anonymous_sources, quotes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (topic, day, source, language) DO UPDATE SET articles = articles + excluded.articles,
                results = results + excluded.results, versions = versions + excluded.versions,
                revised = revised + excluded.revised, tone_sum = tone_sum + excluded.tone_sum,
                named_sources = named_sources + excluded.named_sources,
                anonymous_sources = anonymous_sources + excluded.anonymous_sources, quotes = quotes + excluded.quotes
            """)
        let dropCell = try db.cachedStatement(sql: "DELETE FROM day_cells WHERE topic = ? AND day = ? AND source = ? AND language = ? AND articles <= 0")
        for (key, c) in cells {
            let t = c.tally
            cell.setUncheckedArguments([key.topic, key.day, key.source, key.language, t.articles, c.results, c.versions,
                                        c.revised, t.tone, t.namedSources, t.anonymousSources, t.quotes])
            try cell.execute()
            if t.removed { try dropCell.execute(arguments: [key.topic, key.day, key.source, key.language]) }
        }
        let speakerDay = try db.cachedStatement(sql: """
            INSERT INTO speaker_days (day, speaker_id, quotes, articles) VALUES (?, ?, ?, ?)
            ON CONFLICT (day, speaker_id) DO UPDATE SET quotes = quotes + excluded.quotes, articles = articles + excluded.articles
            """)
        let dropSpeakerDay = try db.cachedStatement(sql: "DELETE FROM speaker_days WHERE day = ? AND speaker_id = ? AND articles <= 0")
        for (key, d) in speakerDays {
            guard let id = speakerIDs[key.speaker] else { continue }
            speakerDay.setUncheckedArguments([key.day, id, d.mentions, d.articles])
            try speakerDay.execute()
            if d.removed { try dropSpeakerDay.execute(arguments: [key.day, id]) }
        }
        let speakerFacet = try db.cachedStatement(sql: """
            INSERT INTO speaker_facets (facet_id, speaker_id, quotes, articles) VALUES (?, ?, ?, ?)
            ON CONFLICT (facet_id, speaker_id) DO UPDATE SET quotes = quotes + excluded.quotes,
                articles = articles + excluded.articles
            """)
        let dropSpeakerFacet = try db.cachedStatement(sql: "DELETE FROM speaker_facets WHERE facet_id = ? AND speaker_id = ? AND articles <= 0")
        for (key, d) in speakerFacets {
            guard let id = speakerIDs[key.speaker] else { continue }
            let facet = try facetID(key.facet)
            speakerFacet.setUncheckedArguments([facet, id, d.mentions, d.articles])
            try speakerFacet.execute()
            if d.removed { try dropSpeakerFacet.execute(arguments: [facet, id]) }
        }
        let dropSpeaker = try db.cachedStatement(sql: "DELETE FROM speaker_totals WHERE speaker_id = ? AND articles <= 0")
        for id in emptiedSpeakers { try dropSpeaker.execute(arguments: [id]) }
        let pair = try db.cachedStatement(sql: """
            INSERT INTO entity_pairs (a_id, b_id, articles) VALUES (?, ?, ?)
            ON CONFLICT (a_id, b_id) DO UPDATE SET articles = articles + excluded.articles
            """)
        let dropPair = try db.cachedStatement(sql: "DELETE FROM entity_pairs WHERE a_id = ? AND b_id = ? AND articles <= 0")
        for (key, d) in pairs {
            guard let a = entityIDs[key.a], let b = entityIDs[key.b] else { continue }
            pair.setUncheckedArguments([a, b, d.articles])
            try pair.execute()
            if d.removed { try dropPair.execute(arguments: [a, b]) }
        }
        let dropEntity = try db.cachedStatement(sql: "DELETE FROM entity_totals WHERE entity_id = ? AND articles <= 0")
        for id in emptied { try dropEntity.execute(arguments: [id]) }
        let tally = try db.cachedStatement(sql: """
            INSERT INTO tallies (dimension, value, articles, tone_sum, named_sources, anonymous_sources, quotes)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (dimension, value) DO UPDATE SET articles = articles + excluded.articles,
                tone_sum = tone_sum + excluded.tone_sum, named_sources = named_sources + excluded.named_sources,
                anonymous_sources = anonymous_sources + excluded.anonymous_sources, quotes = quotes + excluded.quotes
            """)
        let dropTally = try db.cachedStatement(sql: "DELETE FROM tallies WHERE dimension = ? AND value = ? AND articles <= 0")
        for (key, d) in tallies {
            tally.setUncheckedArguments([key.dimension, key.value, d.articles, d.tone, d.namedSources, d.anonymousSources, d.quotes])
            try tally.execute()
            if d.removed { try dropTally.execute(arguments: [key.dimension, key.value]) }
        }
        entities = [:]
        heldArticles = [:]
        entityFacets = [:]
        entityDays = [:]
        cells = [:]
        speakerDays = [:]
        speakerFacets = [:]
        pairs = [:]
        tallies = [:]
        speakers = [:]
        storedBefore = nil
        pendingArticles = 0
    }
}
