import ArticleAnalysis
import Foundation
import PostgresNIO

/// `ArticleLedger` and `StoryClustering` on PostgreSQL: turns a stored result into an article, keeps the
/// aggregates and assigns its story, inside the caller's transaction, with the same rules and the same invariants
/// (each aggregate row is the sum over the latest versions of all articles; no aggregate row holds a zero count; a
/// story's `articles` is the number of articles pointing at it).
///
/// Rows of one kind are written in one statement (`unnest` of arrays), so an article costs a bounded number of
/// round trips (about fifteen) whatever its entity, pair and term counts.
///
/// Concurrency: the caller holds the store's writer lock (`PostgresSchema.writerLock`), so the reads here (does the
/// article exist, which stories are candidates, a term's weight) cannot be invalidated by another collector
/// before this transaction commits.
enum PostgresArticleLedger {
    /// - Parameter keepsAggregates: false only to measure what the aggregates cost (`Options.keepsAggregates`):
    ///   then only the store-wide `tallies` are kept, which story term weights read.
    static func record(
        _ result: StoredResult, analysis: Analysis, storedAt: Int64, clustering p: StoryClustering.Parameters,
        keepsAggregates: Bool = true, on db: PostgresConnection
    ) async throws {
        let fallback = result.analysedAt.map(StoredTime.milliseconds) ?? storedAt
        let facts = ArticleFacts(metadata: result.article, analysis: analysis, fallbackTime: fallback)
        let existing = try await db.row("""
            SELECT job_id, version, seen, content_hash, day, source, language FROM articles
            WHERE article_key = \(facts.key) FOR UPDATE
            """)
        guard let existing else {
            try await apply(facts, sign: 1, history: .init(seen: 1, version: 1), keepsAggregates: keepsAggregates, on: db)
            let weight = try await termWeight(facts, on: db)
            try await writeArticle(facts, result: result, version: 1, storedAt: storedAt, weight: weight, insert: true, on: db)
            try await db.execute("""
                INSERT INTO article_versions (article_key, version, job_id, content_hash, stored_at)
                VALUES (\(facts.key), 1, \(result.jobID), \(facts.contentHash), \(storedAt))
                """)
            try await assign(facts, termWeight: weight, parameters: p, on: db)
            return
        }
        let seen = try existing.value("seen", as: Int.self)
        if try existing.value("content_hash", as: Int64.self) == facts.contentHash {
            try await db.execute("""
                UPDATE articles SET seen = seen + 1, last_seen = GREATEST(last_seen, \(storedAt)) WHERE article_key = \(facts.key)
                """)
            if keepsAggregates {
                // One more result of the same content: only the cells' `results` change.
                try await db.execute("""
                    UPDATE day_cells SET results = results + 1
                    WHERE day = \(try existing.value("day", as: String.self)) AND source = \(try existing.value("source", as: String.self))
                        AND language = \(try existing.value("language", as: String.self))
                        AND (topic = '' OR topic IN (SELECT topic FROM article_topics WHERE article_key = \(facts.key)))
                    """)
            }
            return
        }
        let oldJob = try existing.value("job_id", as: String.self)
        let version = try existing.value("version", as: Int64.self) + 1
        if let old = try await previousFacts(jobID: oldJob, on: db) {
            try await remove(old, parameters: p, on: db)
            try await apply(old, sign: -1, history: .init(seen: seen, version: Int(version) - 1),
                            keepsAggregates: keepsAggregates, on: db)
        }
        try await apply(facts, sign: 1, history: .init(seen: seen + 1, version: Int(version)),
                        keepsAggregates: keepsAggregates, on: db)
        let weight = try await termWeight(facts, on: db)
        try await writeArticle(facts, result: result, version: version, storedAt: storedAt, weight: weight, insert: false, on: db)
        try await db.execute("""
            INSERT INTO article_versions (article_key, version, job_id, content_hash, stored_at)
            VALUES (\(facts.key), \(version), \(result.jobID), \(facts.contentHash), \(storedAt))
            ON CONFLICT (article_key, version) DO UPDATE SET job_id = excluded.job_id,
                content_hash = excluded.content_hash, stored_at = excluded.stored_at
            """)
        try await assign(facts, termWeight: weight, parameters: p, on: db)
    }

