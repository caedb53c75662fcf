import ArticleAnalysis
import Foundation
import GRDB
import Testing
@testable import ReportStore
import TestSupport

/// What only the SQLite store has: a file, WAL, reopening, open errors, concurrent readers, a full disk.
@Suite(.offTheCooperativePool) struct SQLiteReportStoreTests {
    @Test func theDatabaseIsInWALMode() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("wal.sqlite").path
        let store = try SQLiteReportStore(path: path)
        _ = try store.store([Fixtures.result("1")])
        let queue = try DatabaseQueue(path: path)
        let mode = try queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    /// An acknowledged result must survive a power cut: the connections that commit (the store's writer and, for a
    /// staging store, the inbox's) sync the log at each commit (`synchronous = FULL`, 2), also after the pool has
    /// turned on WAL mode, which sets NORMAL.
    @Test(arguments: [false, true]) func commitsAreSyncedToDisk(staging: Bool) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(
            path: directory.appendingPathComponent("durable.sqlite").path, options: .init(stagesResults: staging))
        _ = try store.store([Fixtures.result("1")])
        #expect(try store.pool.writerSynchronous == 2)
        if staging {
            let inbox = try #require(store.inbox)
            #expect(try inbox.pool.writerSynchronous == 2)
        } else {
            #expect(store.inbox == nil)
        }
    }

    @Test func reopeningKeepsTheRows() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("reopen.sqlite").path
        do {
            let store = try SQLiteReportStore(path: path)
            _ = try store.store([Fixtures.result("1"), Fixtures.result("2", analysis: nil)])
        }
        let reopened = try SQLiteReportStore(path: path)
        #expect(try reopened.count() == StoreCounts(analysed: 1, failed: 1))
        #expect(try reopened.result(jobID: "1") == Fixtures.result("1"))
        #expect(try reopened.store([Fixtures.result("1")]).duplicates == ["1"])
    }

    @Test func pendingNoticesOutliveTheProcessThatWroteThem() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("notices.sqlite").path
        do {
            let store = try SQLiteReportStore(path: path)
            _ = try store.store((0..<5).map { Fixtures.result("p-\($0)") })
            try store.confirmNotices(["p-1"])
        }
        let reopened = try SQLiteReportStore(path: path)
        #expect(try reopened.pendingNotices(limit: 100) == ["p-0", "p-2", "p-3", "p-4"])
        try reopened.confirmNotices(["p-0", "p-2", "p-3", "p-4"])
        #expect(try SQLiteReportStore(path: path).pendingNotices(limit: 100).isEmpty)
    }

    /// A store file written before notices existed (analyses as JSON) gains the tables on open and keeps its rows.
    @Test func aStoreFromBeforeNoticesIsUpgraded() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("v1.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteSchema.migrator.migrate(queue, upTo: "v1: results, entities, topics")
            let result = Fixtures.result("before")
            let json = String(decoding: try JSONEncoder().encode(try #require(result.analysis)), as: UTF8.self)
            try queue.write { db in
                #expect(try !db.tableExists("stored_notices"), "the v1 file must not have the table yet")
                // A row as v1 wrote it: the analysis as JSON.
                let a = result.article
                try db.execute(sql: """
                    INSERT INTO results (job_id, batch_id, article_id, url, source, category, title, published, author,
                        status, worker_id, submitted_at, analysed_at, stored_at, token_count, analysis)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'analysed', ?, ?, ?, 1700000000000, ?, ?)
                    """, arguments: [result.jobID, result.batchID, a.id, a.url, a.source, a.category, a.title, a.published,
                                    a.author, result.workerID, result.submittedAt.map(StoredTime.milliseconds),
                                    result.analysedAt.map(StoredTime.milliseconds), result.tokenCount, json])
            }
        }
        let store = try SQLiteReportStore(path: path)
        #expect(try store.result(jobID: "before") == Fixtures.result("before"))
        #expect(try store.pendingNotices(limit: 10).isEmpty)
        #expect(try store.store([Fixtures.result("after"), Fixtures.result("before")]) == StoreOutcome(inserted: ["after"], duplicates: ["before"]))
        #expect(try store.pendingNotices(limit: 10) == ["after", "before"])
    }

    @Test func aMissingDirectoryIsNamedInTheError() throws {
        let path = "/nonexistent-mirsad-dir/sub/store.sqlite"
        #expect {
            _ = try SQLiteReportStore(path: path)
        } throws: { error in
            guard case ReportStoreError.cannotOpen(let failedPath, let reason) = error else { return false }
            return failedPath == path && reason.contains("/nonexistent-mirsad-dir/sub")
                && "\(error)".contains("cannot open the report store at \(path)")
        }
    }

    @Test func aFileThatIsNotADatabaseIsRefused() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("notes.sqlite").path
        try Data(String(repeating: "not a database\n", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try SQLiteReportStore(path: path)
        } throws: { error in
            guard case ReportStoreError.cannotOpen(let failedPath, let reason) = error else { return false }
            return failedPath == path && reason.contains("not a database")
        }
    }

    @Test func aDirectoryIsNotAStore() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        #expect {
            _ = try SQLiteReportStore(path: directory.path)
        } throws: { error in
            guard case ReportStoreError.cannotOpen(_, let reason) = error else { return false }
            return reason.contains("is a directory")
        }
    }

    @Test func readersSeeWholeTransactionsWhileAWriterRuns() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("concurrent.sqlite").path)
        let batches = 30
        let batchSize = 20
        let readerStarted = DispatchSemaphore(value: 0)
        let writerDone = DispatchSemaphore(value: 0)
        let writerError = LockedBox<(any Error)?>(nil)
        let writer = Thread {
            readerStarted.wait()
            do {
                for batch in 0..<batches {
                    _ = try store.store((0..<batchSize).map { Fixtures.result("b\(batch)-\($0)", batch: "b\(batch)") })
                }
            } catch {
                writerError.set(error)
            }
            writerDone.signal()
        }
        writer.start()
        var observed = [try store.count().total]
        readerStarted.signal()
        let deadline = Date().addingTimeInterval(30)
        while observed.last != batches * batchSize, writerError.get() == nil, Date() < deadline {
            observed.append(try store.count().total)
        }
        writerDone.wait()
        #expect(writerError.get() == nil)
        #expect(observed.first == 0)
        #expect(observed.allSatisfy { $0 % batchSize == 0 }, "a reader never sees half a transaction")
        #expect(observed == observed.sorted(), "the row count never goes down")
        #expect(observed.last == batches * batchSize)
    }

    @Test func aFullDiskIsAClearErrorAndKeepsEveryCommittedRow() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("full.sqlite").path
        let store = try SQLiteReportStore(path: path, options: .init(maximumSizeBytes: 256 * 1024))
        var committed: [String] = []
        var failure: Error?
        for batch in 0..<1000 {
            let results = (0..<10).map { Fixtures.result("full-\(batch)-\($0)", analysis: Fixtures.analysis(words: 60)) }
            do {
                committed += try store.store(results).inserted
            } catch {
                failure = error
                break
            }
        }
        let error = try #require(failure, "the size limit was never reached")
        guard case ReportStoreError.diskFull(let failedPath, let reason) = error else {
            Issue.record("expected diskFull, got \(error)")
            return
        }
        #expect(failedPath == path)
        #expect(reason.contains("full"))
        #expect("\(error)".contains("earlier rows are kept"))
        #expect(!committed.isEmpty)
        #expect(try store.count().total == committed.count)
        #expect(try store.pendingNotices(limit: 100_000) == committed, "the failed call recorded no notice")

        let reopened = try SQLiteReportStore(path: path)
        #expect(try reopened.count().total == committed.count)
        for jobID in committed.suffix(10) { #expect(try reopened.contains(jobID: jobID)) }
        // Once there is room again the same results go in.
        let retry = (0..<10).map { Fixtures.result("full-retry-\($0)") }
        #expect(try reopened.store(retry).inserted.count == 10)
    }
}

/// A value shared between threads behind a lock.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
}
