import ArticleAnalysis
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ReportStore

/// Write throughput of the SQLite store with analyses the size of a real news article's.
///
/// Runs only with MIRSAD_BENCHMARK=1 (meant for a release build: `swift test -c release --filter Throughput`).
@Suite struct SQLiteThroughputTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MIRSAD_BENCHMARK"] == "1"))
    func storesTwentyThousandRowsPerSecond() throws {
        let rate = try Self.measure(confirmingNotices: false)
        #expect(rate >= 20_000)
    }

    /// The collector's steady state: each commit is followed by the deletion of the previous commit's stored
    /// notices (their STORED_ACK came back), a second transaction per loop turn.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MIRSAD_BENCHMARK"] == "1"))
    func storesTwentyThousandRowsPerSecondWhileConfirmingNotices() throws {
        let rate = try Self.measure(confirmingNotices: true)
        #expect(rate >= 20_000)
    }

    /// Stores 40,000 article-sized results in batches of 500 and returns rows per second.
    private static func measure(confirmingNotices: Bool) throws -> Double {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("bench.sqlite").path)
        let entities: [(String, EntityType, Int)] = (0..<12).map {
            ("كيان\($0)", EntityType.allCases[$0 % EntityType.allCases.count], 1 + $0 % 4)
        }
        // 250 words is about 3 KB of clean text (and as much normalised), the mean of the ANT corpus;
        // MIRSAD_BENCHMARK_WORDS changes it, to tell the cost of the text from the cost of a row.
        let words = ProcessInfo.processInfo.environment["MIRSAD_BENCHMARK_WORDS"].flatMap(Int.init) ?? 250
        var analysis = Fixtures.analysis(entities: entities, words: words)
        analysis.keywords = (0..<10).map { Keyword(phrase: "عبارة \($0)", score: Double(10 - $0)) }
        analysis.topics = (0..<3).map { TopicScore(topic: "topic\($0)", score: 0.3) }
        analysis.fingerprint.minhash = (0..<64).map { UInt32($0 * 7919) }
        let total = 40_000
        let batchSize = 500
        let batches = (0..<(total / batchSize)).map { batch in
            (0..<batchSize).map { Fixtures.result("bench-\(batch)-\($0)", batch: "bench", analysis: analysis) }
        }
        let cpuStart = processorSeconds()
        let start = ContinuousClock.now
        var previous: [String] = []
        for batch in batches {
            _ = try store.store(batch)
            if confirmingNotices {
                try store.confirmNotices(previous)
                previous = batch.map(\.jobID)
            }
        }
        let elapsed = ContinuousClock.now - start
        let cpu = processorSeconds() - cpuStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(total) / seconds
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: store.path)[.size] as? Int) ?? 0
        print("SQLiteReportStore\(confirmingNotices ? " (confirming notices)" : ""): \(words)-word analyses, \(total) rows in batches of \(batchSize): "
            + "\(String(format: "%.2f", seconds)) s wall, \(String(format: "%.2f", cpu)) s CPU, \(Int(rate)) rows/s; database \(fileBytes / 1_000_000) MB")
        #expect(try store.count().total == total)
        #expect(try store.pendingNotices(limit: 1_000_000).count == (confirmingNotices ? batchSize : total))
        return rate
    }

    /// User and system CPU time of this process so far.
    private static func processorSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
