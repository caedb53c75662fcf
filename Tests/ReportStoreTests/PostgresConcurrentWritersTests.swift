import Foundation
import TestSupport
import Testing
@testable import ReportStore

/// Several writers on one PostgreSQL store at once, each through a `PostgresReportStore` of its own (its own connections) as collectors on
/// different machines have: overlapping articles (the same article ids, new versions from either side), the same
/// job sent to both, and distinct ones. Whatever order the commits interleave in, no increment is lost or counted
/// twice: every aggregate equals its recomputation from the article rows.
@Suite(.needsPostgres, .timeLimit(.minutes(8)))
struct PostgresConcurrentWritersTests {
    @Test func twoWritersKeepEveryAggregateRight() async throws {
        try await offTheCooperativePool {
            let url = try PostgresTestDatabase.freshStoreURL(lockTimeout: "2min")
            defer { PostgresTestDatabase.drop(url) }
            var random = SplitMix(state: 42)
            let a = RandomBatches.make(count: 40, prefix: "a", articles: 60, random: &random)
            var b = RandomBatches.make(count: 40, prefix: "b", articles: 60, random: &random)
            // The same jobs reach both writers (a worker that resent them to another collector).
            for i in stride(from: 0, to: 40, by: 4) { b[i] += a[i] }
            let writers = [a, b].map { batches in (try? PostgresReportStore(url: url), batches) }
            let failures = Locked<[String]>([])
            let outcomes = Locked<[StoreOutcome]>([])
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                guard let store = writers[i].0 else { failures.update { $0.append("writer \(i) did not open") }; return }
                for batch in writers[i].1 {
                    do {
                        let outcome = try store.store(batch)
                        outcomes.update { $0.append(outcome) }
                    } catch {
                        failures.update { $0.append("writer \(i): \(error)") }
                    }
                }
            }
            #expect(failures.get() == [])
            let store = try PostgresReportStore(url: url)
            #expect(try store.aggregateMismatches() == [])

            let sent = (a + b).flatMap { $0 }
            let jobs = Set(sent.map(\.jobID))
            let inserted = outcomes.get().flatMap(\.inserted)
            #expect(inserted.count == jobs.count && Set(inserted) == jobs, "each job stored exactly once, by one writer")
            #expect(try store.count().analysed == jobs.count)
            // Every stored job is one sighting of its article: new, seen again or a new version.
            let summary = try store.summary(ReportFilter(language: "ar"))
            #expect(summary.results == jobs.count)
            #expect(summary.articles == Set(sent.map(\.article.id)).count)
            #expect(try store.summary(ReportFilter()).articles == summary.articles)
            #expect(try store.pendingNotices(limit: 100_000).count == jobs.count)
        }
    }
}
