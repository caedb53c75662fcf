import ArticleAnalysis
import Foundation
import ReportStore

/// A store that fails while `failing` is set, and otherwise keeps results in memory.
final class SwitchableStore: ReportStore, @unchecked Sendable {
    struct Unavailable: Error {}
    let failing = Locked(false)
    let attempts = Locked(0)
    /// The size of every batch `store` was given, failed or not.
    let batchSizes = Locked<[Int]>([])
    private let inner = InMemoryReportStore()

    func store(_ results: [StoredResult]) throws -> StoreOutcome {
        attempts.withLock { $0 += 1 }
        batchSizes.withLock { $0.append(results.count) }
        if failing.current { throw Unavailable() }
        return try inner.store(results)
    }
    func count() throws -> StoreCounts { try inner.count() }
    func contains(jobID: String) throws -> Bool { try inner.contains(jobID: jobID) }
    func result(jobID: String) throws -> StoredResult? { try inner.result(jobID: jobID) }
    func topEntities(limit: Int, type: EntityType?) throws -> [EntityCount] { try inner.topEntities(limit: limit, type: type) }
    func batchCounts(batchID: String) throws -> StoreCounts { try inner.batchCounts(batchID: batchID) }
    func pendingNotices(limit: Int) throws -> [String] { try inner.pendingNotices(limit: limit) }
    func confirmNotices(_ jobIDs: [String]) throws { try inner.confirmNotices(jobIDs) }
}

/// A real SQLite store file that can be reopened under another size limit while a collector uses it: a disk that
/// fills up and then has room again.
final class ReopenableSQLiteStore: ReportStore, @unchecked Sendable {
    let path: String
    private let current: Locked<SQLiteReportStore>

    init(path: String, maximumSizeBytes: Int?) throws {
        self.path = path
        current = Locked(try SQLiteReportStore(path: path, options: .init(maximumSizeBytes: maximumSizeBytes)))
    }

    /// Opens the file again with `maximumSizeBytes`; calls after this go to the new connection.
    func reopen(maximumSizeBytes: Int?) throws {
        let reopened = try SQLiteReportStore(path: path, options: .init(maximumSizeBytes: maximumSizeBytes))
        current.withLock { $0 = reopened }
    }

    private var store: SQLiteReportStore { current.current }

    func store(_ results: [StoredResult]) throws -> StoreOutcome { try store.store(results) }
    func count() throws -> StoreCounts { try store.count() }
    func contains(jobID: String) throws -> Bool { try store.contains(jobID: jobID) }
    func result(jobID: String) throws -> StoredResult? { try store.result(jobID: jobID) }
    func topEntities(limit: Int, type: EntityType?) throws -> [EntityCount] { try store.topEntities(limit: limit, type: type) }
    func batchCounts(batchID: String) throws -> StoreCounts { try store.batchCounts(batchID: batchID) }
    func pendingNotices(limit: Int) throws -> [String] { try store.pendingNotices(limit: limit) }
    func confirmNotices(_ jobIDs: [String]) throws { try store.confirmNotices(jobIDs) }
}
