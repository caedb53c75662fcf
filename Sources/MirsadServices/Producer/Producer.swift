import ArticleAnalysis
import ArticleIngest
import Foundation
import Logging
import MirsadProtocol

/// `mirsad submit`: reads inputs, submits them as one batch, and optionally waits until the batch is stored.
public struct Producer {
    public struct Options: Sendable {
        public var session: SubmitSession.Options
        public var maxArticleBytes = ArticleReader.defaultMaxArticleBytes
        public var wait = false
        /// Give up waiting after this long; nil waits for as long as it takes.
        public var waitTimeoutSeconds: Double? = nil
        /// While waiting: seconds to wait for each BATCH_STATUS answer, and between two polls. An unanswered poll
        /// is not an error (the dispatcher may be restarting): the next one follows, until `waitTimeoutSeconds`.
        public var statusTimeoutSeconds: Double = 3
        public var pollIntervalSeconds: Double = 0.2
        public var progress: ProgressReporter.Style? = nil
        /// Asks a run in progress to stop (it then throws `Interrupted`).
        public var stop = StopRequest()

        public init(session: SubmitSession.Options) {
            self.session = session
        }
    }

    /// What happened to a batch: `--json` prints this (field names are documented in the README).
    public struct Report: Sendable, Codable, Equatable {
        public var batchID: String
        /// Articles read from the inputs and sent.
        public var articles: Int
        public var accepted: Int
        public var duplicates: Int
        public var rejected: Int
        /// Input problems by kind (`malformed_json`, `empty`, `binary`, ...).
        public var inputProblems: [String: Int]
        /// Set when the report waited for the batch: results stored, and jobs dead-lettered (`failed` and
        /// `dead_letters` carry the same number; see `mirsad dlq`).
        public var stored: Int?
        public var failed: Int?
        public var deadLetters: Int?
        /// Jobs that failed at least once and were waiting for another attempt when the wait ended (0 unless the
        /// wait timed out).
        public var retrying: Int?
        public var seconds: Double
        public var articlesPerSecond: Double

        enum CodingKeys: String, CodingKey {
            case batchID = "batch_id", articles, accepted, duplicates, rejected
            case inputProblems = "input_problems", stored, failed, deadLetters = "dead_letters", retrying, seconds
            case articlesPerSecond = "articles_per_second"
        }
    }

    public struct WaitTimeout: Error, CustomStringConvertible {
        public let batchID: String
        public let seconds: Double
        public var description: String { "batch \(batchID) was not stored within \(seconds) s" }
    }

    public struct Interrupted: Error, CustomStringConvertible {
        public var description: String { "interrupted" }
    }

    /// The dispatcher answered but does not know the batch: it lost its jobs (restarted without a journal, or with
    /// `--journal :memory:`), so waiting longer cannot help.
    public struct BatchUnknown: Error, CustomStringConvertible {
        public let batchID: String
        public var description: String {
            "the dispatcher no longer knows batch \(batchID) (was it restarted without its journal?); submit it again with --batch \(batchID)"
        }
    }

    public let options: Options
    private let logger: Logger

    public init(options: Options, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Reads, submits and (with `wait`) waits. Input problems are logged as they are found, never fatal.
    public func run(inputs: [String]) throws -> Report {
        let started = MonotonicClock.now()
        var sessionOptions = options.session
        sessionOptions.stop = options.stop
        let session = try SubmitSession(options: sessionOptions)
        var progress = ProgressReporter(style: options.progress, now: started)
        let reader = ArticleReader(maxArticleBytes: options.maxArticleBytes)
        let summary = try reader.read(inputs) { event in
            switch event {
            case .article(let article):
                if options.stop.isRequested { throw Interrupted() }
                try session.add(article)
                progress.update(label: "submitted", done: session.totals.sent, total: nil)
            case .problem(let problem):
                logger.warning("\(problem)")
            }
        }
        let totals = try session.finish()
        progress.update(label: "submitted", done: totals.sent, total: nil, force: true)
        progress.finish()
        for rejection in totals.rejections.prefix(20) {
            logger.warning("rejected: \(rejection)")
        }
        if summary.articles == 0 {
            logger.warning("no articles found in \(inputs.joined(separator: " "))")
        }

        var report = Report(
            batchID: session.batchID, articles: totals.sent, accepted: totals.accepted, duplicates: totals.duplicates,
            rejected: totals.rejected,
            inputProblems: Dictionary(uniqueKeysWithValues: summary.problems.map { ($0.key.rawValue, $0.value) }),
            stored: nil, failed: nil, deadLetters: nil, retrying: nil, seconds: 0, articlesPerSecond: 0)
        if options.wait && totals.accepted + totals.duplicates > 0 {
            let final = try waitForBatch(session.batchID, since: started)
            report.stored = Int(final.stored)
            report.failed = Int(final.failed)
            report.deadLetters = Int(final.failed)
            report.retrying = Int(final.retrying)
        }
        report.seconds = Double(MonotonicClock.now() - started) / 1e9
        report.articlesPerSecond = report.seconds > 0 ? Double(report.stored ?? report.accepted) / report.seconds : 0
        return report
    }

    /// Polls BATCH_STATUS until the batch is finished (`isFinished`). Unanswered polls are retried until
    /// `waitTimeoutSeconds`, so a dispatcher that restarts (its journal keeps the batch) does not fail the wait.
    private func waitForBatch(_ batchID: String, since started: UInt64) throws -> Mirsad_V1_BatchStatusReply {
        let client = try StatusClient(dispatcherEndpoint: options.session.dispatcherEndpoint)
        var progress = ProgressReporter(style: options.progress, now: started)
        let waitStarted = MonotonicClock.now()
        var unanswered = 0
        while true {
            if options.stop.isRequested { throw Interrupted() }
            let elapsed = Double(MonotonicClock.now() - waitStarted) / 1e9
            if let limit = options.waitTimeoutSeconds, elapsed > limit {
                progress.finish()
                throw WaitTimeout(batchID: batchID, seconds: limit)
            }
            let pollTimeout = options.waitTimeoutSeconds.map { max(0.05, min(options.statusTimeoutSeconds, $0 - elapsed)) }
                ?? options.statusTimeoutSeconds
            let status: Mirsad_V1_BatchStatusReply
            do {
                status = try client.batch(batchID, timeoutSeconds: pollTimeout)
            } catch let timeout as RequestClient.Timeout {
                unanswered += 1
                if unanswered == 1 || unanswered % 10 == 0 {
                    logger.warning("\(timeout); still waiting for batch \(batchID)")
                }
                continue
            }
            if unanswered > 0 {
                logger.info("the dispatcher answers again")
                unanswered = 0
            }
            guard status.known else {
                throw BatchUnknown(batchID: batchID)
            }
            let finished = Self.isFinished(status)
            progress.update(label: "stored", done: Int(status.stored), total: Int(status.total), force: finished)
            if finished {
                progress.finish()
                return status
            }
            usleep(UInt32(options.pollIntervalSeconds * 1e6))
        }
    }

    /// A batch is finished when no job is queued, in flight, retrying or awaiting store: each is stored or
    /// dead-lettered (stored + failed == total).
    public static func isFinished(_ status: Mirsad_V1_BatchStatusReply) -> Bool {
        status.queued == 0 && status.inFlight == 0 && status.retrying == 0 && status.awaitingStore == 0
            && status.stored + status.failed >= status.total
    }
}
