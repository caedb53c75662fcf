import Foundation
import PostgresNIO

extension PostgresReportStore {
    /// Recomputes every aggregate and summary row from the per-article rows, in one snapshot, and lists where a
    /// kept one differs (empty when the store is consistent): what several collectors writing at once must never break.
    public func aggregateMismatches() throws -> [String] {
        try perform("checking the aggregates") { connections in
            try await connections.withTransaction { db in
                try await db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                var problems: [String] = []
                for (what, kept, recomputed) in Self.aggregateChecks {
                    let a = try await Self.text(of: kept, on: db)
                    let b = try await Self.text(of: recomputed, on: db)
                    if a != b {
                        let onlyKept = Array(Set(a).subtracting(b)).sorted().prefix(5)
                        let onlyRecomputed = Array(Set(b).subtracting(a)).sorted().prefix(5)
                        problems.append("\(what): kept \(a.count) rows, recomputed \(b.count); kept only \(onlyKept), recomputed only \(onlyRecomputed)")
                    }
                }
                return problems
            }
        }
    }

    /// Every row of `sql` as one string, columns joined by `|`.
    private static func text(of sql: String, on db: PostgresConnection) async throws -> [String] {
        try await db.rows(PostgresQuery(unsafeSQL: "SELECT row_to_json(x)::text AS r FROM (\(sql)) x")).map { try $0.value("r") }
    }