    private static func writeArticle(
        _ f: ArticleFacts, result: StoredResult, version: Int64, storedAt: Int64, weight: Double, insert: Bool,
        on db: PostgresConnection
    ) async throws {
        var s = PostgresStatement()
        let values = [
            s.bind(f.key), s.bind(result.article.id), s.bind(result.article.url), s.bind(result.jobID), s.bind(version),
            s.bind(storedAt), s.bind(f.contentHash), s.bind(f.source), s.bind(f.language), s.bind(f.timeMilliseconds),
            s.bind(f.day), s.bind(f.title), s.bind(f.tone), s.bind(f.namedSources), s.bind(f.anonymousSources),
            s.bind(f.quotes), s.bind(Int64(bitPattern: f.simhash)), s.bind(ArticleLedger.minhashBlob(f.minhash)),
            s.bind(weight),
        ]
        if insert {
            s.text = """
                INSERT INTO articles (article_key, input_id, url, job_id, version, seen, first_seen, last_seen,
                    content_hash, source, language, time_ms, day, title, tone, named_sources, anonymous_sources, quotes,
                    simhash, minhash, term_weight, story_id)
                VALUES (\(values[0]), \(values[1]), \(values[2]), \(values[3]), \(values[4]), 1, \(values[5]), \(values[5]),
                    \(values[6...18].joined(separator: ", ")), NULL)
                """
        } else {
            s.text = """
                UPDATE articles SET input_id = \(values[1]), url = \(values[2]), job_id = \(values[3]), version = \(values[4]),
                    seen = seen + 1, last_seen = GREATEST(last_seen, \(values[5])), content_hash = \(values[6]),
                    source = \(values[7]), language = \(values[8]), time_ms = \(values[9]), day = \(values[10]),
                    title = \(values[11]), tone = \(values[12]), named_sources = \(values[13]),
                    anonymous_sources = \(values[14]), quotes = \(values[15]), simhash = \(values[16]),
                    minhash = \(values[17]), term_weight = \(values[18]), story_id = NULL
                WHERE article_key = \(values[0])
                """
        }
        try await db.execute(s.query)
    }

    /// The facts of the version stored by `jobID`, recomputed from its job row.
    private static func previousFacts(jobID: String, on db: PostgresConnection) async throws -> ArticleFacts? {
        guard let row = try await db.row(PostgresResultRow.select(jobID: jobID)),
              let result = try? PostgresResultRow.decode(row),
              let analysis = try? result.storedAnalysis?.decoded() else { return nil }
        let fallback = try result.analysedAt.map(StoredTime.milliseconds) ?? row.value("stored_at", as: Int64.self)
        return ArticleFacts(metadata: result.article, analysis: analysis, fallbackTime: fallback)
    }

    // MARK: - Contributions

