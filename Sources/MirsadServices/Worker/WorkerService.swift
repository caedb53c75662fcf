import ArticleAnalysis
import Foundation
import Logging
import MirsadCore
import MirsadWire
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// A worker: takes jobs from the dispatcher by credit, analyses them on a pool of threads, sends the results to
/// the collector, and returns the credit (DONE) once the collector has acknowledged them.
///
/// The logic (credit, leases, resends, the watchdog, shutdown) is `WorkerStateMachine`'s and the session's is
/// `DispatcherLinkStateMachine`'s; this service is the socket loop around them, on a thread of its own
/// (`runOnLoopThread`). A graceful shutdown of its `ServiceGroup` stops it as the worker machine prescribes: no more
/// jobs, those no thread started handed back, the rest finished and delivered within `shutdownGrace`, then BYE.
/// Cancellation ends it at once.
///
/// A worker whose analysis hung ends `.stuck` (see `outcome`): its process should exit with `stuckExitStatus`, for
/// its supervisor to start a fresh one.
public final class WorkerService: Service, Sendable {
    public struct Configuration: Sendable {
        public var dispatcherEndpoint: String
        /// Where results go; when nil, the collector endpoint from the dispatcher's WELCOME.
        public var collectorEndpoint: String?
        public var threads: Int
        /// Jobs held at once: running, queued on the pool, and awaiting the collector's acknowledgement.
        public var capacity: Int
        /// Results not acknowledged by the collector within this time are sent again.
        public var resendAfter: Duration = .seconds(10)
        /// On shutdown, how long to wait for running jobs and acknowledgements.
        public var shutdownGrace: Duration = .seconds(10)
        /// An analysis running longer than this is reported failed and its thread given up (`--job-timeout`).
        public var jobTimeout: Duration = .seconds(300)
        /// The worker's id; when nil, a new one (`WorkerService.makeID()`). A supervisor names its children.
        public var workerID: String? = nil
        /// The id of this worker's previous process, which died (HELLO `replaces`); empty for a first start.
        public var replaces: String = ""
        /// Jobs the previous process was analysing when it crashed (HELLO `crashed`).
        public var crashed: [Mirsad_V1_JobFailure] = []
        /// Called on the analysis thread with each article just before it is analysed; the command line's test-only
        /// crash and hang switches use it. Nil (the normal case): nothing.
        public var beforeAnalysis: (@Sendable (Article) -> Void)? = nil
        /// Called on the analysis thread with each article's analysis before it goes into the result; the command
        /// line's test-only switch for unreadable results uses it. Nil (the normal case): nothing.
        public var afterAnalysis: (@Sendable (Article, inout Mirsad_V1_Analysis) -> Void)? = nil
        /// What is done with each article: the analysis core, or a benchmark's stand-in.
        public var analysis = WorkerAnalysis.full
        /// The worker's key and the dispatcher's public key: CURVE on the link to the dispatcher when set.
        public var dispatcherSecurity: ClientSecurity?
        /// The worker's key and the collector's public key: CURVE on the connection to the collector when set.
        public var collectorSecurity: ClientSecurity?
        /// Told of analyses ended and results acknowledged (the metrics); nil for none.
        public var observer: (any WorkerObserver)?

        public init(dispatcherEndpoint: String, collectorEndpoint: String? = nil, threads: Int, capacity: Int? = nil) {
            self.dispatcherEndpoint = dispatcherEndpoint
            self.collectorEndpoint = collectorEndpoint
            self.threads = max(threads, 1)
            self.capacity = min(max(capacity ?? max(256, self.threads * 128), 1), ProtocolLimits.maxCredit)
        }

        var limits: WorkerLimits {
            WorkerLimits(capacity: capacity, resendAfter: resendAfter, shutdownGrace: shutdownGrace, jobTimeout: jobTimeout)
        }
    }

    /// How `run` ended.
    public typealias Outcome = WorkerOutcome

