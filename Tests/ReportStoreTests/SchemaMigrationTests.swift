import ArticleAnalysis
import Foundation
import GRDB
import Testing
@testable import ReportStore

/// Stores written by every earlier schema version open, are upgraded to articles and aggregates, and keep their
/// rows; a store written by a newer version is refused and left as it was.
@Suite struct SchemaMigrationTests {
    static let earlier = ["v1: results, entities, topics", "v2: stored_notices", "v3: analysis as protobuf, entities and topics by key"]

    /// Results as the schema `version` stored them: JSON analyses before v3, protobuf from v3 on.
    private func writeOldStore(at path: String, upTo version: String, results: [StoredResult]) throws {
        let queue = try DatabaseQueue(path: path)
        try SQLiteSchema.migrator.migrate(queue, upTo: version)
        try queue.write { db in
            for (i, result) in results.enumerated() {
                let a = result.article
                let analysis = try #require(result.analysis)
                let usesProtobuf = version.hasPrefix("v3")
                try db.execute(sql: """
                    INSERT INTO results (job_id, batch_id, article_id, url, source, category, title, published, author,
                        language, status, worker_id, submitted_at, analysed_at, stored_at, token_count, analysis\(usesProtobuf ? ", analysis_pb" : ""))
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ar', 'analysed', ?, NULL, ?, ?, 0, ?\(usesProtobuf ? ", ?" : ""))
                    """, arguments: StatementArguments([
                        result.jobID, result.batchID, a.id, a.url, a.source, a.category, a.title, a.published, a.author,
                        result.workerID, result.analysedAt.map(StoredTime.milliseconds), 1_700_000_000_000 + Int64(i),
                        usesProtobuf ? nil : String(decoding: try JSONEncoder().encode(analysis), as: UTF8.self),
                    ] + (usesProtobuf ? [result.storedAnalysis?.bytes] : []) as [(any DatabaseValueConvertible)?]))
                let entityTable = "entities"
                for e in analysis.canonicalEntities {
                    try db.execute(sql: "INSERT INTO \(entityTable) (job_id, key, name, type, mentions) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [result.jobID, e.key, e.name, e.type.rawValue, e.mentions])
                }
            }
        }
    }

    private var oldResults: [StoredResult] {
        let a = StoreTestArticles.analysis(text: "نص أول", entities: [("غزه", .location, 2), ("حماس", .organization, 1)], speakers: ["هنية"])
        let b = StoreTestArticles.analysis(text: "نص ثان", entities: [("غزه", .location, 1)])
        return [
            StoreTestArticles.result(job: "j1", article: "a", analysis: a),
            StoreTestArticles.result(job: "j2", article: "b", source: "BBC", analysis: b),
            // The same article submitted twice before articles existed: one article after the upgrade.
            StoreTestArticles.result(job: "j3", article: "a", analysis: a),
        ]
    }

    @Test(arguments: SchemaMigrationTests.earlier)
    func everyEarlierVersionIsUpgradedToArticles(version: String) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("old.sqlite").path
        try writeOldStore(at: path, upTo: version, results: oldResults)

        let store = try SQLiteReportStore(path: path)
        #expect(try store.count().analysed == 3)
        #expect(try store.summary(ReportFilter()).articles == 2)
        #expect(try store.topEntities(limit: 5, type: nil) == [
            EntityCount(key: "غزه", type: .location, mentions: 3, articles: 2),
            EntityCount(key: "حماس", type: .organization, mentions: 1, articles: 1),
        ])
        #expect(try store.article(id: "a")?.seen == 2)
        #expect(try store.speakers(ReportFilter(), limit: 5).map(\.quotes) == [1])
        try AggregateCheck.expectConsistent(store)
        let applied = try store.pool.read { try SQLiteSchema.migrator.appliedMigrations($0) }
        #expect(applied.count == SQLiteSchema.currentVersion)
        // And it takes new results as a store made today does.
        _ = try store.store([StoreTestArticles.result(job: "j4", article: "c", analysis: StoreTestArticles.analysis(text: "جديد", entities: [("غزه", .location, 1)]))])
        #expect(try store.topEntities(limit: 1, type: nil).first?.articles == 3)
    }

    @Test func aStoreFromANewerVersionIsRefusedAndLeftAsItWas() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("newer.sqlite").path
        do {
            let store = try SQLiteReportStore(path: path)
            _ = try store.store([Fixtures.result("1")])
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v5: from the future')") }
        let before = try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM results") }
        try queue.close()
        #expect {
            _ = try SQLiteReportStore(path: path)
        } throws: { error in
            guard case .newerSchema(_, let found, let supported, let migrations) = error as? ReportStoreError else { return false }
            return found == 5 && supported == 4 && migrations == ["v5: from the future"]
                && "\(error)".contains("newer mirsad")
        }
        let after = try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM results") }
        #expect(before == after)
    }

    @Test func aStoreThatCannotBeWrittenIsAClearError() throws {
        guard getuid() != 0 else { return }  // root writes anywhere
        let directory = try Fixtures.temporaryDirectory()
        defer {
            chmod(directory.path, 0o755)
            Fixtures.remove(directory)
        }
        chmod(directory.path, 0o555)
        #expect {
            _ = try SQLiteReportStore(path: directory.appendingPathComponent("s.sqlite").path)
        } throws: { error in
            "\(error)".contains("not writable")
        }
    }

    @Test func aFailedCommitLeavesNoPartOfItsBatch() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("s.sqlite").path
        let store = try SQLiteReportStore(path: path)
        _ = try store.store([StoreTestArticles.result(job: "1", article: "a", analysis: StoreTestArticles.analysis(text: "1", entities: [("غزه", .location, 1)]))])
        // A trigger that fails the commit midway: on the second article of the batch.
        try store.pool.write { try $0.execute(sql: "CREATE TRIGGER fail_c BEFORE INSERT ON articles WHEN NEW.input_id = 'c' BEGIN SELECT RAISE(ABORT, 'refused'); END") }
        #expect(throws: ReportStoreError.self) {
            _ = try store.store([
                StoreTestArticles.result(job: "2", article: "b", analysis: StoreTestArticles.analysis(text: "2", entities: [("غزه", .location, 1)])),
                StoreTestArticles.result(job: "3", article: "c", analysis: StoreTestArticles.analysis(text: "3", entities: [("غزه", .location, 1)])),
            ])
        }
        #expect(try store.count().analysed == 1)
        #expect(try store.topEntities(limit: 1, type: nil).first?.articles == 1)
        try AggregateCheck.expectConsistent(store)
    }
}
