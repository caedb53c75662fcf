import Foundation
import Logging
import ReportStore
import ServiceLifecycle
import Synchronization

/// `mirsad run`: a dispatcher (with a fresh job journal in the run's directory), a collector and supervised worker
/// processes on loopback, a batch submitted and waited for, a summary, and every child stopped — on success, on
/// error and on graceful shutdown (Ctrl-C) alike: workers first (they hand back what they hold), then the
/// collector, then the dispatcher, each group with SIGTERM and, after `stopGrace`, SIGKILL.
///
/// As a `Service`, `run()` returns once the batch is done (`summary` is then set); a graceful shutdown stops the
/// submission and `run()` throws `Producer.Interrupted` after the children are stopped.
public final class LocalCluster: Service, Sendable {
    public struct Options: Sendable {
        public var workers = 2
        public var threadsPerWorker: Int
        public var storePath = Defaults.storePath
        /// Passed to the producer (`Producer.Options.onProgress`), then told of the `indexed` stage.
        public var onProgress: (@Sendable (ProducerProgress) -> Void)? = nil
        public var maxArticleBytes: Int? = nil
        public var logLevel = "info"
        /// The time each group of children (workers, collector, dispatcher) gets to stop before SIGKILL.
        public var stopGrace: Duration = .seconds(10)
        /// Keep the dispatcher's journal after a successful run (it is always kept after a failed one).
        public var keepJournal = false

        public init(threadsPerWorker: Int) {
            self.threadsPerWorker = threadsPerWorker
        }
    }

    /// The summary `mirsad run` prints (`--json` prints it as JSON; fields documented in the README).
    public struct Summary: Sendable, Codable, Equatable {
        public struct Entity: Sendable, Codable, Equatable {
            public var key: String
            public var name: String
            public var type: String
            public var mentions: Int
            public var articles: Int
        }
        /// A dead letter, as the summary shows it (the first few of the batch).
        public struct DeadLetter: Sendable, Codable, Equatable {
            public var jobID: String
            public var articleID: String
            public var attempts: Int
            public var error: String
            enum CodingKeys: String, CodingKey { case jobID = "job_id", articleID = "article_id", attempts, error }
        }
        public var batchID: String
        public var articles: Int
        public var stored: Int
        /// Dead letters; `dead_letters` carries the same number.
        public var failed: Int
        public var deadLetters: Int
        /// The first dead letters of the batch (at most `LocalCluster.deadLettersShown`).
        public var deadLetterSample: [DeadLetter]
        public var rejected: Int
        public var inputProblems: [String: Int]
        public var seconds: Double
        public var articlesPerSecond: Double
        public var workers: Int
        public var store: String
        /// Results the collector had stored but not yet indexed when the batch was stored, and the seconds it took
        /// to index them before the summary (`ReportIndexer`): `seconds` ends when the last result is stored.
        public var indexedAfterwards: Int
        public var indexingSeconds: Double
        public var topEntities: [Entity]

        enum CodingKeys: String, CodingKey {
            case batchID = "batch_id", articles, stored, failed, deadLetters = "dead_letters"
            case deadLetterSample = "dead_letter_sample", rejected, inputProblems = "input_problems"
            case seconds, articlesPerSecond = "articles_per_second", workers, store
            case indexedAfterwards = "indexed_afterwards", indexingSeconds = "indexing_seconds", topEntities = "top_entities"
        }
    }

    public let options: Options
    public let inputs: [String]
    private let logger: Logger
    private let outcome = Mutex<Summary?>(nil)

    public init(options: Options, inputs: [String], logger: Logger) {
        self.options = options
        self.inputs = inputs
        self.logger = logger
    }

    /// Dead letters the summary lists (all are counted).
    public static let deadLettersShown = 10

    /// The batch's summary, once `run()` has returned.
    public var summary: Summary? { outcome.withLock { $0 } }

    public func run() async throws {
        let stop = StopRequest()
        let summary = try await withGracefulShutdownHandler {
            try await self.runBatch(stop: stop)
        } onGracefulShutdown: {
            stop.request()
        }
        outcome.withLock { $0 = summary }
    }

    /// The children of the run, in the order they are stopped.
    private struct Children {
        var workers: [ManagedProcess] = []
        var collector: ManagedProcess?
        var dispatcher: ManagedProcess?

        var stopOrder: [[ManagedProcess]] { beforeTheSummary + [dispatcher.map { [$0] } ?? []] }
        /// Stopped once every result is stored and the dead letters are listed, before what the collector left is
        /// indexed for the summary; the dispatcher is stopped after the summary.
        var beforeTheSummary: [[ManagedProcess]] { [workers, collector.map { [$0] } ?? []] }
    }

