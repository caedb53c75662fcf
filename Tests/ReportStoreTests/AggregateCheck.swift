import Foundation
import GRDB
import Testing
@testable import ReportStore

/// Recomputes every aggregate of a store from its per-article rows and expects the kept ones to equal it.
enum AggregateCheck {
    static func expectConsistent(_ store: SQLiteReportStore, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try store.pool.read { db in
            func same(_ kept: String, _ recomputed: String, _ what: String) throws {
                let a = try Row.fetchAll(db, sql: kept).map { $0.databaseValues.map(\.description).joined(separator: "|") }
                let b = try Row.fetchAll(db, sql: recomputed).map { $0.databaseValues.map(\.description).joined(separator: "|") }
                #expect(a == b, "\(what): kept \(a.prefix(5)) vs recomputed \(b.prefix(5))", sourceLocation: sourceLocation)
            }
            // Every entity row and story term row names a kept entity or term: the joins below then hide none.
            #expect(try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM article_entities e WHERE NOT EXISTS (SELECT 1 FROM entity_totals t WHERE t.entity_id = e.entity_id)
                """) == 0, sourceLocation: sourceLocation)
            #expect(try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM story_terms s WHERE NOT EXISTS (SELECT 1 FROM term_counts c WHERE c.term_id = s.term_id)
                """) == 0, sourceLocation: sourceLocation)
            let entities = SummaryCheck.articleEntities
            try same("SELECT key, type, articles, mentions FROM entity_totals ORDER BY key, type",
                     "SELECT key, type, COUNT(*), SUM(mentions) FROM \(entities) GROUP BY key, type ORDER BY key, type",
                     "entity totals")
            try SummaryCheck.expectConsistent(db, same)
            try same("""
                SELECT x.key, x.type, y.key, y.type, p.articles FROM entity_pairs p
                JOIN entity_totals x ON x.entity_id = p.a_id JOIN entity_totals y ON y.entity_id = p.b_id ORDER BY 1, 2, 3, 4
                """, """
                SELECT x.key, x.type, y.key, y.type, COUNT(*) FROM \(entities) x JOIN \(entities) y
                    ON y.article_id = x.article_id AND (x.type < y.type OR (x.type = y.type AND x.key < y.key))
                WHERE x.paired = 1 AND y.paired = 1 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
                """, "entity pairs")
            let recomputedTallies = ["source", "day", "language"].map { column in
                "SELECT '\(column)' AS dimension, \(column) AS value, COUNT(*) AS articles, ROUND(SUM(tone), 6) AS tone, SUM(named_sources) AS n, SUM(anonymous_sources) AS an, SUM(quotes) AS q FROM articles GROUP BY \(column)"
            } + ["SELECT 'topic', t.topic, COUNT(*), ROUND(SUM(a.tone), 6), SUM(a.named_sources), SUM(a.anonymous_sources), SUM(a.quotes) FROM article_topics t JOIN articles a ON a.article_id = t.article_id GROUP BY t.topic"]
            try same("SELECT dimension, value, articles, ROUND(tone_sum, 6), named_sources, anonymous_sources, quotes FROM tallies ORDER BY 1, 2",
                     "SELECT * FROM (" + recomputedTallies.joined(separator: " UNION ALL ") + ") ORDER BY 1, 2", "tallies")
            #expect(try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM article_speakers s WHERE NOT EXISTS (SELECT 1 FROM speaker_totals t WHERE t.speaker_id = s.speaker_id)
                """) == 0, sourceLocation: sourceLocation)
            try same("SELECT speaker, quotes, articles FROM speaker_totals ORDER BY speaker",
                     "SELECT speaker, SUM(quotes), COUNT(*) FROM \(SummaryCheck.articleSpeakers) GROUP BY speaker ORDER BY speaker", "speakers")
            try same("SELECT term, articles FROM term_counts ORDER BY term", """
                SELECT c.term, COUNT(*) FROM term_postings p JOIN term_counts c ON c.term_id = p.term
                GROUP BY c.term ORDER BY c.term
                """, "term counts")
            #expect(try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM entity_pairs p WHERE NOT EXISTS (SELECT 1 FROM entity_totals x WHERE x.entity_id = p.a_id)
                    OR NOT EXISTS (SELECT 1 FROM entity_totals y WHERE y.entity_id = p.b_id)
                """) == 0, sourceLocation: sourceLocation)
            // Every posting is a counted term's or a band's (negative), and each article has one per band at most.
            #expect(try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM term_postings p WHERE p.term > 0 AND NOT EXISTS (SELECT 1 FROM term_counts c WHERE c.term_id = p.term)
                """) == 0, sourceLocation: sourceLocation)
            #expect(try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM (SELECT article_id FROM term_postings WHERE term < 0 GROUP BY article_id HAVING COUNT(*) > \(StoryClustering.Parameters().bands))
                """) == 0, sourceLocation: sourceLocation)
            try same("SELECT story_id, articles FROM stories ORDER BY story_id",
                     "SELECT story_id, COUNT(*) FROM articles GROUP BY story_id ORDER BY story_id", "story sizes")
            try same("SELECT s.story_id, c.term, s.articles FROM story_terms s JOIN term_counts c ON c.term_id = s.term_id ORDER BY 1, 2", """
                SELECT a.story_id, c.term, COUNT(*) FROM term_postings p JOIN term_counts c ON c.term_id = p.term
                JOIN articles a ON a.article_id = p.article_id GROUP BY 1, 2 ORDER BY 1, 2
                """, "story terms")
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM articles WHERE story_id IS NULL") == 0, sourceLocation: sourceLocation)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM results r WHERE r.job_id = a.job_id)") == 0, sourceLocation: sourceLocation)
        }
    }
}
