import Foundation
import GRDB
import Testing
@testable import ReportStore

/// Recomputes the v5 summary rows from the per-article rows (with queries written apart from `SummarySchema.fill`)
/// and expects the kept rows to equal them; the entity rows' copies of their article's time must be the article's.
enum SummaryCheck {
    typealias Same = (_ kept: String, _ recomputed: String, _ what: String) throws -> Void

    /// `article_entities` with each entity's key and type, as a table to read from.
    static let articleEntities = """
        (SELECT t.key AS key, t.type AS type, x.time_ms AS time_ms, x.article_id AS article_id, x.mentions AS mentions,
            x.paired AS paired FROM article_entities x JOIN entity_totals t ON t.entity_id = x.entity_id)
        """

    /// `article_speakers` with each speaker's key, as a table to read from.
    static let articleSpeakers = """
        (SELECT t.speaker AS speaker, x.article_id AS article_id, x.quotes AS quotes
            FROM article_speakers x JOIN speaker_totals t ON t.speaker_id = x.speaker_id)
        """

    static func expectConsistent(_ db: Database, _ same: Same) throws {
        let measures = """
            COUNT(*), SUM(a.seen), SUM(a.version), SUM(CASE WHEN a.version > 1 THEN 1 ELSE 0 END), ROUND(SUM(a.tone), 6),
            SUM(a.named_sources), SUM(a.anonymous_sources), SUM(a.quotes)
            """
        try same("""
            SELECT topic, day, source, language, articles, results, versions, revised, ROUND(tone_sum, 6), named_sources,
                anonymous_sources, quotes FROM day_cells ORDER BY 1, 2, 3, 4
            """, """
            SELECT * FROM (
                SELECT '' AS topic, a.day, a.source, a.language, \(measures) FROM articles a GROUP BY 2, 3, 4
                UNION ALL
                SELECT t.topic, a.day, a.source, a.language, \(measures)
                FROM articles a JOIN article_topics t ON t.article_id = a.article_id GROUP BY 1, 2, 3, 4
            ) ORDER BY 1, 2, 3, 4
            """, "day cells")
        try same("""
            SELECT d.day, t.key, t.type, d.articles, d.mentions FROM entity_days d
            LEFT JOIN entity_totals t ON t.entity_id = d.entity_id ORDER BY 1, 2, 3
            """, """
            SELECT a.day, e.key, e.type, COUNT(*), SUM(e.mentions) FROM \(articleEntities) e
            JOIN articles a ON a.article_id = e.article_id GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """, "entity days")
        let facetMeasures = "COUNT(*), SUM(e.mentions), ROUND(SUM(a.tone), 6), SUM(a.named_sources), SUM(a.anonymous_sources), SUM(a.quotes)"
        try same("""
            SELECT v.facet, v.value, t.key, t.type, f.articles, f.mentions, ROUND(f.tone_sum, 6), f.named_sources,
                f.anonymous_sources, f.quotes
            FROM entity_facets f LEFT JOIN facets v USING (facet_id) LEFT JOIN entity_totals t ON t.entity_id = f.entity_id
            ORDER BY 1, 2, 3, 4
            """, """
            SELECT * FROM (
                SELECT 'source' AS facet, a.source AS value, e.key, e.type, \(facetMeasures)
                FROM \(articleEntities) e JOIN articles a ON a.article_id = e.article_id GROUP BY 2, 3, 4
                UNION ALL
                SELECT 'language', a.language, e.key, e.type, \(facetMeasures)
                FROM \(articleEntities) e JOIN articles a ON a.article_id = e.article_id GROUP BY 2, 3, 4
                UNION ALL
                SELECT 'topic', t.topic, e.key, e.type, \(facetMeasures)
                FROM \(articleEntities) e JOIN articles a ON a.article_id = e.article_id
                JOIN article_topics t ON t.article_id = a.article_id GROUP BY 2, 3, 4
            ) ORDER BY 1, 2, 3, 4
            """, "entity facets")
        try same("SELECT d.day, t.speaker, d.quotes, d.articles FROM speaker_days d LEFT JOIN speaker_totals t USING (speaker_id) ORDER BY 1, 2", """
            SELECT a.day, s.speaker, SUM(s.quotes), COUNT(*) FROM \(articleSpeakers) s
            JOIN articles a ON a.article_id = s.article_id GROUP BY 1, 2 ORDER BY 1, 2
            """, "speaker days")
        try same("""
            SELECT v.facet, v.value, t.speaker, f.quotes, f.articles FROM speaker_facets f
            LEFT JOIN facets v USING (facet_id) LEFT JOIN speaker_totals t USING (speaker_id) ORDER BY 1, 2, 3
            """, """
            SELECT * FROM (
                SELECT 'source' AS facet, a.source AS value, s.speaker, SUM(s.quotes), COUNT(*)
                FROM \(articleSpeakers) s JOIN articles a ON a.article_id = s.article_id GROUP BY 2, 3
                UNION ALL
                SELECT 'language', a.language, s.speaker, SUM(s.quotes), COUNT(*)
                FROM \(articleSpeakers) s JOIN articles a ON a.article_id = s.article_id GROUP BY 2, 3
                UNION ALL
                SELECT 'topic', t.topic, s.speaker, SUM(s.quotes), COUNT(*)
                FROM \(articleSpeakers) s JOIN article_topics t ON t.article_id = s.article_id GROUP BY 2, 3
            ) ORDER BY 1, 2, 3
            """, "speaker facets")
        try same("SELECT status, results FROM result_counts ORDER BY 1",
                 "SELECT status, COUNT(*) FROM results GROUP BY status ORDER BY 1", "results per status")
        try same("SELECT batch_id, status, results FROM batch_counts ORDER BY 1, 2",
                 "SELECT batch_id, status, COUNT(*) FROM results GROUP BY 1, 2 ORDER BY 1, 2", "results per batch and status")
        try same("SELECT 0", """
            SELECT COUNT(*) FROM article_entities e JOIN articles a ON a.article_id = e.article_id
            WHERE e.time_ms <> a.time_ms
            """, "entity rows' copies of their article's time")
    }
}
