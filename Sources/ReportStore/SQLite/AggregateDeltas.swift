import Foundation
import GRDB

/// The aggregate changes of one commit, summed per distinct aggregate row in memory and written by `flush` with
/// one UPSERT per row, instead of one per article.
///
/// Invariants:
/// - between `add` and `flush`, the aggregate tables plus these deltas equal the sum over the latest versions of
///   all articles; after `flush` the tables alone do, and the deltas are empty;
/// - a row that received any negative contribution is deleted by `flush` when its count is no longer positive,
///   so, as with per-article updates, no aggregate row holds a zero count;
/// - `first_seen`/`last_seen` of an entity only widen, over the times of every contribution of either sign.
///
/// Only the aggregate tables are deferred: per-article rows, the story index and `term_counts` are written as
/// each article is recorded, because later articles of the same commit read them.
final class AggregateDeltas {
    struct EntityKey: Hashable {
        var key: String
        var type: String
    }

    struct SourceEntityKey: Hashable {
        var source: String
        var entity: EntityKey
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

    private(set) var entities: [EntityKey: EntityDelta] = [:]
    private(set) var bySource: [SourceEntityKey: CountDelta] = [:]
    private(set) var pairs: [PairKey: CountDelta] = [:]
    private(set) var tallies: [TallyKey: TallyDelta] = [:]
    /// Keyed by speaker; `mentions` holds the quotes.
    private(set) var speakers: [String: CountDelta] = [:]
    /// The stored articles counted by the `language` tallies when this commit began, read once.
    private var storedBefore: Int?
    /// The change to that count not yet flushed.
    private var pendingArticles = 0

    init() {}

    /// The number of articles the store holds, counting what is not yet flushed.
    func storedArticles(_ db: Database) throws -> Int {
        if storedBefore == nil {
            storedBefore = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(articles), 0) FROM tallies WHERE dimension = 'language'") ?? 0
        }
        return storedBefore! + pendingArticles
    }

    /// Adds (`sign` 1) or takes back (`sign` -1) what `facts` contribute to every aggregate.
    func add(_ facts: ArticleFacts, sign: Int) {
        let removal = sign < 0
        for e in facts.entities {
            let key = EntityKey(key: e.key, type: e.type.rawValue)
            entities[key, default: EntityDelta(name: e.name)].articles += sign
            entities[key]!.mentions += sign * e.mentions
            entities[key]!.first = min(entities[key]!.first, facts.timeMilliseconds)
            entities[key]!.last = max(entities[key]!.last, facts.timeMilliseconds)
            if removal { entities[key]!.removed = true }
            let sourceKey = SourceEntityKey(source: facts.source, entity: key)
            bySource[sourceKey, default: CountDelta(name: e.name)].articles += sign
            bySource[sourceKey]!.mentions += sign * e.mentions
            if removal { bySource[sourceKey]!.removed = true }
        }
        for (a, b) in facts.entityPairs {
            let key = PairKey(a: EntityKey(key: a.key, type: a.type.rawValue), b: EntityKey(key: b.key, type: b.type.rawValue))
            pairs[key, default: CountDelta()].articles += sign
            if removal { pairs[key]!.removed = true }
        }
        var dimensions = [
            TallyKey(dimension: "source", value: facts.source), TallyKey(dimension: "day", value: facts.day),
            TallyKey(dimension: "language", value: facts.language),
        ]
        dimensions += facts.topics.map { TallyKey(dimension: "topic", value: $0) }
        for key in dimensions {
            var t = tallies[key, default: TallyDelta()]
            t.articles += sign
            t.tone += Double(sign) * facts.tone
            t.namedSources += sign * facts.namedSources
            t.anonymousSources += sign * facts.anonymousSources
            t.quotes += sign * facts.quotes
            if removal { t.removed = true }
            tallies[key] = t
        }
        pendingArticles += sign
        for s in facts.speakers {
            speakers[s.key, default: CountDelta(name: s.name)].articles += sign
            speakers[s.key]!.mentions += sign * s.quotes
            if removal { speakers[s.key]!.removed = true }
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
            """)
        let dropEntity = try db.cachedStatement(sql: "DELETE FROM entity_totals WHERE key = ? AND type = ? AND articles <= 0")
        for (key, d) in entities {
            entityTotal.setUncheckedArguments([key.key, key.type, d.name, d.articles, d.mentions, d.first, d.last])
            try entityTotal.execute()
            if d.removed { try dropEntity.execute(arguments: [key.key, key.type]) }
        }
        let sourceTotal = try db.cachedStatement(sql: """
            INSERT INTO entity_source_totals (source, key, type, name, articles, mentions) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (source, key, type) DO UPDATE SET articles = articles + excluded.articles,
                mentions = mentions + excluded.mentions
            """)
        let dropBySource = try db.cachedStatement(sql: "DELETE FROM entity_source_totals WHERE source = ? AND key = ? AND type = ? AND articles <= 0")
        for (key, d) in bySource {
            sourceTotal.setUncheckedArguments([key.source, key.entity.key, key.entity.type, d.name, d.articles, d.mentions])
            try sourceTotal.execute()
            if d.removed { try dropBySource.execute(arguments: [key.source, key.entity.key, key.entity.type]) }
        }
        let pair = try db.cachedStatement(sql: """
            INSERT INTO entity_pairs (a_key, a_type, b_key, b_type, articles) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (a_key, a_type, b_key, b_type) DO UPDATE SET articles = articles + excluded.articles
            """)
        let dropPair = try db.cachedStatement(sql: "DELETE FROM entity_pairs WHERE a_key = ? AND a_type = ? AND b_key = ? AND b_type = ? AND articles <= 0")
        for (key, d) in pairs {
            pair.setUncheckedArguments([key.a.key, key.a.type, key.b.key, key.b.type, d.articles])
            try pair.execute()
            if d.removed { try dropPair.execute(arguments: [key.a.key, key.a.type, key.b.key, key.b.type]) }
        }
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
        let speaker = try db.cachedStatement(sql: """
            INSERT INTO speaker_totals (speaker, name, quotes, articles) VALUES (?, ?, ?, ?)
            ON CONFLICT (speaker) DO UPDATE SET quotes = quotes + excluded.quotes, articles = articles + excluded.articles
            """)
        let dropSpeaker = try db.cachedStatement(sql: "DELETE FROM speaker_totals WHERE speaker = ? AND articles <= 0")
        for (key, d) in speakers {
            speaker.setUncheckedArguments([key, d.name, d.mentions, d.articles])
            try speaker.execute()
            if d.removed { try dropSpeaker.execute(arguments: [key]) }
        }
        entities = [:]
        bySource = [:]
        pairs = [:]
        tallies = [:]
        speakers = [:]
        storedBefore = nil
        pendingArticles = 0
    }
}