    /// Adds (`sign` 1) or takes back (`sign` -1) what `facts`, with `history`, contribute: the per-article rows and
    /// every aggregate and summary row (`SummarySchema`'s meanings).
    static func apply(
        _ f: ArticleFacts, sign: Int, history: AggregateDeltas.History, keepsAggregates: Bool = true,
        on db: PostgresConnection
    ) async throws {
        let key = f.key
        let keys = f.entities.map(\.key), types = f.entities.map(\.type.rawValue), names = f.entities.map(\.name)
        let mentions = f.entities.map { sign * $0.mentions }
        if sign > 0 {
            if !f.entities.isEmpty {
                try await db.execute("""
                    INSERT INTO article_entities (key, type, time_ms, article_key, name, mentions, paired, day, source, language)
                    SELECT k, t, \(f.timeMilliseconds), \(key), n, m, p, \(f.day), \(f.source), \(f.language)
                    FROM unnest(\(keys)::text[], \(types)::text[], \(names)::text[],
                        \(f.entities.map(\.mentions))::bigint[], \(f.entities.map { $0.paired ? 1 : 0 })::int[]) AS x(k, t, n, m, p)
                    ON CONFLICT (key, type, time_ms, article_key) DO UPDATE SET name = excluded.name,
                        mentions = excluded.mentions, paired = excluded.paired
                    """)
            }
            if !f.topics.isEmpty {
                try await db.execute("""
                    INSERT INTO article_topics (topic, article_key) SELECT t, \(key) FROM unnest(\(f.topics)::text[]) AS x(t)
                    ON CONFLICT DO NOTHING
                    """)
            }
            if !f.speakers.isEmpty {
                try await db.execute("""
                    INSERT INTO article_speakers (speaker, article_key, name, quotes)
                    SELECT s, \(key), n, q FROM unnest(\(f.speakers.map(\.key))::text[], \(f.speakers.map(\.name))::text[],
                        \(f.speakers.map(\.quotes))::bigint[]) AS x(s, n, q)
                    ON CONFLICT (speaker, article_key) DO UPDATE SET name = excluded.name, quotes = excluded.quotes
                    """)
            }
        } else {
            try await db.execute("DELETE FROM article_entities WHERE article_key = \(key)")
            try await db.execute("DELETE FROM article_topics WHERE article_key = \(key)")
            try await db.execute("DELETE FROM article_speakers WHERE article_key = \(key)")
        }

        var dimensions: [(String, String)] = [("source", f.source), ("day", f.day), ("language", f.language)]
        dimensions += f.topics.map { ("topic", $0) }
        try await db.execute("""
            INSERT INTO tallies AS t (dimension, value, articles, tone_sum, named_sources, anonymous_sources, quotes)
            SELECT d, v, \(sign), \(Double(sign) * f.tone), \(sign * f.namedSources), \(sign * f.anonymousSources), \(sign * f.quotes)
            FROM unnest(\(dimensions.map(\.0))::text[], \(dimensions.map(\.1))::text[]) AS x(d, v)
            ON CONFLICT (dimension, value) DO UPDATE SET articles = t.articles + excluded.articles,
                tone_sum = t.tone_sum + excluded.tone_sum, named_sources = t.named_sources + excluded.named_sources,
                anonymous_sources = t.anonymous_sources + excluded.anonymous_sources, quotes = t.quotes + excluded.quotes
            """)
        if sign < 0 {
            try await db.execute("""
                DELETE FROM tallies WHERE (dimension, value) IN (SELECT * FROM unnest(\(dimensions.map(\.0))::text[],
                    \(dimensions.map(\.1))::text[])) AND articles <= 0
                """)
        }
        guard keepsAggregates else { return }

        // The facet values the article counts under (`AggregateDeltas.facets`) and its day cells.
        let facets: [(String, String)] = [("source", f.source), ("language", f.language)] + f.topics.map { ("topic", $0) }
        let cellTopics = [""] + f.topics
        if !f.entities.isEmpty {
            try await db.execute("""
                INSERT INTO entity_totals AS e (key, type, name, articles, mentions, first_seen, last_seen)
                SELECT k, t, n, \(sign), m, \(f.timeMilliseconds), \(f.timeMilliseconds)
                FROM unnest(\(keys)::text[], \(types)::text[], \(names)::text[], \(mentions)::bigint[]) AS x(k, t, n, m)
                ON CONFLICT (key, type) DO UPDATE SET articles = e.articles + excluded.articles,
                    mentions = e.mentions + excluded.mentions,
                    first_seen = LEAST(e.first_seen, excluded.first_seen), last_seen = GREATEST(e.last_seen, excluded.last_seen)
                """)
            try await db.execute("""
                INSERT INTO entity_days AS e (day, key, type, articles, mentions)
                SELECT \(f.day), k, t, \(sign), m FROM unnest(\(keys)::text[], \(types)::text[], \(mentions)::bigint[]) AS x(k, t, m)
                ON CONFLICT (day, key, type) DO UPDATE SET articles = e.articles + excluded.articles,
                    mentions = e.mentions + excluded.mentions
                """)
            try await db.execute("""
                INSERT INTO entity_facets AS e (facet, value, key, type, articles, mentions, tone_sum, named_sources,
                    anonymous_sources, quotes)
                SELECT fc.f, fc.v, x.k, x.t, \(sign), x.m, \(Double(sign) * f.tone), \(sign * f.namedSources),
                    \(sign * f.anonymousSources), \(sign * f.quotes)
                FROM unnest(\(keys)::text[], \(types)::text[], \(mentions)::bigint[]) AS x(k, t, m)
                CROSS JOIN unnest(\(facets.map(\.0))::text[], \(facets.map(\.1))::text[]) AS fc(f, v)
                ON CONFLICT (facet, value, key, type) DO UPDATE SET articles = e.articles + excluded.articles,
                    mentions = e.mentions + excluded.mentions, tone_sum = e.tone_sum + excluded.tone_sum,
                    named_sources = e.named_sources + excluded.named_sources,
                    anonymous_sources = e.anonymous_sources + excluded.anonymous_sources, quotes = e.quotes + excluded.quotes
                """)
        }
        try await db.execute("""
            INSERT INTO day_cells AS c (topic, day, source, language, articles, results, versions, revised, tone_sum,
                named_sources, anonymous_sources, quotes)
            SELECT t, \(f.day), \(f.source), \(f.language), \(sign), \(sign * history.seen), \(sign * history.version),
                \(history.version > 1 ? sign : 0), \(Double(sign) * f.tone), \(sign * f.namedSources),
                \(sign * f.anonymousSources), \(sign * f.quotes)
            FROM unnest(\(cellTopics)::text[]) AS x(t)
            ON CONFLICT (topic, day, source, language) DO UPDATE SET articles = c.articles + excluded.articles,
                results = c.results + excluded.results, versions = c.versions + excluded.versions,
                revised = c.revised + excluded.revised, tone_sum = c.tone_sum + excluded.tone_sum,
                named_sources = c.named_sources + excluded.named_sources,
                anonymous_sources = c.anonymous_sources + excluded.anonymous_sources, quotes = c.quotes + excluded.quotes
            """)
        let pairs = f.entityPairs
        if !pairs.isEmpty {
            try await db.execute("""
                INSERT INTO entity_pairs AS e (a_key, a_type, b_key, b_type, articles)
                SELECT ak, at, bk, bt, \(sign) FROM unnest(\(pairs.map(\.0.key))::text[], \(pairs.map(\.0.type.rawValue))::text[],
                    \(pairs.map(\.1.key))::text[], \(pairs.map(\.1.type.rawValue))::text[]) AS x(ak, at, bk, bt)
                ON CONFLICT (a_key, a_type, b_key, b_type) DO UPDATE SET articles = e.articles + excluded.articles
                """)
        }
        if !f.speakers.isEmpty {
            let speakers = f.speakers.map(\.key), quotes = f.speakers.map { sign * $0.quotes }
            try await db.execute("""
                INSERT INTO speaker_totals AS s (speaker, name, quotes, articles)
                SELECT k, n, q, \(sign) FROM unnest(\(speakers)::text[], \(f.speakers.map(\.name))::text[],
                    \(quotes)::bigint[]) AS x(k, n, q)
                ON CONFLICT (speaker) DO UPDATE SET quotes = s.quotes + excluded.quotes, articles = s.articles + excluded.articles
                """)
            try await db.execute("""
                INSERT INTO speaker_days AS s (day, speaker, quotes, articles)
                SELECT \(f.day), k, q, \(sign) FROM unnest(\(speakers)::text[], \(quotes)::bigint[]) AS x(k, q)
                ON CONFLICT (day, speaker) DO UPDATE SET quotes = s.quotes + excluded.quotes, articles = s.articles + excluded.articles
                """)
            try await db.execute("""
                INSERT INTO speaker_facets AS s (facet, value, speaker, quotes, articles)
                SELECT fc.f, fc.v, x.k, x.q, \(sign) FROM unnest(\(speakers)::text[], \(quotes)::bigint[]) AS x(k, q)
                CROSS JOIN unnest(\(facets.map(\.0))::text[], \(facets.map(\.1))::text[]) AS fc(f, v)
                ON CONFLICT (facet, value, speaker) DO UPDATE SET quotes = s.quotes + excluded.quotes,
                    articles = s.articles + excluded.articles
                """)
        }

        if sign < 0 {
            // Rows whose count fell to 0 go (every summary row is keyed by what this article contributed to).
            try await db.execute("""
                DELETE FROM entity_totals WHERE (key, type) IN (SELECT * FROM unnest(\(keys)::text[], \(types)::text[])) AND articles <= 0
                """)
            try await db.execute("""
                DELETE FROM entity_days WHERE day = \(f.day)
                    AND (key, type) IN (SELECT * FROM unnest(\(keys)::text[], \(types)::text[])) AND articles <= 0
                """)
            try await db.execute("""
                DELETE FROM entity_facets WHERE (facet, value) IN (SELECT * FROM unnest(\(facets.map(\.0))::text[], \(facets.map(\.1))::text[]))
                    AND (key, type) IN (SELECT * FROM unnest(\(keys)::text[], \(types)::text[])) AND articles <= 0
                """)
            try await db.execute("""
                DELETE FROM day_cells WHERE topic = ANY(\(cellTopics)::text[]) AND day = \(f.day) AND source = \(f.source)
                    AND language = \(f.language) AND articles <= 0
                """)
            try await db.execute("""
                DELETE FROM entity_pairs WHERE (a_key, a_type, b_key, b_type) IN (SELECT * FROM unnest(
                    \(pairs.map(\.0.key))::text[], \(pairs.map(\.0.type.rawValue))::text[],
                    \(pairs.map(\.1.key))::text[], \(pairs.map(\.1.type.rawValue))::text[])) AND articles <= 0
                """)
            let speakers = f.speakers.map(\.key)
            try await db.execute("DELETE FROM speaker_totals WHERE speaker = ANY(\(speakers)::text[]) AND articles <= 0")
            try await db.execute("""
                DELETE FROM speaker_days WHERE day = \(f.day) AND speaker = ANY(\(speakers)::text[]) AND articles <= 0
                """)
            try await db.execute("""
                DELETE FROM speaker_facets WHERE (facet, value) IN (SELECT * FROM unnest(\(facets.map(\.0))::text[], \(facets.map(\.1))::text[]))
                    AND speaker = ANY(\(speakers)::text[]) AND articles <= 0
                """)
        }
    }

