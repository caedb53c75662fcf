import ArticleAnalysis
import Foundation
import Logging
import MirsadProtocol
import Synchronization
import ZeroMQ

/// A worker: takes jobs from the dispatcher by credit, analyses them on a pool of threads, sends the results to
/// the collector, and returns the credit (DONE) once the collector has acknowledged them.
///
/// Invariant: a job is in exactly one of `running` (on the pool), `unacknowledged` (sent to the collector, no
/// RESULTS_ACK yet) or gone (DONE sent); so credit in use = running + unacknowledged <= capacity.
///
/// Leases: every heartbeat interval the worker lists every job in `running` or `unacknowledged` in HEARTBEAT, so
/// the dispatcher keeps them leased to it however long they take; a job it stops listing is taken back.
///
/// Watchdog: an analysis running longer than `jobTimeoutNanoseconds` is reported failed in DONE (not permanent:
/// another attempt may finish) and its thread is given up for lost. A worker with a lost thread is dead: it stops
/// taking jobs, finishes and delivers what the other threads run (within the shutdown grace period), hands the rest
/// back with BYE, and `run` returns `.stuck`, for the process to exit with `stuckExitStatus` and be restarted.
///
/// After the dispatcher restarts, the worker says HELLO again with its full capacity while it may still hold jobs
/// from before. It keeps them (and keeps listing them in heartbeats, and returns their credit with DONE when they
/// are done) and takes whatever the new session sends as well: dropping or failing a job it was given would cost
/// that job a lease period or an attempt, while holding both costs at most `2 * capacity` jobs of memory for as
/// long as the earlier jobs take. v1 HELLO cannot announce less than the capacity, so nothing better is possible
/// without handing jobs back one by one, which the protocol has no message for.
public final class WorkerService {
    public struct Configuration: Sendable {
        public var dispatcherEndpoint: String
        /// Where results go; when nil, the collector endpoint from the dispatcher's WELCOME.
        public var collectorEndpoint: String?
        public var threads: Int
        /// Jobs held at once: running, queued on the pool, and awaiting the collector's acknowledgement.
        public var capacity: Int
        /// Results not acknowledged by the collector within this time are sent again.
        public var resendAfterNanoseconds: UInt64 = 10_000_000_000
        /// On shutdown, how long to wait for running jobs and acknowledgements.
        public var shutdownGraceNanoseconds: UInt64 = 10_000_000_000
        /// An analysis running longer than this is reported failed and its thread given up (`--job-timeout`).
        public var jobTimeoutNanoseconds: UInt64 = 300_000_000_000
        /// The worker's id; when nil, a new one (`WorkerService.makeID()`). A supervisor names its children.
        public var workerID: String? = nil
        /// The id of this worker's previous process, which died (HELLO `replaces`); empty for a first start.
        public var replaces: String = ""
        /// Jobs the previous process was analysing when it crashed (HELLO `crashed`).
        public var crashed: [Mirsad_V1_JobFailure] = []
        /// Test-only crash and hang switches; none by default.
        public var testFaults = TestFaults()
        /// What is done with each article: the analysis core, or a benchmark's stand-in.
        public var analysis = WorkerAnalysis.full

        public init(dispatcherEndpoint: String, collectorEndpoint: String? = nil, threads: Int, capacity: Int? = nil) {
            self.dispatcherEndpoint = dispatcherEndpoint
            self.collectorEndpoint = collectorEndpoint
            self.threads = max(threads, 1)
            self.capacity = min(max(capacity ?? max(256, self.threads * 128), 1), ProtocolLimits.maxCredit)
        }
    }

    private struct PoolOutcome: Sendable {
        var jobID: String
        var result: Result<EncodedResult, WorkerJobFailure>
    }

    private struct WorkerJobFailure: Error, Sendable {
        var message: String
        /// Another attempt cannot succeed (the article cannot be read).
        var permanent = false
    }

    /// How `run` ended.
    public enum Outcome: Sendable, Equatable {
        /// Shutdown was requested and the worker stopped.
        case stopped
        /// These analyses did not finish within the job timeout; their threads are lost and the process should
        /// exit (with `WorkerService.stuckExitStatus`) so that a fresh one takes over.
        case stuck(jobIDs: [String])
    }

    /// The exit status of a worker process that gave up because an analysis hung (EX_TEMPFAIL): the supervisor
    /// restarts it.
    public static let stuckExitStatus: Int32 = 75

    private struct Unacknowledged {
        var result: EncodedResult
        var sentAt: UInt64
    }