    private func runBatch(stop: StopRequest) async throws -> Summary {
        let executable = ManagedProcess.currentExecutable()
        let logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-run-\(getpid())").path
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        // A fresh journal per run: each run submits a new batch, and nothing of an earlier run is owed.
        let journalPath = "\(logDirectory)/dispatcher-journal.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: journalPath + suffix) }
        var children = Children()
        let summary: Summary
        do {
            let (report, dispatcherEndpoint) = try await startAndSubmit(
                executable: executable, logDirectory: logDirectory, journalPath: journalPath, stop: stop, children: &children)
            let (clusterOptions, batchLogger) = (options, logger)
            let deadLetters = try await Self.onThreadOfItsOwn(name: "mirsad-run-dead-letters", stop: stop) {
                Self.deadLetterSample(of: report, dispatcherEndpoint: dispatcherEndpoint, logger: batchLogger)
            }
            // Every result is stored: the workers and the collector stop (its indexer finishes the batch it holds),
            // so that what is left to index for the summary is indexed by one indexer, reading ahead.
            for group in children.beforeTheSummary {
                let killed = await ManagedProcess.stop(group)
                if !killed.isEmpty { logger.warning("killed after \(options.stopGrace): \(killed.joined(separator: ", "))") }
            }
            summary = try await Self.onThreadOfItsOwn(name: "mirsad-run-summary", stop: stop) {
                try Self.summarize(report, deadLetterSample: deadLetters, options: clusterOptions, stop: stop)
            }
        } catch {
            await stopChildren(children)
            throw stop.isRequested ? Producer.Interrupted() : error
        }
        await stopChildren(children)
        if !options.keepJournal {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: journalPath + suffix) }
        }
        return summary
    }

    private func stopChildren(_ children: Children) async {
        for group in children.stopOrder {
            let killed = await ManagedProcess.stop(group)
            if !killed.isEmpty { logger.warning("killed after \(options.stopGrace): \(killed.joined(separator: ", "))") }
        }
    }

    private func startAndSubmit(
        executable: String, logDirectory: String, journalPath: String, stop: StopRequest, children: inout Children
    ) async throws -> (Producer.Report, dispatcherEndpoint: String) {
        let common = ["--log-level", options.logLevel]
        func launch(_ arguments: [String], log: String) -> ManagedProcess.Configuration {
            var configuration = ManagedProcess.Configuration(executable: executable, arguments: arguments + common)
            configuration.errorLogPath = "\(logDirectory)/\(log)"
            configuration.stopGrace = options.stopGrace
            return configuration
        }

        let dispatcher = try await ManagedProcess.start("dispatcher", launch(
            ["dispatcher", "--bind", "tcp://127.0.0.1:*", "--journal", journalPath], log: "dispatcher.log"))
        children.dispatcher = dispatcher
        let dispatcherEndpoint = try await dispatcher.awaitLine(prefix: "READY", timeout: .seconds(30))

        let collector = try await ManagedProcess.start("collector", launch(
            ["collector", "--bind", "tcp://127.0.0.1:*", "--dispatcher", dispatcherEndpoint, "--store", options.storePath],
            log: "collector.log"))
        children.collector = collector
        let collectorEndpoint: String
        do {
            collectorEndpoint = try await collector.awaitLine(prefix: "READY", timeout: .seconds(30))
        } catch {
            // The collector's own last words say what was wrong (a store it cannot open, most often).
            let log = (try? String(contentsOfFile: "\(logDirectory)/collector.log", encoding: .utf8)) ?? ""
            guard let reason = log.split(separator: "\n").last(where: { $0.hasPrefix("Error: ") }) else { throw error }
            throw CollectorStartFailure(reason: String(reason.dropFirst("Error: ".count)), log: "\(logDirectory)/collector.log")
        }

        // Supervised (the default of `mirsad worker`): a worker that crashes is restarted and its job reported.
        for index in 0..<options.workers {
            children.workers.append(try await ManagedProcess.start("worker \(index + 1)", launch(
                ["worker", "--dispatcher", dispatcherEndpoint, "--collector", collectorEndpoint,
                 "--threads", String(options.threadsPerWorker)],
                log: "worker-\(index + 1).log")))
        }
        for worker in children.workers {
            _ = try await worker.awaitLine(prefix: "READY", timeout: .seconds(60))
        }
        if stop.isRequested { throw Producer.Interrupted() }
        logger.info("cluster up: dispatcher \(dispatcherEndpoint), collector \(collectorEndpoint), \(options.workers) workers; logs in \(logDirectory)")

        var producerOptions = Producer.Options(session: SubmitSession.Options(dispatcherEndpoint: dispatcherEndpoint))
        producerOptions.wait = true
        producerOptions.onProgress = options.onProgress
        producerOptions.session.stop = stop
        if let limit = options.maxArticleBytes { producerOptions.maxArticleBytes = limit }
        let (batchInputs, batchLogger, submission) = (inputs, logger, producerOptions)
        let report = try await Self.onThreadOfItsOwn(name: "mirsad-run-producer", stop: stop) {
            try Producer(options: submission, logger: batchLogger).run(inputs: batchInputs)
        }
        return (report, dispatcherEndpoint)
    }

    /// The first dead letters of the batch, asked of the dispatcher (none when it has none, or cannot say).
    private static func deadLetterSample(
        of report: Producer.Report, dispatcherEndpoint: String, logger: Logger
    ) -> [Summary.DeadLetter] {
        guard (report.deadLetters ?? 0) > 0 else { return [] }
        do {
            return try DeadLetterClient(dispatcherEndpoint: dispatcherEndpoint)
                .list(batchID: report.batchID, limit: Self.deadLettersShown, timeout: .seconds(3))
                .deadLetters.map { .init(jobID: $0.jobID, articleID: $0.articleID, attempts: Int($0.attempts), error: $0.error) }
        } catch {
            logger.warning("could not list the dead letters: \(error)")
            return []
        }
    }

    /// The batch's summary: the producer's report, the first dead letters, the store's top entities, once what the
    /// collector had not yet indexed is indexed (it indexes in the background, yielding to the workers).
    private static func summarize(
        _ report: Producer.Report, deadLetterSample sample: [Summary.DeadLetter], options: Options, stop: StopRequest
    ) throws -> Summary {
        let deadLetters = report.deadLetters ?? 0
        let store = try ReportStoreLocation(options.storePath).open()
        let indexingStarted = ContinuousClock.now
        let indexedAfterwards = try (store as? SQLiteReportStore).map {
            try Self.catchUp($0, progress: options.onProgress, stop: stop)
        } ?? 0
        let indexing = ContinuousClock.now - indexingStarted
        let top = try store.topEntities(limit: 10, type: nil).map {
            Summary.Entity(key: $0.key, name: $0.name, type: $0.type.rawValue, mentions: $0.mentions, articles: $0.articles)
        }
        return Summary(
            batchID: report.batchID, articles: report.articles, stored: report.stored ?? 0, failed: report.failed ?? 0,
            deadLetters: deadLetters, deadLetterSample: sample,
            rejected: report.rejected, inputProblems: report.inputProblems, seconds: report.seconds,
            articlesPerSecond: report.articlesPerSecond, workers: options.workers, store: ReportStoreLocation(options.storePath).description,
            indexedAfterwards: indexedAfterwards,
            indexingSeconds: Double(indexing.components.seconds) + Double(indexing.components.attoseconds) / 1e18,
            topEntities: top)
    }

    /// Indexes what waits in `store`'s inbox once the collector has stopped, reporting the `indexed` stage, until
    /// done or `stop` is requested; returns how many results waited.
    private static func catchUp(
        _ store: SQLiteReportStore, progress: (@Sendable (ProducerProgress) -> Void)?, stop: StopRequest
    ) throws -> Int {
        let waiting = try store.notYetIndexed()
        guard waiting > 0 else { return 0 }
        progress?(ProducerProgress(stage: .indexed, done: 0, total: waiting, isFinal: false))
        try store.indexAllReadingAhead {
            if stop.isRequested { throw Producer.Interrupted() }
            guard let progress, let left = try? store.notYetIndexed() else { return }
            progress(ProducerProgress(stage: .indexed, done: max(0, waiting - left), total: waiting, isFinal: false))
        }
        progress?(ProducerProgress(stage: .indexed, done: waiting, total: waiting, isFinal: true))
        return waiting
    }

    /// Runs blocking socket work (the producer polls ZeroMQ) on a thread of its own rather than the cooperative
    /// pool; cancellation asks it to stop through `stop`.
    private static func onThreadOfItsOwn<Output: Sendable>(
        name: String, stop: StopRequest, _ work: @escaping @Sendable () throws -> Output
    ) async throws -> Output {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Output, any Error>) in
                let thread = Thread {
                    continuation.resume(with: Result { try work() })
                }
                thread.name = name
                thread.start()
            }
        } onCancel: {
            stop.request()
        }
    }
}

/// The collector of `mirsad run` exited before it was ready, with `reason` as its last error.
struct CollectorStartFailure: Error, CustomStringConvertible {
    var reason: String
    var log: String
    var description: String { "the collector could not start: \(reason) (see \(log))" }
}