    // MARK: - Stories

    private static func storedArticles(on db: PostgresConnection) async throws -> Int {
        try await db.row("SELECT COALESCE(SUM(articles), 0)::bigint AS n FROM tallies WHERE dimension = 'language'")?
            .value("n", as: Int.self) ?? 0
    }

    /// Each term's weight, `ln((N + 1) / (df + 1))`, as the store stands.
    private static func weights(_ terms: [String], on db: PostgresConnection) async throws -> [String: Double] {
        let total = try await storedArticles(on: db)
        var df: [String: Int] = [:]
        for row in try await db.rows("SELECT term, articles FROM term_counts WHERE term = ANY(\(terms)::text[])") {
            df[try row.value("term")] = try row.value("articles", as: Int.self)
        }
        var weights: [String: Double] = [:]
        for term in terms { weights[term] = max(0, log(Double(total + 1) / Double((df[term] ?? 0) + 1))) }
        return weights
    }

    static func termWeight(_ f: ArticleFacts, on db: PostgresConnection) async throws -> Double {
        let weights = try await weights(f.storyTerms.map(\.term), on: db)
        return f.storyTerms.reduce(0) { $0 + (weights[$1.term] ?? 0) }
    }

    /// The article keys posted under each of `terms` within the window, at most `limit` per term, newest first.
    private static func postings(
        _ terms: [String], low: Int64, high: Int64, limit: Int, on db: PostgresConnection
    ) async throws -> [(term: String, key: String)] {
        guard !terms.isEmpty else { return [] }
        return try await db.rows("""
            SELECT t.term, p.article_key FROM unnest(\(terms)::text[]) AS t(term)
            CROSS JOIN LATERAL (SELECT article_key FROM term_postings
                WHERE term = t.term AND time_ms BETWEEN \(low) AND \(high) ORDER BY time_ms DESC LIMIT \(limit)) p
            """).map { (try $0.value("term"), try $0.value("article_key")) }
    }