    public let id: String
    private let configuration: Configuration
    private let analyzer: ArticleAnalyzer
    private let logger: Logger
    private let setup = SocketSetup(maxMessageSize: Defaults.socketMaxMessageSize)

    public init(configuration: Configuration, analyzer: ArticleAnalyzer, logger: Logger) {
        self.configuration = configuration
        self.analyzer = analyzer
        self.logger = logger
        self.id = configuration.workerID ?? Self.makeID()
    }

    /// A new worker id: host, process id and a random part, so that a restarted process never reuses one.
    public static func makeID(pid: Int32 = getpid()) -> String {
        "\(ProcessInfo.processInfo.hostName)-\(pid)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Runs until shutdown is requested (SIGTERM/SIGINT) or an analysis hangs, then finishes what it holds within
    /// the grace period and says BYE. `ready` is called with the worker's id when the dispatcher first welcomes it.
    @discardableResult
    public func run(ready: (String) -> Void = { _ in }) throws -> Outcome {
        let context = try ZMQContext()
        /// Set (by the pool's `defer`) when a pool thread is still busy at the end, hung: its socket keeps the
        /// context from terminating, so the context is left as it is.
        var abandoned = false
        defer {
            if abandoned {
                // The hung thread's socket keeps the context from terminating, and only termination waits for the
                // sockets' linger: give libzmq's I/O thread a bounded moment to send the DONE failure and BYE.
                Thread.sleep(forTimeInterval: 0.5)
            } else {
                context.shutdown()
            }
        }
        let dispatcher = try DispatcherLink(
            context: context, setup: setup, endpoint: configuration.dispatcherEndpoint, role: .worker, id: id,
            capacity: configuration.capacity, replaces: configuration.replaces, crashed: configuration.crashed,
            logger: logger)
        if !configuration.replaces.isEmpty {
            logger.notice("worker \(id) replaces \(configuration.replaces); \(configuration.crashed.count) jobs reported crashed")
        }
        var collector: Socket? = nil
        var collectorEndpoint = configuration.collectorEndpoint
        if let endpoint = collectorEndpoint {
            collector = try setup.connectedDealer(context, endpoint: endpoint, identity: Array(id.utf8))
        }
        let workerID = id
        let analyzer = self.analyzer
        let faults = configuration.testFaults
        let mode = configuration.analysis
        let collectorTakesZlib = CollectorCapabilities()
        let pool = try AnalysisPool<EncodedJob, PoolOutcome>(context: context, threads: configuration.threads, name: "worker") { job in
            CrashReporter.whileRunning(job.jobID) {
                Self.analyse(job, mode: mode, analyzer: analyzer, workerID: workerID, faults: faults,
                             compress: collectorTakesZlib.takesZlib.load(ordering: .relaxed))
            }
        }
        defer {
            // A thread still busy now (hung, or past the grace period) cannot be waited for.
            if pool.running.isEmpty {
                pool.shutdown()
            } else {
                abandoned = true
                pool.abandon()
            }
        }

        var problems = ProblemLog()
        var running = Set<String>()
        var unacknowledged: [String: Unacknowledged] = [:]
        /// Jobs whose analysis overran the job timeout: reported failed, their threads lost.
        var lost: [String] = []
        var shuttingDownSince: UInt64? = nil
        var welcomed = false
        let timeoutText = Self.seconds(configuration.jobTimeoutNanoseconds)

        logger.info("worker \(workerID) started: \(configuration.threads) threads, capacity \(configuration.capacity), dispatcher \(configuration.dispatcherEndpoint)")

        /// Sends results in RESULTS messages kept under the frame limit (a frame above it would be dropped by the
        /// collector's socket, silently and on every resend).
        func sendResults(_ results: [EncodedResult]) throws {
            guard let collector, !results.isEmpty else { return }
            let now = MonotonicClock.now()
            for group in MessageBatching.split(results, size: \.sizeInMessage) {
                try collector.send(EncodedResult.resultsMessage(group))
                for r in group { unacknowledged[r.jobID] = Unacknowledged(result: r, sentAt: now) }
            }
        }

        func sendDone(_ ids: [String], failures: [Mirsad_V1_JobFailure]) throws {
            guard !ids.isEmpty || !failures.isEmpty else { return }
            var body = Mirsad_V1_Done()
            body.jobIds = ids
            body.failures = failures
            try dispatcher.send(.done(body))
        }

        /// Stops taking jobs; those no thread has started go back (BYE makes the dispatcher requeue every job
        /// still held).
        func beginShutdown(_ why: String, at now: UInt64) {
            guard shuttingDownSince == nil else { return }
            shuttingDownSince = now
            let handedBack = pool.withdrawWaiting()
            for job in handedBack { running.remove(job.jobID) }
            logger.info("\(why): finishing \(running.count) jobs, handing back \(handedBack.count), \(unacknowledged.count) results unacknowledged")
        }

        while true {
            let now = MonotonicClock.now()
            if ShutdownSignal.isRequested { beginShutdown("shutting down", at: now) }

            // Watchdog: an analysis past the job timeout fails, and its lost thread makes this worker a dead one.
            let overdue = pool.overdue(longerThan: configuration.jobTimeoutNanoseconds, now: now)
                .map(\.input.jobID).filter { running.contains($0) }
            if !overdue.isEmpty {
                var failures: [Mirsad_V1_JobFailure] = []
                for jobID in overdue {
                    running.remove(jobID)
                    lost.append(jobID)
                    var failure = Mirsad_V1_JobFailure()
                    failure.jobID = jobID
                    failure.error = "analysis did not finish within \(timeoutText)"
                    failures.append(failure)
                }
                logger.error("analysis of \(overdue.joined(separator: ", ")) did not finish within \(timeoutText); its thread is lost, the worker stops")
                try sendDone([], failures: failures)
                beginShutdown("stopping after a hung analysis", at: now)
            }

            if let since = shuttingDownSince {
                let idle = running.isEmpty && unacknowledged.isEmpty
                if idle || now - since > configuration.shutdownGraceNanoseconds { break }
            }

            var poller = Poller()
            poller.register(dispatcher.socket)
            poller.register(pool.doorbell)
            if let collector { poller.register(collector) }
            let events = try poller.poll(timeoutMilliseconds: 100)

            // Jobs and control from the dispatcher.
            if events[0].contains(.readable) {
                while let decoded = try dispatcher.receive(problems: &problems) {
                    switch decoded {
                    case .welcome(let welcome):
                        if !welcomed {
                            welcomed = true
                            ready(workerID)
                        }
                        if collector == nil, !welcome.collectorEndpoint.isEmpty {
                            collectorEndpoint = welcome.collectorEndpoint
                            collector = try setup.connectedDealer(context, endpoint: welcome.collectorEndpoint, identity: Array(workerID.utf8))
                            logger.info("sending results to \(welcome.collectorEndpoint)")
                        }
                    case .jobsView(let jobs):
                        if shuttingDownSince != nil {
                            // Hand them straight back: the dispatcher requeues a BYE'd worker's jobs.
                            continue
                        }
                        // Only the job ids are read here; each job is decoded on the thread that analyses it.
                        var fresh: [EncodedJob] = []
                        for bytes in jobs.jobs {
                            do {
                                let job = try EncodedJob(bytes: bytes)
                                guard !running.contains(job.jobID), unacknowledged[job.jobID] == nil else { continue }
                                running.insert(job.jobID)
                                fresh.append(job)
                            } catch {
                                // Without its id the job cannot be reported; its lease lapses and the dispatcher
                                // counts a failed attempt.
                                problems.refused("a job in JOBS is unreadable: \(error)", peer: nil, logger: logger)
                            }
                        }
                        pool.submit(fresh)
                    default:
                        problems.refused("\(decoded.command) is not sent to workers", peer: nil, logger: logger)
                    }
                }
            }

            // Finished analyses.
            if events[1].contains(.readable) {
                let finished = pool.takeFinished()
                var results: [EncodedResult] = []
                var failures: [Mirsad_V1_JobFailure] = []
                // A job given up by the watchdog that finishes after all was reported failed already.
                for outcome in finished where running.remove(outcome.jobID) != nil {
                    switch outcome.result {
                    case .success(let result): results.append(result)
                    case .failure(let failure):
                        var f = Mirsad_V1_JobFailure()
                        f.jobID = outcome.jobID
                        f.error = failure.message
                        f.permanent = failure.permanent
                        failures.append(f)
                    }
                }
                if collector == nil && !results.isEmpty {
                    logger.error("no collector endpoint known yet; holding \(results.count) results")
                    for r in results { unacknowledged[r.jobID] = Unacknowledged(result: r, sentAt: 0) }
                } else {
                    try sendResults(results)
                }
                try sendDone([], failures: failures)
            }

            // Acknowledgements from the collector: the credit goes back to the dispatcher.
            if let collector, events.count > 2, events[2].contains(.readable) {
                var acknowledged: [String] = []
                while let decoded = try collector.receiveDecoded(problems: &problems, logger: logger) {
                    switch decoded {
                    case .resultsAck(let ack):
                        collectorTakesZlib.takesZlib.store(ack.takesZlib, ordering: .relaxed)
                        for id in ack.jobIds where unacknowledged.removeValue(forKey: id) != nil {
                            acknowledged.append(id)
                        }
                    case .error(let error):
                        logger.error("collector refused results: \(error.code) \(error.message)")
                    default:
                        problems.refused("\(decoded.command) is not sent to workers by a collector", peer: nil, logger: logger)
                    }
                }
                for chunk in acknowledged.chunked(by: ProtocolLimits.maxIDsPerMessage) {
                    try sendDone(chunk, failures: [])
                }
            }

            // Timers: resend what the collector has not acknowledged, heartbeat, and notice a silent dispatcher.
            let after = MonotonicClock.now()
            if collector != nil {
                let stale = unacknowledged.values.filter { after > $0.sentAt && after - $0.sentAt > configuration.resendAfterNanoseconds }.map(\.result)
                if !stale.isEmpty {
                    logger.notice("resending \(stale.count) results the collector has not acknowledged")
                    try sendResults(stale)
                }
            }
            try dispatcher.maintain(heldJobs: { Array(running) + Array(unacknowledged.keys) })
        }

        dispatcher.close(reason: lost.isEmpty ? "shutdown" : "analysis hung")
        collector?.close()
        if lost.isEmpty {
            logger.info("worker \(workerID) stopped")
            return .stopped
        }
        logger.error("worker \(workerID) stopped: \(lost.count) analyses hung")
        return .stuck(jobIDs: lost)
    }

    /// "300 s", "0.5 s".
    private static func seconds(_ nanoseconds: UInt64) -> String {
        nanoseconds % 1_000_000_000 == 0 ? "\(nanoseconds / 1_000_000_000) s" : "\(Double(nanoseconds) / 1e9) s"
    }

    /// What the collector has said it takes; written by the loop's thread, read by the analysis threads.
    private final class CollectorCapabilities: Sendable {
        /// RESULTS_ACK `takes_zlib`: results may carry their analysis compressed (protocol revision 2).
        let takesZlib = Atomic<Bool>(false)
    }

    /// Runs the analysis for one job and turns it into the RESULT that goes to the collector: its analysis
    /// compressed when `compress` (the collector takes it) and the job asked for no tokens.
    private static func analyse(
        _ encoded: EncodedJob, mode: WorkerAnalysis, analyzer: ArticleAnalyzer, workerID: String, faults: TestFaults,
        compress: Bool
    ) -> PoolOutcome {
        let received = WallClock.nowMilliseconds()
        let job: Mirsad_V1_Job
        do {
            job = try encoded.decoded()
        } catch {
            return PoolOutcome(jobID: encoded.jobID, result: .failure(WorkerJobFailure(message: "the job does not decode: \(error)", permanent: true)))
        }
        let started = MonotonicClock.now()
        var result = Mirsad_V1_Result()
        switch mode {
        case .full:
            let article: Article
            do {
                article = try Article(wire: job.article)
            } catch {
                return PoolOutcome(jobID: job.jobID, result: .failure(WorkerJobFailure(message: "invalid article: \(error)", permanent: true)))
            }
            faults.strike(article)
            let analysis = Mirsad_V1_Analysis(
                analyzer.analyze(article), includeTokens: job.options.includeTokens,
                includeNormalizedText: job.options.includeNormalizedText)
            if compress && !job.options.includeTokens {
                do {
                    try result.setCompressedAnalysis(analysis)
                } catch {
                    return PoolOutcome(jobID: job.jobID, result: .failure(WorkerJobFailure(message: "result could not be encoded: \(error)")))
                }
            } else {
                result.analysis = analysis
            }
        case .none:
            break
        case .sleep(let duration):
            Thread.sleep(forTimeInterval: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
        }
        let micros = (MonotonicClock.now() - started) / 1_000
        result.jobID = job.jobID
        result.batchID = job.batchID
        result.article = job.article.metadata
        result.workerID = workerID
        var timings = Mirsad_V1_Timings()
        timings.analysisUs = micros
        timings.receivedUnixMs = UInt64(received)
        timings.finishedUnixMs = UInt64(WallClock.nowMilliseconds())
        result.timings = timings
        do {
            return PoolOutcome(jobID: job.jobID, result: .success(try EncodedResult(result)))
        } catch {
            return PoolOutcome(jobID: job.jobID, result: .failure(WorkerJobFailure(message: "result could not be encoded: \(error)")))
        }
    }
}
