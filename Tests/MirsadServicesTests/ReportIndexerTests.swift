import ArticleAnalysis
import Foundation
import Logging
import ReportStore
import ServiceLifecycle
import Testing
@testable import MirsadServices

/// The indexer moves what a staging store committed into its reports, keeps up with new commits, lowers only its
/// own thread's priority, and stops when asked, leaving the rest for the next run.
@Suite(.timeLimit(.minutes(2)))
struct ReportIndexerTests {
    static func results(_ range: Range<Int>) -> [StoredResult] {
        range.map { i in
            let analysis = Analysis(
                language: LanguageGuess(code: "ar", confidence: 0.9), cleanText: "نص \(i)", normalizedText: "نص \(i)",
                canonicalEntities: [CanonicalEntity(key: "غزه", name: "غزة", type: .location, mentions: 1 + i % 3, variants: ["غزة"])],
                topics: [TopicScore(topic: "war", score: 0.5)])
            return StoredResult(
                jobID: "job-\(i)", batchID: "b", article: ArticleMetadata(id: "article-\(i)", source: "BBC"),
                outcome: .analysed(analysis), workerID: "w")
        }
    }

    static func niceness() -> Int32 {
        errno = 0
        return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    }

    @Test func indexesWhatWaitsAndWhatComesAfterThenStops() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-indexer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteReportStore(
            path: directory.appendingPathComponent("s.sqlite").path, options: .init(stagesResults: true))
        _ = try store.store(Self.results(0..<50))
        #expect(try store.notYetIndexed() == 50)

        var configuration = ReportIndexer.Configuration()
        configuration.batchSize = 7
        configuration.idleInterval = .milliseconds(5)
        // Lowered a little: what is tested is that the process keeps its priority, not the scheduler under load.
        configuration.niceness = 1
        configuration.busyShare = nil
        let indexer = ReportIndexer(store: store, configuration: configuration, logger: Logger(label: "test"))
        let before = Self.niceness()
        let task = Task { try await indexer.run() }
        func waitIndexed() async throws -> Bool {
            for _ in 0..<1_000 {
                if try store.notYetIndexed() == 0 { return true }
                try await Task.sleep(for: .milliseconds(10))
            }
            return false
        }
        #expect(try await waitIndexed())
        _ = try store.store(Self.results(50..<80))
        #expect(try await waitIndexed())
        #expect(try store.summary(ReportFilter()).articles == 80)
        #expect(try store.topEntities(limit: 1, type: nil).first?.articles == 80)
        #expect(indexer.statistics.indexed == 80)
        #expect(Self.niceness() == before, "only the indexing thread's priority changes")

        indexer.stopGracefully()
        try await task.value
        _ = try store.store(Self.results(80..<85))
        try await Task.sleep(for: .milliseconds(50))
        #expect(try store.notYetIndexed() == 5, "a stopped indexer indexes nothing more")
    }

    /// Paced (a batch owes three times its CPU time in pauses, the cores are rarely idle on a test machine), the
    /// indexer still indexes everything, batch after batch, and a stop ends a pause at once.
    @Test func pacedIndexingCatchesUpAndStopsMidPause() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-indexer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteReportStore(
            path: directory.appendingPathComponent("s.sqlite").path, options: .init(stagesResults: true))
        _ = try store.store(Self.results(0..<40))

        var configuration = ReportIndexer.Configuration()
        configuration.batchSize = 10
        configuration.idleInterval = .milliseconds(5)
        configuration.niceness = nil
        configuration.busyShare = 0.25
        configuration.look = .milliseconds(20)
        let indexer = ReportIndexer(store: store, configuration: configuration, logger: Logger(label: "test"))
        let task = Task { try await indexer.run() }
        var indexed = false
        for _ in 0..<3_000 where !indexed {
            indexed = try store.notYetIndexed() == 0
            if !indexed { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(indexed)
        #expect(indexer.statistics.indexed == 40)
        let stopping = ContinuousClock.now
        indexer.stopGracefully()
        try await task.value
        #expect(ContinuousClock.now - stopping < .seconds(5))
    }
}