    static func assign(_ f: ArticleFacts, termWeight: Double, parameters p: StoryClustering.Parameters, on db: PostgresConnection) async throws {
        let low = f.timeMilliseconds - p.windowMilliseconds
        let high = f.timeMilliseconds + p.windowMilliseconds
        let terms = f.storyTerms.map(\.term)
        let weights = try await weights(terms, on: db)
        var shared: [String: (weight: Double, terms: Int)] = [:]
        for (term, key) in try await postings(terms.filter { (weights[$0] ?? 0) > 0 }, low: low, high: high, limit: p.postingsPerTerm, on: db)
        where key != f.key {
            shared[key, default: (0, 0)].weight += weights[term] ?? 0
            shared[key, default: (0, 0)].terms += 1
        }
        var bandHits: [String: Int] = [:]
        let bands = StoryClustering.bandTerms(f.minhash, parameters: p)
        for (_, key) in try await postings(bands, low: low, high: high, limit: p.postingsPerTerm, on: db) where key != f.key {
            bandHits[key, default: 0] += 1
        }
        let bandRanked = bandHits.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(p.candidatesScored).map(\.key)
        let termRanked = shared.filter { $0.value.terms >= p.minimumSharedTerms }
            .sorted { ($1.value.weight, $0.key) < ($0.value.weight, $1.key) }.prefix(p.candidatesScored)
        var candidates: [String: (story: Int64?, minhash: [UInt32], weight: Double)] = [:]
        let wanted = Array(Set(bandRanked + termRanked.map(\.key)))
        if !wanted.isEmpty {
            for row in try await db.rows("""
                SELECT article_key, story_id, minhash, term_weight FROM articles WHERE article_key = ANY(\(wanted)::text[])
                """) {
                candidates[try row.value("article_key")] = (
                    try row.value("story_id", as: Int64?.self),
                    ArticleLedger.minhash(blob: try row.value("minhash", as: Data?.self)),
                    try row.value("term_weight", as: Double.self))
            }
        }
        var chosen: Int64?
        for key in bandRanked {
            guard let c = candidates[key], let story = c.story else { continue }
            if StoryClustering.minhashSimilarity(ArticleLedger.storedMinhash(f.minhash), c.minhash) >= p.nearDuplicateSimilarity {
                chosen = story
                break
            }
        }
        if chosen == nil {
            var best: (similarity: Double, story: Int64)?
            for (key, overlap) in termRanked {
                guard let c = candidates[key], let story = c.story else { continue }
                let similarity = 2 * overlap.weight / max(termWeight + c.weight, .leastNonzeroMagnitude)
                if similarity >= p.similarity, similarity > best?.similarity ?? -1 { best = (similarity, story) }
            }
            chosen = best?.story
        }
        let story: Int64
        if let chosen {
            story = chosen
        } else {
            story = try await db.row("""
                INSERT INTO stories (label, articles, first_ms, last_ms) VALUES ('', 0, \(f.timeMilliseconds), \(f.timeMilliseconds))
                RETURNING story_id
                """)!.value("story_id")
        }
        try await db.execute("UPDATE articles SET story_id = \(story) WHERE article_key = \(f.key)")
        let postingTerms = terms + bands
        try await db.execute("""
            INSERT INTO term_postings (term, time_ms, article_key)
            SELECT t, \(f.timeMilliseconds), \(f.key) FROM unnest(\(postingTerms)::text[]) AS x(t) ON CONFLICT DO NOTHING
            """)
        if !terms.isEmpty {
            try await db.execute("""
                INSERT INTO term_counts AS c (term, articles) SELECT t, 1 FROM unnest(\(terms)::text[]) AS x(t)
                ON CONFLICT (term) DO UPDATE SET articles = c.articles + 1
                """)
            try await db.execute("""
                INSERT INTO story_terms AS s (story_id, term, name, articles)
                SELECT \(story), t, n, 1 FROM unnest(\(terms)::text[], \(f.storyTerms.map(\.name))::text[]) AS x(t, n)
                ON CONFLICT (story_id, term) DO UPDATE SET articles = s.articles + 1
                """)
        }
        try await refresh(story: story, articleDelta: 1, on: db)
    }

