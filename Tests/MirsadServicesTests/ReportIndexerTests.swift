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

    /// A staging store in a directory of its own, removed after `body`.
    static func withStagedStore(_ body: (SQLiteReportStore) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-indexer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(try SQLiteReportStore(
            path: directory.appendingPathComponent("s.sqlite").path, options: .init(stagesResults: true)))
    }

    static func niceness() -> Int32 {
        errno = 0
        return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    }

    @Test func indexesWhatWaitsAndWhatComesAfterThenStops() async throws {
        try await Self.withStagedStore { store in
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
            // The indexer counts a batch after its commit, which readers may see first.
            #expect(try await Self.eventually { indexer.statistics.indexed == 80 })
            #expect(Self.niceness() == before, "only the indexing thread's priority changes")

            indexer.stopGracefully()
            try await task.value
            _ = try store.store(Self.results(80..<85))
            try await Task.sleep(for: .milliseconds(50))
            #expect(try store.notYetIndexed() == 5, "a stopped indexer indexes nothing more")
        }
    }

    /// Small batches that owe long pauses (a thousandfold their CPU time, at most `longestPause`) at every look
    /// seeing `idleCores`.
    static func paced(longestPause: Duration, idleCores: Double) -> ReportIndexer.Configuration {
        var configuration = ReportIndexer.Configuration()
        configuration.batchSize = 10
        configuration.idleInterval = .milliseconds(5)
        configuration.niceness = nil
        configuration.busyShare = 0.001
        configuration.look = .milliseconds(20)
        configuration.longestPause = longestPause
        configuration.idleCoresSeen = idleCores
        return configuration
    }

    /// Whether `condition` held within 30 s.
    static func eventually(_ condition: () throws -> Bool) async throws -> Bool {
        for _ in 0..<3_000 {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// Paced on busy cores, the indexer still indexes everything, a pause after each batch; a stop ends a pause at
    /// once; idle cores end it too.
    @Test(arguments: [
        (pause: Duration.milliseconds(100), idle: 0.0, indexesAll: true),
        (pause: Duration.seconds(60), idle: 0.0, indexesAll: false),
        (pause: Duration.seconds(60), idle: 1.0, indexesAll: true),
    ])
    func pacedIndexing(pause: Duration, idle: Double, indexesAll: Bool) async throws {
        try await Self.withStagedStore { store in
            _ = try store.store(Self.results(0..<30))
            let indexer = ReportIndexer(
                store: store, configuration: Self.paced(longestPause: pause, idleCores: idle), logger: Logger(label: "test"))
            let task = Task { try await indexer.run() }
            if indexesAll {
                #expect(try await Self.eventually { try store.notYetIndexed() == 0 })
                #expect(try await Self.eventually { indexer.statistics.indexed == 30 })
            } else {
                #expect(try await Self.eventually { indexer.statistics.indexed > 0 })
                try await Task.sleep(for: .milliseconds(300))
                #expect(indexer.statistics.indexed == 10, "the next batch waits for the pause")
            }
            let stopping = ContinuousClock.now
            indexer.stopGracefully()
            try await task.value
            #expect(ContinuousClock.now - stopping < .seconds(5), "a stop ends a pause")
        }
    }
}