    /// The exit status of a worker process that gave up because an analysis hung (EX_TEMPFAIL): the supervisor
    /// restarts it.
    public static let stuckExitStatus: Int32 = 75

    private typealias Machine = WorkerStateMachine<EncodedJob, EncodedResult>

    public let id: String
    private let configuration: Configuration
    private let analyzer: ArticleAnalyzer
    private let logger: Logger
    private let clock: ServiceClock
    private let ready: @Sendable (String) -> Void
    private let stop = StopRequest()
    private let ended = Mutex<Outcome?>(nil)
    private let setup = SocketSetup(maxMessageSize: Defaults.socketMaxMessageSize)

    /// `ready` is called with the worker's id when the dispatcher first welcomes it.
    public init(
        configuration: Configuration, analyzer: ArticleAnalyzer, logger: Logger, clock: ServiceClock = .system,
        ready: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.analyzer = analyzer
        self.logger = logger
        self.clock = clock
        self.ready = ready
        self.id = configuration.workerID ?? Self.makeID()
    }

    /// A new worker id: host, process id and a random part, so that a restarted process never reuses one.
    public static func makeID(pid: Int32 = getpid()) -> String {
        "\(ProcessInfo.processInfo.hostName)-\(pid)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// How the last run ended; nil before a run has returned (or when it threw).
    public var outcome: Outcome? { ended.withLock { $0 } }

    /// Serves until a graceful shutdown or a hung analysis, then finishes what it holds within the grace period
    /// and says BYE. The outcome is kept in `outcome`.
    public func run() async throws {
        let context = try ZMQContext()
        let outcome = try await runOnLoopThread(name: "mirsad-worker", context: context, stop: stop) { [self] in
            try serve(context: context)
        }
        ended.withLock { $0 = outcome }
    }

    /// The socket loop: dispatcher link, collector DEALER and analysis pool, around the worker's state machine.
    private func serve(context: ZMQContext) throws -> Outcome {
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
        let clock = self.clock
        let dispatcher = try DispatcherLink(
            context: context, setup: setup, endpoint: configuration.dispatcherEndpoint, role: .worker, id: id,
            capacity: configuration.capacity, replaces: configuration.replaces, crashed: configuration.crashed,
            curve: configuration.dispatcherSecurity, clock: clock, logger: logger)
        if !configuration.replaces.isEmpty {
            logger.notice("worker \(id) replaces \(configuration.replaces); \(configuration.crashed.count) jobs reported crashed")
        }
        var collector: CollectorConnection? = nil
        if let endpoint = configuration.collectorEndpoint {
            collector = try CollectorConnection(
                context: context, setup: setup, endpoint: endpoint, curve: configuration.collectorSecurity)
        }
        let workerID = id
        let analyzer = self.analyzer
        let hooks = AnalysisHooks(before: configuration.beforeAnalysis, after: configuration.afterAnalysis)
        let mode = configuration.analysis
        let collectorTakes = CollectorCapabilities()
        let pool = try AnalysisPool<EncodedJob, AnalysisOutcome<EncodedResult>>(
            context: context, threads: configuration.threads, name: "worker", now: clock.monotonic, lane: { $0.batchID }
        ) { job in
            CrashReporter.whileRunning(job.jobID) {
                Self.analyse(job, mode: mode, analyzer: analyzer, workerID: workerID, hooks: hooks, clock: clock,
                             compression: collectorTakes.compression)
            }
        }
        defer {
            // After an error or a cancellation, jobs no thread has started are dropped, not analysed for no one (a
            // graceful stop took them back already). A thread still busy now (hung, or past the grace period)
            // cannot be waited for.
            _ = pool.withdrawWaiting()
            if pool.running.isEmpty {
                pool.shutdown()
            } else {
                abandoned = true
                pool.abandon()
            }
        }

        var machine = Machine(limits: configuration.limits, collectorKnown: collector != nil)
        var problems = ProblemLog()
        var finished: Outcome? = nil
        let ready = self.ready
        let notifier = SystemdNotifier()

        func perform(_ actions: [Machine.Action]) throws {
            var queue = actions[...]
            while let action = queue.popFirst() {
                switch action {
                case .ready:
                    ready(workerID)
                case .connectCollector(let endpoint):
                    collector = try CollectorConnection(
                        context: context, setup: setup, endpoint: endpoint, curve: configuration.collectorSecurity)
                case .analyse(let jobs):
                    pool.submit(jobs)
                case .sendResults(let results, let workerIdle):
                    // Never waits: results the collector does not take now are sent again on the resend timer.
                    _ = try collector?.socket.send(EncodedResult.resultsMessage(results, workerIdle: workerIdle), dontWait: true)
                case .sendDone(let jobIDs, let failures, let workerIdle):
                    var body = Mirsad_V1_Done()
                    body.jobIds = jobIDs
                    body.failures = failures
                    body.workerIdle = workerIdle
                    try dispatcher.send(.done(body))
                case .withdrawWaiting:
                    queue += machine.withdrawn(pool.withdrawWaiting().map(\.jobID), now: clock.monotonic())
                case .notice(let notice):
                    log(notice)
                case .finish(let outcome):
                    finished = outcome
                }
            }
        }

        logger.info("worker \(workerID) started: \(configuration.threads) threads, capacity \(configuration.capacity), dispatcher \(configuration.dispatcherEndpoint)")

        var journalWatch = JournalIdentityWatch()
        // Ready for systemd once the loop runs: waiting for a dispatcher that is not up yet is normal work (the
        // loop keeps trying, and keeps the watchdog fed), not a start that hangs.
        notifier.ready()
        while finished == nil {
            notifier.watchdog()
            if stop.isRequested { try perform(machine.stopRequested(now: clock.monotonic())) }
            try perform(machine.tick(now: clock.monotonic(), analysesRunning: pool.running.map { ($0.input.jobID, $0.since) }))
            if finished != nil { break }

            var poller = Poller()
            poller.register(dispatcher.socket)
            poller.register(pool.doorbell)
            if let collector {
                poller.register(collector.socket)
                poller.register(collector.eventSocket)
            }
            let events = try poller.poll(timeout: .milliseconds(100))

            // Jobs and control from the dispatcher.
            if events[0].contains(.readable) {
                while let decoded = try dispatcher.receive(problems: &problems) {
                    switch decoded {
                    case .welcome(let welcome):
                        if let change = journalWatch.welcomed(journalID: welcome.journalID) { logger.warning("\(change)") }
                        try perform(machine.welcomed(collectorEndpoint: welcome.collectorEndpoint, now: clock.monotonic()))
                    case .jobsView(let jobs):
                        // Only the job ids are read here; each job is decoded on the thread that analyses it.
                        var readable: [EncodedJob] = []
                        for bytes in jobs.jobs {
                            do {
                                readable.append(try EncodedJob(bytes: bytes))
                            } catch {
                                // Without its id the job cannot be reported; its lease lapses and the dispatcher
                                // counts a failed attempt.
                                problems.refused("a job in JOBS is unreadable: \(error)", peer: nil, logger: logger)
                            }
                        }
                        try perform(machine.received(jobs: readable, now: clock.monotonic()))
                    default:
                        problems.refused("\(decoded.command) is not sent to workers", peer: nil, logger: logger)
                    }
                }
            }

            // Finished analyses.
            if events[1].contains(.readable) {
                let outcomes = pool.takeFinished()
                if let observer = configuration.observer {
                    let failed = outcomes.count { if case .failure = $0.result { true } else { false } }
                    observer.analysed(succeeded: outcomes.count - failed, failed: failed)
                }
                try perform(machine.analysed(outcomes, now: clock.monotonic()))
            }

            // Acknowledgements from the collector: the credit goes back to the dispatcher.
            if let collector, events.count > 2, events[2].contains(.readable) {
                var acknowledged: [String] = []
                var refused: [Mirsad_V1_RefusedResult] = []
                while let decoded = try collector.socket.receiveDecoded(problems: &problems, logger: logger) {
                    switch decoded {
                    case .resultsAck(let ack):
                        collectorTakes.takesZlib.store(ack.takesZlib, ordering: .relaxed)
                        collectorTakes.zstdDictionary.store(ack.zstdDictionary, ordering: .relaxed)
                        acknowledged += ack.jobIds
                        refused += ack.refused
                    case .error(let error):
                        logger.error("collector refused results: \(error.code) \(error.message)")
                    default:
                        problems.refused("\(decoded.command) is not sent to workers by a collector", peer: nil, logger: logger)
                    }
                }
                configuration.observer?.acknowledged(stored: acknowledged.count, refused: refused.count)
                try perform(machine.acknowledged(acknowledged, now: clock.monotonic()))
                if !refused.isEmpty { try perform(machine.refused(refused, now: clock.monotonic())) }
            }

            // The collector's connection broke or came back: after a break, unacknowledged results go out again.
            if let collector, events.count > 3, events[3].contains(.readable) {
                for change in try collector.changes() {
                    switch change {
                    case .lost: try perform(machine.collectorDisconnected(now: clock.monotonic()))
                    case .established:
                        // Revision 5: an empty RESULTS asks the collector what it takes (its RESULTS_ACK says), so
                        // that results go compressed from the first one; a collector of an earlier revision
                        // ignores it.
                        _ = try collector.socket.send(EncodedResult.resultsMessage([]), dontWait: true)
                        try perform(machine.collectorConnected(now: clock.monotonic()))
                    }
                }
            }

            // Heartbeats, lease renewals, and a silent dispatcher.
            try dispatcher.maintain(heldJobs: { machine.heldJobIDs })
        }

        let outcome = finished ?? .stopped
        dispatcher.close(reason: outcome == .stopped ? "shutdown" : "analysis hung")
        collector?.close()
        switch outcome {
        case .stopped: logger.info("worker \(workerID) stopped")
        case .stuck(let jobIDs): logger.error("worker \(workerID) stopped: \(jobIDs.count) analyses hung")
        }
        return outcome
    }

    private func log(_ notice: WorkerNotice) {
        switch notice {
        case .sendingResults(let endpoint):
            logger.info("sending results to \(endpoint)")
        case .holdingResults(let count):
            logger.error("no collector endpoint known yet; holding \(count) results")
        case .resending(let count):
            logger.notice("resending \(count) results the collector has not acknowledged")
        case .collectorDisconnected(let unacknowledged):
            logger.notice("the connection to the collector broke with \(unacknowledged) results unacknowledged; they are sent again once it is back")
        case .collectorReconnected(let resending):
            logger.notice("the collector is connected again; resending \(resending) unacknowledged results")
        case .resultsRefused(let jobIDs):
            let named = jobIDs.prefix(5).joined(separator: ", ") + (jobIDs.count > 5 ? ", ..." : "")
            logger.warning("the collector refused \(jobIDs.count) results as unreadable (\(named)); reported failed to the dispatcher")
        case .analysesHung(let jobIDs, let timeout):
            logger.error("analysis of \(jobIDs.joined(separator: ", ")) did not finish within \(Machine.describe(timeout)); its thread is lost, the worker stops")
        case .stopping(let reason, let finishing, let handedBack, let unacknowledged):
            let why = reason == .requested ? "shutting down" : "stopping after a hung analysis"
            logger.info("\(why): finishing \(finishing) jobs, handing back \(handedBack), \(unacknowledged) results unacknowledged")
        }
    }

    /// The configuration's calls around each analysis (`beforeAnalysis`, `afterAnalysis`).
    private struct AnalysisHooks: Sendable {
        var before: (@Sendable (Article) -> Void)?
        var after: (@Sendable (Article, inout Mirsad_V1_Analysis) -> Void)?
    }

    /// What the collector has said it takes; written by the loop's thread, read by the analysis threads.
    private final class CollectorCapabilities: Sendable {
        /// RESULTS_ACK `takes_zlib`: results may carry their analysis compressed (protocol revision 2).
        let takesZlib = Atomic<Bool>(false)
        /// RESULTS_ACK `zstd_dictionary`: the dictionary with which results may carry their analysis compressed
        /// by zstd (revision 5); 0 for none.
        let zstdDictionary = Atomic<UInt32>(0)

        /// How the next result's analysis goes: with zstd when the collector takes a dictionary this build has (its
        /// own, or a retired one an older collector still names), else
        /// deflated when it takes that, else as it is.
        var compression: ResultCompression {
            let named = zstdDictionary.load(ordering: .relaxed)
            if named != 0, let dictionary = Zstd.dictionary(id: named) { return .zstd(dictionary) }
            return takesZlib.load(ordering: .relaxed) ? .zlib : .uncompressed
        }
    }

    /// How a worker sends a result's analysis.
    private enum ResultCompression: Sendable {
        case uncompressed
        case zlib
        case zstd(Zstd.Dictionary)
    }

    /// Runs the analysis for one job and turns it into the RESULT that goes to the collector: its analysis
    /// compressed as `compression` says (what the collector takes) unless the job asked for tokens.
    private static func analyse(
        _ encoded: EncodedJob, mode: WorkerAnalysis, analyzer: ArticleAnalyzer, workerID: String, hooks: AnalysisHooks,
        clock: ServiceClock, compression: ResultCompression
    ) -> AnalysisOutcome<EncodedResult> {
        let received = clock.wall().milliseconds
        let job: Mirsad_V1_Job
        do {
            job = try encoded.decoded()
        } catch {
            return AnalysisOutcome(jobID: encoded.jobID, result: .failure(AnalysisFailure(message: "the job does not decode: \(error)", permanent: true)))
        }
        let started = clock.monotonic()
        var result = Mirsad_V1_Result()
        switch mode {
        case .full:
            let article: Article
            do {
                article = try Article(wire: job.article)
            } catch {
                return AnalysisOutcome(jobID: job.jobID, result: .failure(AnalysisFailure(message: "invalid article: \(error)", permanent: true)))
            }
            hooks.before?(article)
            var analysis = Mirsad_V1_Analysis(
                analyzer.analyze(article), includeTokens: job.options.includeTokens,
                includeNormalizedText: job.options.includeNormalizedText)
            hooks.after?(article, &analysis)
            do {
                switch compression {
                case .zstd(let dictionary) where !job.options.includeTokens:
                    try result.setCompressedAnalysis(analysis, dictionary: dictionary)
                case .zlib where !job.options.includeTokens:
                    try result.setCompressedAnalysis(analysis)
                default:
                    result.analysis = analysis
                }
            } catch {
                return AnalysisOutcome(jobID: job.jobID, result: .failure(AnalysisFailure(message: "result could not be encoded: \(error)")))
            }
        case .none:
            break
        case .sleep(let duration):
            Thread.sleep(forTimeInterval: duration.inSeconds)
        }
        let micros = UInt64(max(started.duration(to: clock.monotonic()).wholeMicroseconds, 0))
        result.jobID = job.jobID
        result.batchID = job.batchID
        result.article = job.article.metadata
        result.workerID = workerID
        if job.hasLease { result.lease = job.lease }  // binds the result to this delivery (revision 4)
        var timings = Mirsad_V1_Timings()
        timings.analysisUs = micros
        timings.receivedUnixMs = received
        timings.finishedUnixMs = clock.wall().milliseconds
        result.timings = timings
        do {
            return AnalysisOutcome(jobID: job.jobID, result: .success(try EncodedResult(result)))
        } catch {
            return AnalysisOutcome(jobID: job.jobID, result: .failure(AnalysisFailure(message: "result could not be encoded: \(error)")))
        }
    }
}