    /// Takes the article's previous version out of its story and out of the index.
    static func remove(_ f: ArticleFacts, parameters p: StoryClustering.Parameters, on db: PostgresConnection) async throws {
        let story = try await db.row("SELECT story_id FROM articles WHERE article_key = \(f.key)")?.value("story_id", as: Int64?.self)
        try await db.execute("UPDATE articles SET story_id = NULL WHERE article_key = \(f.key)")
        let terms = f.storyTerms.map(\.term)
        let postingTerms = terms + StoryClustering.bandTerms(f.minhash, parameters: p)
        try await db.execute("""
            DELETE FROM term_postings WHERE term = ANY(\(postingTerms)::text[]) AND time_ms = \(f.timeMilliseconds)
                AND article_key = \(f.key)
            """)
        try await db.execute("UPDATE term_counts SET articles = articles - 1 WHERE term = ANY(\(terms)::text[])")
        try await db.execute("DELETE FROM term_counts WHERE term = ANY(\(terms)::text[]) AND articles <= 0")
        guard let story else { return }
        try await db.execute("UPDATE story_terms SET articles = articles - 1 WHERE story_id = \(story) AND term = ANY(\(terms)::text[])")
        try await db.execute("DELETE FROM story_terms WHERE story_id = \(story) AND articles <= 0")
        try await refresh(story: story, articleDelta: -1, on: db)
    }

