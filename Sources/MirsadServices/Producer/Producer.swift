import ArticleAnalysis
import ArticleIngest
import Foundation
import Logging
import MirsadCore
import MirsadWire

/// `mirsad submit`: reads inputs, submits them as one batch, and optionally waits until the batch is stored.
public struct Producer {
    public struct Options: Sendable {
        public var session: SubmitSession.Options
        public var maxArticleBytes = ArticleReader.defaultMaxArticleBytes
        public var wait = false
        /// Give up waiting after this long; nil waits for as long as it takes.
        public var waitTimeout: Duration? = nil
        /// While waiting: how long to wait for each BATCH_STATUS answer, and between two polls. An unanswered
        /// poll is not an error (the dispatcher may be restarting): the next one follows, until `waitTimeout`.
        public var statusTimeout: Duration = .seconds(3)
        public var pollInterval: Duration = .milliseconds(50)
        /// Called as articles are sent and stored (on the producer's thread); nil shows nothing.
        public var onProgress: (@Sendable (ProducerProgress) -> Void)? = nil

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
        /// As the dispatcher last said: milliseconds without any worker (collector) connected, 0 while one is.
        public var noWorkerForMs: UInt64 = 0
        public var noCollectorForMs: UInt64 = 0

        enum CodingKeys: String, CodingKey {
            case batchID = "batch_id", articles, accepted, duplicates, rejected
            case inputProblems = "input_problems", stored, failed, deadLetters = "dead_letters", retrying, seconds
            case articlesPerSecond = "articles_per_second"
            case noWorkerForMs = "no_worker_for_ms", noCollectorForMs = "no_collector_for_ms"
        }
    }

    public struct WaitTimeout: Error, CustomStringConvertible {
        public let batchID: String
        public let timeout: Duration
        public var description: String { "batch \(batchID) was not stored within \(timeout.inSeconds) s" }
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

    /// The batch finished, but the dispatcher holds fewer of its jobs than it acknowledged: jobs were lost (its
    /// journal was deleted or replaced while the batch ran). Submitting the same inputs with the same batch id
    /// again sends exactly the missing ones (the others are duplicates).
    public struct JobsMissing: Error, CustomStringConvertible {
        public let batchID: String
        public let acknowledged: Int
        public let held: Int
        /// Set when the dispatcher's journal identity was seen to change.
        public let journalChange: JournalChange?
        public var missing: Int { acknowledged - held }

        public init(batchID: String, acknowledged: Int, held: Int, journalChange: JournalChange? = nil) {
            self.batchID = batchID
            self.acknowledged = acknowledged
            self.held = held
            self.journalChange = journalChange
        }

        public var description: String {
            let cause = journalChange.map { "its job journal changed from \($0.from) to \($0.to)" }
                ?? "was its journal deleted or replaced?"
            return """
                \(missing) of the \(acknowledged) jobs the dispatcher acknowledged for batch \(batchID) are missing from \
                it (\(cause)); submit the same inputs again with --batch \(batchID) to send them again (jobs it still \
                holds are not run twice)
                """
        }
    }

    /// The dispatcher refused a SUBMIT because its job journal is full. The jobs it acknowledged before are kept;
    /// submitting the same inputs with the same batch id later sends the rest (the others are duplicates).
    public struct StorageFull: Error, CustomStringConvertible {
        public let batchID: String
        public let acknowledged: Int
        public let message: String
        public var description: String {
            """
            the dispatcher refused new jobs: STORAGE_FULL (\(message)); \(acknowledged) jobs of batch \(batchID) were \
            acknowledged before and are kept; when space returns, submit the same inputs again with --batch \(batchID) \
            to send the rest
            """
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
        let started = options.session.clock.monotonic()
        let session = try SubmitSession(options: options.session)
        let progress = options.onProgress ?? { _ in }
        let reader = ArticleReader(maxArticleBytes: options.maxArticleBytes)
        let summary = try reader.read(inputs) { event in
            switch event {
            case .article(let article):
                if options.session.stop.isRequested { throw Interrupted() }
                try session.add(article)
                progress(ProducerProgress(stage: .submitted, done: session.totals.sent, total: nil, isFinal: false))
            case .problem(let problem):
                logger.warning("\(problem)")
            }
        }
        let totals = try session.finish()
        progress(ProducerProgress(stage: .submitted, done: totals.sent, total: nil, isFinal: true))
        for rejection in totals.rejections.prefix(20) {
            logger.warning("rejected: \(rejection)")
        }
        if summary.articles == 0 {
            logger.warning("no articles found in \(inputs.joined(separator: " "))")
        }
        if let warning = session.absence.warning { logger.warning("\(warning)") }
        let acknowledged = totals.accepted + totals.duplicates
        var journalID = session.journalID
        if let change = session.journalChange {
            // Jobs acknowledged under the old journal may be gone: count what the dispatcher holds now.
            logger.warning("the dispatcher's job journal changed from \(change.from) to \(change.to) while submitting")
            let held = try heldJobs(session.batchID)
            if held < acknowledged {
                throw JobsMissing(batchID: session.batchID, acknowledged: acknowledged, held: held, journalChange: change)
            }
        }

        var report = Report(
            batchID: session.batchID, articles: totals.sent, accepted: totals.accepted, duplicates: totals.duplicates,
            rejected: totals.rejected,
            inputProblems: Dictionary(uniqueKeysWithValues: summary.problems.map { ($0.key.rawValue, $0.value) }),
            stored: nil, failed: nil, deadLetters: nil, retrying: nil, seconds: 0, articlesPerSecond: 0)
        report.noWorkerForMs = session.absence.noWorkerFor.map { UInt64(clamping: $0.wholeMilliseconds) } ?? 0
        report.noCollectorForMs = session.absence.noCollectorFor.map { UInt64(clamping: $0.wholeMilliseconds) } ?? 0
        if options.wait && acknowledged > 0 {
            let final = try waitForBatch(session.batchID, acknowledged: acknowledged, journalID: &journalID)
            if Int(final.total) < acknowledged {
                throw JobsMissing(batchID: session.batchID, acknowledged: acknowledged, held: Int(final.total))
            }
            report.stored = Int(final.stored)
            report.failed = Int(final.failed)
            report.deadLetters = Int(final.failed)
            report.retrying = Int(final.retrying)
            report.noWorkerForMs = final.noWorkerForMs
            report.noCollectorForMs = final.noCollectorForMs
        }
        report.seconds = started.duration(to: options.session.clock.monotonic()).inSeconds
        report.articlesPerSecond = report.seconds > 0 ? Double(report.stored ?? report.accepted) / report.seconds : 0
        return report
    }

