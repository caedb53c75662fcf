import ArticleAnalysis
import Foundation

/// A report store in memory, with the same behaviour as `SQLiteReportStore`, for tests of its callers.
///
/// `@unchecked Sendable`: every access to the mutable state goes through `lock`.
public final class InMemoryReportStore: ReportStore, @unchecked Sendable {
    private let lock = NSLock()
    private var results: [String: StoredResult] = [:]
    /// Pending stored notices: job id -> the sequence number that orders them (as SQLite's rowid does).
    private var notices: [String: UInt64] = [:]
    private var nextNotice: UInt64 = 0

    public init() {}

    public func store(_ results: [StoredResult]) throws -> StoreOutcome {
        lock.withLock {
            var outcome = StoreOutcome()
            for result in results {
                if notices[result.jobID] == nil {
                    notices[result.jobID] = nextNotice
                    nextNotice += 1
                }
                if self.results[result.jobID] == nil {
                    self.results[result.jobID] = result
                    outcome.inserted.append(result.jobID)
                } else {
                    outcome.duplicates.append(result.jobID)
                }
            }
            return outcome
        }
    }

    public func pendingNotices(limit: Int) throws -> [String] {
        guard limit >= 0 else { throw ReportStoreError.invalidArgument("limit must not be negative, got \(limit)") }
        return lock.withLock {
            notices.sorted { $0.value < $1.value }.prefix(limit).map(\.key)
        }
    }

    public func confirmNotices(_ jobIDs: [String]) throws {
        lock.withLock {
            for jobID in jobIDs { notices.removeValue(forKey: jobID) }
        }
    }

    public func count() throws -> StoreCounts {
        lock.withLock { Self.counts(results.values) }
    }

    public func batchCounts(batchID: String) throws -> StoreCounts {
        lock.withLock { Self.counts(results.values.filter { $0.batchID == batchID }) }
    }

    public func contains(jobID: String) throws -> Bool {
        lock.withLock { results[jobID] != nil }
    }

    public func result(jobID: String) throws -> StoredResult? {
        lock.withLock { results[jobID] }
    }

    public func topEntities(limit: Int, type: EntityType?) throws -> [EntityCount] {
        guard limit >= 0 else { throw ReportStoreError.invalidArgument("limit must not be negative, got \(limit)") }
        struct Key: Hashable { let key: String; let type: EntityType }
        var totals: [Key: (mentions: Int, jobs: Set<String>, names: [String: Int])] = [:]
        lock.withLock {
            for result in results.values {
                for entity in result.storedAnalysis?.index.entities ?? [] where type == nil || entity.type == type {
                    let k = Key(key: entity.key, type: entity.type)
                    totals[k, default: (0, [], [:])].mentions += entity.mentions
                    totals[k, default: (0, [], [:])].jobs.insert(result.jobID)
                    totals[k, default: (0, [], [:])].names[entity.name, default: 0] += entity.mentions
                }
            }
        }
        let ranked = totals.map {
            let name = $0.value.names.min { ($1.value, $0.key) < ($0.value, $1.key) }?.key
            return EntityCount(key: $0.key.key, name: name, type: $0.key.type, mentions: $0.value.mentions, articles: $0.value.jobs.count)
        }.sorted {
            ($1.mentions, $1.articles, $0.key, $0.type.rawValue) < ($0.mentions, $0.articles, $1.key, $1.type.rawValue)
        }
        return Array(ranked.prefix(limit))
    }

    private static func counts(_ results: some Sequence<StoredResult>) -> StoreCounts {
        var counts = StoreCounts(analysed: 0, failed: 0)
        for result in results {
            if result.storedAnalysis == nil { counts.failed += 1 } else { counts.analysed += 1 }
        }
        return counts
    }
}