    /// Recounts a story's size, span and label after an article joined or left it; deletes it when empty.
    private static func refresh(story: Int64, articleDelta: Int, on db: PostgresConnection) async throws {
        let size = try await db.row("""
            UPDATE stories SET articles = articles + \(articleDelta) WHERE story_id = \(story) RETURNING articles
            """)?.value("articles", as: Int.self) ?? 0
        if size <= 0 {
            try await db.execute("DELETE FROM stories WHERE story_id = \(story)")
            try await db.execute("DELETE FROM story_terms WHERE story_id = \(story)")
            return
        }
        try await db.execute("""
            UPDATE stories SET
                label = COALESCE((SELECT string_agg(name, ' · ' ORDER BY o) FROM (
                    SELECT s.name, row_number() OVER (ORDER BY s.articles DESC, substr(s.term, 1, 2) = 'e:' DESC,
                        c.articles NULLS FIRST, s.term COLLATE "C") AS o
                    FROM story_terms s LEFT JOIN term_counts c ON c.term = s.term WHERE s.story_id = \(story)
                    ORDER BY o LIMIT 3) top), ''),
                first_ms = (SELECT MIN(time_ms) FROM articles WHERE story_id = \(story)),
                last_ms = (SELECT MAX(time_ms) FROM articles WHERE story_id = \(story))
            WHERE story_id = \(story)
            """)
    }
}
