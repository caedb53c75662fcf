import ArticleAnalysis
import Foundation
import Testing
@testable import ReportStore

/// Write throughput of the SQLite store with analyses the size of a real news article's.
///
/// Runs only with MIRSAD_BENCHMARK=1 (meant for a release build: `swift test -c release --filter Throughput`).
@Suite struct SQLiteThroughputTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MIRSAD_BENCHMARK"] == "1"))
    func storesTwentyThousandRowsPerSecond() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("bench.sqlite").path)
        let entities: [(String, EntityType, Int)] = (0..<12).map {
            ("كيان\($0)", EntityType.allCases[$0 % EntityType.allCases.count], 1 + $0 % 4)
        }
        var analysis = Fixtures.analysis(entities: entities, words: 400)
        analysis.keywords = (0..<10).map { Keyword(phrase: "عبارة \($0)", score: Double(10 - $0)) }
        analysis.topics = (0..<3).map { TopicScore(topic: "topic\($0)", score: 0.3) }
        analysis.fingerprint.minhash = (0..<64).map { UInt32($0 * 7919) }
        let total = 40_000
        let batchSize = 500
        let batches = (0..<(total / batchSize)).map { batch in
            (0..<batchSize).map { Fixtures.result("bench-\(batch)-\($0)", batch: "bench", analysis: analysis) }
        }
        let start = ContinuousClock.now
        for batch in batches { _ = try store.store(batch) }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(total) / seconds
        print("SQLiteReportStore: \(total) rows in batches of \(batchSize): \(String(format: "%.2f", seconds)) s, \(Int(rate)) rows/s")
        #expect(try store.count().total == total)
        #expect(rate >= 20_000)
    }
}