    /// (what, kept, recomputed): two queries whose rows must be equal, in the same order and with the same names.
    static let aggregateChecks: [(String, String, String)] = [
        ("entity totals",
         "SELECT key, type, articles AS n, mentions AS m FROM entity_totals ORDER BY key, type",
         "SELECT key, type, COUNT(*) AS n, SUM(mentions)::bigint AS m FROM article_entities GROUP BY key, type ORDER BY key, type"),
        ("day cells",
         """
         SELECT topic, day, source, language, articles AS n, results AS r, versions AS v, revised AS rv,
             ROUND(tone_sum::numeric, 6) AS tone, named_sources AS ns, anonymous_sources AS an, quotes AS q
         FROM day_cells ORDER BY 1, 2, 3, 4
         """,
         """
         SELECT * FROM (
             SELECT '' AS topic, a.day, a.source, a.language, COUNT(*) AS n, SUM(a.seen)::bigint AS r,
                 SUM(a.version)::bigint AS v, COUNT(*) FILTER (WHERE a.version > 1) AS rv,
                 ROUND(SUM(a.tone)::numeric, 6) AS tone, SUM(a.named_sources)::bigint AS ns,
                 SUM(a.anonymous_sources)::bigint AS an, SUM(a.quotes)::bigint AS q
             FROM articles a GROUP BY 2, 3, 4
             UNION ALL
             SELECT t.topic, a.day, a.source, a.language, COUNT(*), SUM(a.seen)::bigint, SUM(a.version)::bigint,
                 COUNT(*) FILTER (WHERE a.version > 1), ROUND(SUM(a.tone)::numeric, 6), SUM(a.named_sources)::bigint,
                 SUM(a.anonymous_sources)::bigint, SUM(a.quotes)::bigint
             FROM articles a JOIN article_topics t ON t.article_key = a.article_key GROUP BY 1, 2, 3, 4
         ) r ORDER BY 1, 2, 3, 4
         """),
        ("entity days",
         "SELECT day, key, type, articles AS n, mentions AS m FROM entity_days ORDER BY 1, 2, 3",
         """
         SELECT a.day, e.key, e.type, COUNT(*) AS n, SUM(e.mentions)::bigint AS m FROM article_entities e
         JOIN articles a ON a.article_key = e.article_key GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
         """),
        ("entity facets",
         """
         SELECT facet, value, key, type, articles AS n, mentions AS m, ROUND(tone_sum::numeric, 6) AS tone,
             named_sources AS ns, anonymous_sources AS an, quotes AS q FROM entity_facets ORDER BY 1, 2, 3, 4
         """,
         """
         SELECT * FROM (
             SELECT 'source' AS facet, a.source AS value, e.key, e.type, COUNT(*) AS n, SUM(e.mentions)::bigint AS m,
                 ROUND(SUM(a.tone)::numeric, 6) AS tone, SUM(a.named_sources)::bigint AS ns,
                 SUM(a.anonymous_sources)::bigint AS an, SUM(a.quotes)::bigint AS q
             FROM article_entities e JOIN articles a ON a.article_key = e.article_key GROUP BY 2, 3, 4
             UNION ALL
             SELECT 'language', a.language, e.key, e.type, COUNT(*), SUM(e.mentions)::bigint, ROUND(SUM(a.tone)::numeric, 6),
                 SUM(a.named_sources)::bigint, SUM(a.anonymous_sources)::bigint, SUM(a.quotes)::bigint
             FROM article_entities e JOIN articles a ON a.article_key = e.article_key GROUP BY 2, 3, 4
             UNION ALL
             SELECT 'topic', t.topic, e.key, e.type, COUNT(*), SUM(e.mentions)::bigint, ROUND(SUM(a.tone)::numeric, 6),
                 SUM(a.named_sources)::bigint, SUM(a.anonymous_sources)::bigint, SUM(a.quotes)::bigint
             FROM article_entities e JOIN articles a ON a.article_key = e.article_key
             JOIN article_topics t ON t.article_key = a.article_key GROUP BY 2, 3, 4
         ) r ORDER BY 1, 2, 3, 4
         """),
        ("speaker days",
         "SELECT day, speaker, quotes AS q, articles AS n FROM speaker_days ORDER BY 1, 2",
         """
         SELECT a.day, s.speaker, SUM(s.quotes)::bigint AS q, COUNT(*) AS n FROM article_speakers s
         JOIN articles a ON a.article_key = s.article_key GROUP BY 1, 2 ORDER BY 1, 2
         """),
        ("speaker facets",
         "SELECT facet, value, speaker, quotes AS q, articles AS n FROM speaker_facets ORDER BY 1, 2, 3",
         """
         SELECT * FROM (
             SELECT 'source' AS facet, a.source AS value, s.speaker, SUM(s.quotes)::bigint AS q, COUNT(*) AS n
             FROM article_speakers s JOIN articles a ON a.article_key = s.article_key GROUP BY 2, 3
             UNION ALL
             SELECT 'language', a.language, s.speaker, SUM(s.quotes)::bigint, COUNT(*)
             FROM article_speakers s JOIN articles a ON a.article_key = s.article_key GROUP BY 2, 3
             UNION ALL
             SELECT 'topic', t.topic, s.speaker, SUM(s.quotes)::bigint, COUNT(*)
             FROM article_speakers s JOIN article_topics t ON t.article_key = s.article_key GROUP BY 2, 3
         ) r ORDER BY 1, 2, 3
         """),
        ("results per status",
         "SELECT status, results AS n FROM result_counts ORDER BY 1",
         "SELECT status, COUNT(*) AS n FROM results GROUP BY status ORDER BY 1"),
        ("entity rows' copies of their article",
         "SELECT 0 AS n",
         """
         SELECT COUNT(*) AS n FROM article_entities e JOIN articles a ON a.article_key = e.article_key
         WHERE e.time_ms <> a.time_ms OR e.day <> a.day OR e.source <> a.source OR e.language <> a.language
         """),
        ("entity pairs",
         "SELECT a_key, a_type, b_key, b_type, articles AS n FROM entity_pairs ORDER BY 1, 2, 3, 4",
         """
         SELECT x.key AS a_key, x.type AS a_type, y.key AS b_key, y.type AS b_type, COUNT(*) AS n
         FROM article_entities x JOIN article_entities y
             ON y.article_key = x.article_key AND (x.type < y.type OR (x.type = y.type AND x.key < y.key))
         WHERE x.paired = 1 AND y.paired = 1 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
         """),
        ("tallies",
         """
         SELECT dimension, value, articles AS n, ROUND(tone_sum::numeric, 6) AS tone, named_sources AS ns,
             anonymous_sources AS an, quotes AS q FROM tallies ORDER BY 1, 2
         """,
         """
         SELECT * FROM (
             SELECT 'source' AS dimension, source AS value, COUNT(*) AS n, ROUND(SUM(tone)::numeric, 6) AS tone,
                 SUM(named_sources)::bigint AS ns, SUM(anonymous_sources)::bigint AS an, SUM(quotes)::bigint AS q
             FROM articles GROUP BY source
             UNION ALL SELECT 'day', day, COUNT(*), ROUND(SUM(tone)::numeric, 6), SUM(named_sources)::bigint,
                 SUM(anonymous_sources)::bigint, SUM(quotes)::bigint FROM articles GROUP BY day
             UNION ALL SELECT 'language', language, COUNT(*), ROUND(SUM(tone)::numeric, 6), SUM(named_sources)::bigint,
                 SUM(anonymous_sources)::bigint, SUM(quotes)::bigint FROM articles GROUP BY language
             UNION ALL SELECT 'topic', t.topic, COUNT(*), ROUND(SUM(a.tone)::numeric, 6), SUM(a.named_sources)::bigint,
                 SUM(a.anonymous_sources)::bigint, SUM(a.quotes)::bigint
             FROM article_topics t JOIN articles a ON a.article_key = t.article_key GROUP BY t.topic
         ) r ORDER BY 1, 2
         """),
        ("speakers",
         "SELECT speaker, quotes AS q, articles AS n FROM speaker_totals ORDER BY speaker",
         "SELECT speaker, SUM(quotes)::bigint AS q, COUNT(*) AS n FROM article_speakers GROUP BY speaker ORDER BY speaker"),
        ("term counts",
         "SELECT term, articles AS n FROM term_counts ORDER BY term",
         "SELECT term, COUNT(*) AS n FROM term_postings WHERE term NOT LIKE 'b:%' GROUP BY term ORDER BY term"),
        ("story sizes",
         "SELECT story_id, articles AS n FROM stories ORDER BY story_id",
         "SELECT story_id, COUNT(*) AS n FROM articles GROUP BY story_id ORDER BY story_id"),
        ("story terms",
         "SELECT story_id, term, articles AS n FROM story_terms ORDER BY 1, 2",
         """
         SELECT a.story_id, p.term, COUNT(*) AS n FROM term_postings p JOIN articles a ON a.article_key = p.article_key
         WHERE p.term NOT LIKE 'b:%' GROUP BY 1, 2 ORDER BY 1, 2
         """),
        ("versions",
         "SELECT article_key, version AS v FROM articles ORDER BY article_key",
         "SELECT article_key, MAX(version) AS v FROM article_versions GROUP BY article_key ORDER BY article_key"),
        ("articles without a story or a job row",
         "SELECT 0 AS n",
         """
         SELECT COUNT(*) AS n FROM articles a
         WHERE a.story_id IS NULL OR NOT EXISTS (SELECT 1 FROM results r WHERE r.job_id = a.job_id)
         """),
    ]
}