    /// How many jobs of the batch the dispatcher holds now (one BATCH_STATUS, retried until answered or
    /// `waitTimeout`).
    private func heldJobs(_ batchID: String) throws -> Int {
        let client = try StatusClient(dispatcherEndpoint: options.session.dispatcherEndpoint)
        let clock = options.session.clock
        let started = clock.monotonic()
        while true {
            if options.session.stop.isRequested { throw Interrupted() }
            do {
                let status = try client.batch(batchID, timeout: options.statusTimeout)
                return status.known ? Int(status.total) : 0
            } catch let timeout as RequestClient.Timeout {
                if let limit = options.waitTimeout, started.duration(to: clock.monotonic()) > limit {
                    throw WaitTimeout(batchID: batchID, timeout: limit)
                }
                logger.warning("\(timeout); asking again how many jobs of batch \(batchID) the dispatcher holds")
            }
        }
    }

    /// Polls BATCH_STATUS until the batch is finished (`isFinished`). Unanswered polls are retried until
    /// `waitTimeout`, so a dispatcher that restarts (its journal keeps the batch) does not fail the wait. A reply
    /// naming another journal than `journalID` (the last one seen) ends the wait with `JobsMissing` when the
    /// dispatcher holds fewer than the `acknowledged` jobs.
    private func waitForBatch(
        _ batchID: String, acknowledged: Int, journalID: inout String
    ) throws -> Mirsad_V1_BatchStatusReply {
        let client = try StatusClient(dispatcherEndpoint: options.session.dispatcherEndpoint)
        let progress = options.onProgress ?? { _ in }
        let clock = options.session.clock
        let waitStarted = clock.monotonic()
        var unanswered = 0
        /// When the absence of workers or collectors was last told, so it is repeated every 10 s, not every poll.
        var absenceToldAt: MonotonicInstant?
        while true {
            if options.session.stop.isRequested { throw Interrupted() }
            let elapsed = waitStarted.duration(to: clock.monotonic())
            if let limit = options.waitTimeout, elapsed > limit {
                throw WaitTimeout(batchID: batchID, timeout: limit)
            }
            let pollTimeout = options.waitTimeout.map { max(.milliseconds(50), min(options.statusTimeout, $0 - elapsed)) }
                ?? options.statusTimeout
            let status: Mirsad_V1_BatchStatusReply
            do {
                status = try client.batch(batchID, timeout: pollTimeout)
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
            if !status.journalID.isEmpty, status.journalID != journalID {
                let change = journalID.isEmpty ? nil : JournalChange(from: journalID, to: status.journalID)
                journalID = status.journalID
                if let change {
                    logger.warning("the dispatcher's job journal changed from \(change.from) to \(change.to) while waiting")
                    let held = status.known ? Int(status.total) : 0
                    if held < acknowledged {
                        throw JobsMissing(batchID: batchID, acknowledged: acknowledged, held: held, journalChange: change)
                    }
                }
            }
            guard status.known else {
                throw BatchUnknown(batchID: batchID)
            }
            let finished = Self.isFinished(status)
            let absence = PeerAbsence(noWorkerForMs: status.noWorkerForMs, noCollectorForMs: status.noCollectorForMs)
            if !finished, let warning = absence.warning,
               absenceToldAt.map({ $0.duration(to: clock.monotonic()) >= .seconds(10) }) ?? true {
                logger.warning("\(warning); batch \(batchID) waits")
                absenceToldAt = clock.monotonic()
            } else if absence.isEmpty, absenceToldAt != nil {
                logger.notice("a worker and a collector are connected again")
                absenceToldAt = nil
            }
            progress(ProducerProgress(stage: .stored, done: Int(status.stored), total: Int(status.total), isFinal: finished))
            if finished {
                return status
            }
            Thread.sleep(forTimeInterval: options.pollInterval.inSeconds)
        }
    }

    /// A batch is finished when no job is queued, in flight, retrying or awaiting store: each is stored or
    /// dead-lettered (stored + failed == total).
    public static func isFinished(_ status: Mirsad_V1_BatchStatusReply) -> Bool {
        status.queued == 0 && status.inFlight == 0 && status.retrying == 0 && status.awaitingStore == 0
            && status.stored + status.failed >= status.total
    }
}
