import Foundation
import Logging
import ReportStore

/// `mirsad run`: a dispatcher, a collector and worker processes on loopback, a batch submitted and waited for,
/// a summary, and every child stopped — on success, on error and on Ctrl-C alike.
public struct LocalCluster {
    public struct Options: Sendable {
        public var workers = 2
        public var threadsPerWorker: Int
        public var storePath = Defaults.storePath
        public var progress: ProgressReporter.Style? = nil
        public var maxArticleBytes: Int? = nil
        public var logLevel = "info"

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
        public var batchID: String
        public var articles: Int
        public var stored: Int
        public var failed: Int
        public var rejected: Int
        public var inputProblems: [String: Int]
        public var seconds: Double
        public var articlesPerSecond: Double
        public var workers: Int
        public var store: String
        public var topEntities: [Entity]

        enum CodingKeys: String, CodingKey {
            case batchID = "batch_id", articles, stored, failed, rejected, inputProblems = "input_problems"
            case seconds, articlesPerSecond = "articles_per_second", workers, store, topEntities = "top_entities"
        }
    }

    public let options: Options
    private let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    public func run(inputs: [String]) throws -> Summary {
        let executable = ChildProcess.currentExecutable()
        let logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-run-\(getpid())").path
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        var children: [ChildProcess] = []
        defer {
            // Workers first so they hand back what they hold, then the collector, then the dispatcher.
            for child in children.reversed() { child.stop() }
        }
        let common = ["--log-level", options.logLevel]

        let dispatcher = try ChildProcess(
            name: "dispatcher", executable: executable,
            arguments: ["dispatcher", "--bind", "tcp://127.0.0.1:*"] + common,
            logPath: "\(logDirectory)/dispatcher.log")
        children.append(dispatcher)
        let dispatcherEndpoint = try dispatcher.awaitLine(prefix: "READY", timeoutSeconds: 30)

        let collector = try ChildProcess(
            name: "collector", executable: executable,
            arguments: ["collector", "--bind", "tcp://127.0.0.1:*", "--dispatcher", dispatcherEndpoint,
                        "--store", options.storePath] + common,
            logPath: "\(logDirectory)/collector.log")
        children.append(collector)
        let collectorEndpoint = try collector.awaitLine(prefix: "READY", timeoutSeconds: 30)

        for index in 0..<options.workers {
            let worker = try ChildProcess(
                name: "worker \(index + 1)", executable: executable,
                arguments: ["worker", "--dispatcher", dispatcherEndpoint, "--collector", collectorEndpoint,
                            "--threads", String(options.threadsPerWorker)] + common,
                logPath: "\(logDirectory)/worker-\(index + 1).log")
            children.append(worker)
        }
        for worker in children.dropFirst(2) {
            _ = try worker.awaitLine(prefix: "READY", timeoutSeconds: 60)
        }
        logger.info("cluster up: dispatcher \(dispatcherEndpoint), collector \(collectorEndpoint), \(options.workers) workers; logs in \(logDirectory)")

        var producerOptions = Producer.Options(session: SubmitSession.Options(dispatcherEndpoint: dispatcherEndpoint))
        producerOptions.wait = true
        producerOptions.progress = options.progress
        if let limit = options.maxArticleBytes { producerOptions.maxArticleBytes = limit }
        let report = try Producer(options: producerOptions, logger: logger).run(inputs: inputs)

        let store = try SQLiteReportStore(path: options.storePath)
        let top = try store.topEntities(limit: 10, type: nil).map {
            Summary.Entity(key: $0.key, name: $0.name, type: $0.type.rawValue, mentions: $0.mentions, articles: $0.articles)
        }
        return Summary(
            batchID: report.batchID, articles: report.articles, stored: report.stored ?? 0, failed: report.failed ?? 0,
            rejected: report.rejected, inputProblems: report.inputProblems, seconds: report.seconds,
            articlesPerSecond: report.articlesPerSecond, workers: options.workers, store: options.storePath,
            topEntities: top)
    }
}
