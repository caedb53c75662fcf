import Foundation
import Logging
import ReportStore

/// `mirsad run`: a dispatcher (with a fresh job journal in the run's directory), a collector and supervised worker
/// processes on loopback, a batch submitted and waited for, a summary, and every child stopped — on success, on
/// error and on Ctrl-C alike: workers first (they hand back what they hold), then the collector, then the
/// dispatcher, each group with SIGTERM and, after `stopGraceSeconds`, SIGKILL.
public struct LocalCluster {
    public struct Options: Sendable {
        public var workers = 2
        public var threadsPerWorker: Int
        public var storePath = Defaults.storePath
        public var progress: ProgressReporter.Style? = nil
        public var maxArticleBytes: Int? = nil
        public var logLevel = "info"
        /// Seconds each group of children (workers, collector, dispatcher) gets to stop before SIGKILL.
        public var stopGraceSeconds: Double = 10
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
        public var topEntities: [Entity]

        enum CodingKeys: String, CodingKey {
            case batchID = "batch_id", articles, stored, failed, deadLetters = "dead_letters"
            case deadLetterSample = "dead_letter_sample", rejected, inputProblems = "input_problems"
            case seconds, articlesPerSecond = "articles_per_second", workers, store, topEntities = "top_entities"
        }
    }

    public let options: Options
    private let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Dead letters the summary lists (all are counted).
    public static let deadLettersShown = 10

    public func run(inputs: [String]) throws -> Summary {
        let executable = ChildProcess.currentExecutable()
        let logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-run-\(getpid())").path
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        // A fresh journal per run: each run submits a new batch, and nothing of an earlier run is owed.
        let journalPath = "\(logDirectory)/dispatcher-journal.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: journalPath + suffix) }
        var dispatcher: ChildProcess? = nil
        var collector: ChildProcess? = nil
        var workers: [ChildProcess] = []
        var succeeded = false
        defer {
            for group in [workers, collector.map { [$0] } ?? [], dispatcher.map { [$0] } ?? []] {
                let killed = ChildProcess.stop(group, graceSeconds: options.stopGraceSeconds)
                if !killed.isEmpty { logger.warning("killed after \(options.stopGraceSeconds) s: \(killed.joined(separator: ", "))") }
            }
            if succeeded && !options.keepJournal {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: journalPath + suffix) }
            }
        }
        let common = ["--log-level", options.logLevel]

        let dispatcherProcess = try ChildProcess(
            name: "dispatcher", executable: executable,
            arguments: ["dispatcher", "--bind", "tcp://127.0.0.1:*", "--journal", journalPath] + common,
            logPath: "\(logDirectory)/dispatcher.log")
        dispatcher = dispatcherProcess
        let dispatcherEndpoint = try dispatcherProcess.awaitLine(prefix: "READY", timeoutSeconds: 30)

        let collectorProcess = try ChildProcess(
            name: "collector", executable: executable,
            arguments: ["collector", "--bind", "tcp://127.0.0.1:*", "--dispatcher", dispatcherEndpoint,
                        "--store", options.storePath] + common,
            logPath: "\(logDirectory)/collector.log")
        collector = collectorProcess
        let collectorEndpoint = try collectorProcess.awaitLine(prefix: "READY", timeoutSeconds: 30)

        // Supervised (the default of `mirsad worker`): a worker that crashes is restarted and its job reported.
        for index in 0..<options.workers {
            workers.append(try ChildProcess(
                name: "worker \(index + 1)", executable: executable,
                arguments: ["worker", "--dispatcher", dispatcherEndpoint, "--collector", collectorEndpoint,
                            "--threads", String(options.threadsPerWorker)] + common,
                logPath: "\(logDirectory)/worker-\(index + 1).log"))
        }
        for worker in workers {
            _ = try worker.awaitLine(prefix: "READY", timeoutSeconds: 60)
        }
        logger.info("cluster up: dispatcher \(dispatcherEndpoint), collector \(collectorEndpoint), \(options.workers) workers; logs in \(logDirectory)")

        var producerOptions = Producer.Options(session: SubmitSession.Options(dispatcherEndpoint: dispatcherEndpoint))
        producerOptions.wait = true
        producerOptions.progress = options.progress
        if let limit = options.maxArticleBytes { producerOptions.maxArticleBytes = limit }
        let report = try Producer(options: producerOptions, logger: logger).run(inputs: inputs)

        let deadLetters = report.deadLetters ?? 0
        var sample: [Summary.DeadLetter] = []
        if deadLetters > 0 {
            do {
                sample = try DeadLetterClient(dispatcherEndpoint: dispatcherEndpoint)
                    .list(batchID: report.batchID, limit: Self.deadLettersShown, timeout: .seconds(3))
                    .deadLetters.map { .init(jobID: $0.jobID, articleID: $0.articleID, attempts: Int($0.attempts), error: $0.error) }
            } catch {
                logger.warning("could not list the dead letters: \(error)")
            }
        }

        let store = try ReportStoreLocation(options.storePath).open()
        let top = try store.topEntities(limit: 10, type: nil).map {
            Summary.Entity(key: $0.key, name: $0.name, type: $0.type.rawValue, mentions: $0.mentions, articles: $0.articles)
        }
        succeeded = true
        return Summary(
            batchID: report.batchID, articles: report.articles, stored: report.stored ?? 0, failed: report.failed ?? 0,
            deadLetters: deadLetters, deadLetterSample: sample,
            rejected: report.rejected, inputProblems: report.inputProblems, seconds: report.seconds,
            articlesPerSecond: report.articlesPerSecond, workers: options.workers, store: ReportStoreLocation(options.storePath).description,
            topEntities: top)
    }
}
