import ArticleAnalysis
import Foundation
import Logging
import MirsadCore
import MirsadWire
import OrderedCollections
import ReportStore
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// The collector: receives RESULTS from workers, commits them to the report store, then acknowledges them to
/// each worker (RESULTS_ACK) and tells the dispatcher they are stored (STORED).
///
/// Invariants:
/// - nothing is acknowledged before the store call that holds it has returned, so an acknowledged result is
///   durable; a store failure acknowledges nothing and the workers send again;
/// - a result whose analysis cannot be read is never stored: it is refused (RESULTS_ACK `refused`, with the
///   reason), so that its worker reports the job failed and the dispatcher retries or dead-letters it; a refusal
///   commits nothing and needs no store, so it is sent even while the store fails;
/// - the store call that commits results also records their stored notices, and a notice is deleted only after
///   the dispatcher's STORED_ACK: a collector stopped or killed at any moment leaves every unacknowledged STORED in
///   the store, and the next one sends it again (`StoredNoticeTracker`);
/// - at most `maxResultsPerCommit` decoded results are held at once (RESULTS carry at most
///   `ProtocolLimits.maxJobsPerMessage` each; a larger one is refused), so a slow store slows the workers (whose
///   credit returns only with RESULTS_ACK) instead of filling memory.
public final class CollectorService: Service, Sendable {
    public struct Configuration: Sendable {
        public var bindEndpoint: String
        public var dispatcherEndpoint: String
        /// STORED notices the dispatcher has not acknowledged within this time are sent again.
        public var resendStoredAfter: Duration = .seconds(5)
        /// The most results held decoded at once, waiting for a commit, and so the most in one commit (at least
        /// one message's).
        public var maxResultsPerCommit = 4096
        /// About how long one commit of results should take. Results waiting for a commit are taken one per batch,
        /// then from the batches with fewest waiting first (`RoundRobinLanes.popFewestFirst`), as many as the last
        /// commits' cost per result says fit in this time (at least `minResultsPerCommit`): a small batch's results
        /// that arrive behind a large one's wait about one commit, not for all that was read before them.
        public var commitTarget: Duration = .milliseconds(25)
        public var minResultsPerCommit = 32
        /// The most stored-but-unacknowledged job ids kept in memory; the others wait in the store.
        public var maxPendingNoticesInMemory = 65_536
        /// How many stored notices are read from the store at a time.
        public var noticePageSize = 4_096
        /// On shutdown, how long to wait for the dispatcher to acknowledge STORED notices already sent.
        public var shutdownGrace: Duration = .seconds(2)
        /// Acknowledged notices wait at most this long for a commit of results to be deleted with; then alone.
        public var confirmationDelay: Duration = .milliseconds(200)
        /// Results arriving within this time of the last commit wait for the end of it, so that results trickling
        /// in from busy workers share commits (each costs a log write and an fsync) instead of one each.
        public var commitWindow: Duration = .milliseconds(5)

        public init(bindEndpoint: String, dispatcherEndpoint: String) {
            self.bindEndpoint = bindEndpoint
            self.dispatcherEndpoint = dispatcherEndpoint
        }
    }

    private let configuration: Configuration
    private let store: any ReportStore
    private let logger: Logger
    private let setup = SocketSetup(maxMessageSize: Defaults.socketMaxMessageSize)
    private let counters = Mutex(CollectorStatistics())
    private let clock: ServiceClock
    private let ready: @Sendable (String) -> Void
    private let stop = StopRequest()
    public let id: String

    /// `ready` is called with the bound endpoint (the real port when the endpoint asked for `*`) once the collector
    /// serves.
    public init(
        configuration: Configuration, store: any ReportStore, logger: Logger, clock: ServiceClock = .system,
        ready: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.clock = clock
        self.ready = ready
        self.id = "collector-\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// A snapshot of the counters; safe from any thread while `run` serves.
    public var statistics: CollectorStatistics { counters.withLock { $0 } }

    /// Serves on a thread of its own until graceful shutdown (or `stopGracefully()`), then stops: the commit in
    /// progress is finished and acknowledged, STORED_ACKs are awaited for up to `shutdownGrace`, and BYE is said.
    /// Cancellation stops it at once (what is committed stays committed and is acknowledged by the next run).
    public func run() async throws {
        let context = try ZMQContext()
        try await runOnLoopThread(name: "collector", context: context, stop: stop) { try self.serve(context: context) }
    }

    /// Asks `run` to stop as graceful shutdown does.
    public func stopGracefully() { stop.request() }

    private func serve(context: ZMQContext) throws {
        defer { context.shutdown() }
        let router = try setup.boundRouter(context, endpoint: configuration.bindEndpoint)
        defer { router.close() }
        let dispatcher = try DispatcherLink(
            context: context, setup: setup, endpoint: configuration.dispatcherEndpoint, role: .collector, id: id,
            capacity: 0, logger: logger)
        let endpoint = try router.lastEndpoint
        var session = Session(service: self, router: router, dispatcher: dispatcher)

        try session.perform(session.tracker.tick(now: clock.monotonic()))  // notices an earlier run left
        if session.tracker.pendingCount > 0 {
            let more = session.tracker.backlog ? " (and more, read as these are acknowledged)" : ""
            logger.info("\(session.tracker.pendingCount) stored results were never acknowledged by the dispatcher\(more); STORED follows its WELCOME")
        }
        logger.info("collector listening on \(endpoint), storing to \(String(describing: type(of: store)))")
        ready(endpoint)

        while !stop.isRequested {
            var poller = Poller()
            poller.register(router)
            poller.register(dispatcher.socket)
            // Results read and not yet committed are committed without waiting for more to arrive.
            let events = try poller.poll(timeout: session.waiting.isEmpty ? .milliseconds(100) : .zero)
            if events[0].contains(.readable) || !session.waiting.isEmpty { try session.receiveAndCommitResults() }
            if events[1].contains(.readable) { try session.readDispatcher() }
            try session.maintain()
        }

        // Graceful stop: no more RESULTS are read (unacknowledged ones are sent again by their workers).
        let deadline = clock.monotonic().advanced(by: configuration.shutdownGrace)
        while session.tracker.awaitingAcknowledgement > 0 && clock.monotonic() < deadline {
            var poller = Poller()
            poller.register(dispatcher.socket)
            if try poller.poll(timeout: .milliseconds(20))[0].contains(.readable) { try session.readDispatcher() }
            try session.maintain()
        }
        try session.perform(session.tracker.tick(now: clock.monotonic()))
        session.flushConfirmations()
        dispatcher.close(reason: "shutdown")
        let final = statistics
        let left = "\(session.tracker.pendingCount)\(session.tracker.backlog ? " or more" : "")"
        logger.info("""
            collector stopped; \(final.committed) results committed, \(final.unreadableResults) refused as unreadable, \
            \(final.storeFailures) failed commits, \(left) STORED notices left unacknowledged in the store for the next start
            """)
    }

    /// A result read from a worker, waiting for a commit.
    private struct WaitingResult {
        var result: StoredResult
        /// Its sender, which is answered once it is committed.
        var peer: RoutingID
    }

    /// One run's mutable state, owned by the thread of `run`.
    private struct Session {
        let service: CollectorService
        let router: Socket
        let dispatcher: DispatcherLink
        var tracker: StoredNoticeTracker
        /// The dispatcher socket the tracker's session belongs to; another one means the link reconnected.
        var linkSocket: Socket
        var problems = ProblemLog()
        /// Store problems are rate-limited apart from protocol ones, so neither hides the other.
        var storeProblems = ProblemLog()
        /// So are refused (unreadable) results.
        var resultProblems = ProblemLog()
        var journalWatch = JournalIdentityWatch()
        var failingSince: MonotonicInstant? = nil
        /// Acknowledged notices to delete from the store with the next commit of results (or alone, once they
        /// have waited `confirmationDelay`): one transaction instead of two.
        var confirmations: [String] = []
        var confirmationsSince = MonotonicInstant.origin
        /// When the last commit of results ended.
        var lastCommit = MonotonicInstant.origin
        /// Results read and not yet committed, a lane per batch.
        var waiting = RoundRobinLanes<WaitingResult>()
        /// How many results the next commit takes (see `Configuration.commitTarget`).
        var commitSize: CommitSizing

        init(service: CollectorService, router: Socket, dispatcher: DispatcherLink) {
            self.service = service
            self.router = router
            self.dispatcher = dispatcher
            self.linkSocket = dispatcher.socket
            let configuration = service.configuration
            tracker = StoredNoticeTracker(configuration: .init(
                capacity: configuration.maxPendingNoticesInMemory, pageSize: configuration.noticePageSize,
                resendAfter: configuration.resendStoredAfter))
            commitSize = CommitSizing(
                target: configuration.commitTarget, minimum: configuration.minResultsPerCommit,
                maximum: max(configuration.maxResultsPerCommit, ProtocolLimits.maxJobsPerMessage))
        }

        var logger: Logger { service.logger }
        var clock: ServiceClock { service.clock }
        var store: any ReportStore { service.store }

        /// Reads the RESULTS waiting on the socket into `waiting`, while it has room for another message's worth;
        /// results it refuses are answered at once.
        mutating func readResults() throws {
            // As many as the largest commit takes, so that one commit can empty the lanes.
            while waiting.count + ProtocolLimits.maxJobsPerMessage <= commitSize.maximum,
                  let incoming = try router.receiveIncoming(routed: true) {
                guard case .message(let message) = incoming else {
                    if case .tooManyFrames(let count) = incoming {
                        problems.malformed(.wrongFrameCount(count - 1), peer: nil, logger: logger)
                    }
                    continue
                }
                // Analyses pass through: each is stored as the worker encoded it, only its index fields decoded.
                let (peer, decoded) = FrameCodec.decodeRouted(message.frames, reading: .passThrough)
                switch decoded {
                case .success(.resultsView(let results)):
                    guard let peer else {
                        service.counters.withLock { $0.refusedResults += 1 }
                        continue
                    }
                    guard results.results.count <= ProtocolLimits.maxJobsPerMessage else {
                        service.counters.withLock { $0.refusedResults += 1 }
                        let reason = "\(results.results.count) results in one RESULTS; the limit is \(ProtocolLimits.maxJobsPerMessage)"
                        problems.refused(reason, peer: peer, logger: logger)
                        try router.send(.error(.tooLarge, reason, command: .results), to: peer)
                        continue
                    }
                    var refused: [Mirsad_V1_RefusedResult] = []
                    for result in results.results {
                        do {
                            let stored = try CollectorService.storedResult(from: result)
                            waiting.append(WaitingResult(result: stored, peer: peer), lane: stored.batchID)
                        } catch {
                            refused.append(error.wire)
                        }
                    }
                    if !refused.isEmpty {
                        noteRefused(refused, from: peer)
                        try acknowledge(committed: [], refused: refused, to: peer)
                    }
                case .success(.heartbeat):
                    break
                case .success(let other):
                    problems.refused("\(other.command) is not sent to a collector", peer: peer, logger: logger)
                    if let peer {
                        try router.send(.error(.notAllowed, "\(other.command) is not sent to a collector", command: other.command), to: peer)
                    }
                case .failure(let problem):
                    problems.malformed(problem, peer: peer, logger: logger)
                }
            }
        }

        /// Reads what has arrived from workers (waiting up to the commit window for more to share the commit), takes
        /// the next commit's share of the waiting results (one per batch, then the smallest backlogs first),
        /// commits it in one transaction, then acknowledges it.
        mutating func receiveAndCommitResults() throws {
            let windowEnds = lastCommit.advanced(by: service.configuration.commitWindow)
            try readResults()
            while !waiting.isEmpty, waiting.count < commitSize.next {
                let left = clock.monotonic().duration(to: windowEnds)
                guard left > .zero else { break }
                var poller = Poller()
                poller.register(router)
                guard try poller.poll(timeout: left)[0].contains(.readable) else { break }
                try readResults()
            }
            guard !waiting.isEmpty else { return }
            let taken = waiting.popFewestFirst(upTo: commitSize.next)
            let batch = taken.map(\.result)
            let started = clock.monotonic()
            defer { lastCommit = clock.monotonic() }
            let outcome: StoreOutcome
            let confirming = confirmations
            confirmations.removeAll()
            do {
                outcome = try store.store(batch, confirmingNotices: confirming)
                if !confirming.isEmpty {
                    service.counters.withLock { $0.noticesConfirmed += UInt64(confirming.count) }
                }
            } catch {
                // The results taken are dropped unanswered: their workers send them again.
                tracker.confirmFailed(confirming)
                let failures = service.counters.withLock { $0.storeFailures += 1; return $0.storeFailures }
                failingSince = failingSince ?? clock.monotonic()
                storeProblems.log(
                    "could not store \(batch.count) results, none acknowledged (the workers send them again): \(error) [\(failures) failed commits so far]",
                    logger: logger)
                return
            }
            commitSize.committed(batch.count, in: started.duration(to: clock.monotonic()))
            if let since = failingSince {
                logger.notice("the report store takes results again after \(since.duration(to: clock.monotonic()).wholeMilliseconds) ms of failed commits")
                failingSince = nil
            }
            service.counters.withLock {
                $0.committed += UInt64(outcome.inserted.count)
                $0.duplicates += UInt64(outcome.duplicates.count)
            }
            // Each sender is answered once per commit, with its job ids in the order they were committed.
            var answers: OrderedDictionary<RoutingID, [String]> = [:]
            for waiting in taken { answers[waiting.peer, default: []].append(waiting.result.jobID) }
            for (peer, jobIDs) in answers { try acknowledge(committed: jobIDs, refused: [], to: peer) }
            try perform(tracker.committed(batch.map(\.jobID), now: clock.monotonic()))
        }

        /// Answers a worker's RESULTS: the job ids committed and the results refused (one or both).
        private func acknowledge(committed jobIDs: [String], refused: [Mirsad_V1_RefusedResult], to peer: RoutingID) throws {
            var ack = Mirsad_V1_ResultsAck()
            ack.jobIds = jobIDs
            ack.refused = refused
            ack.takesZlib = true
            try router.send(.resultsAck(ack), to: peer)
        }

        /// Counts refused results and logs them, rate-limited.
        private mutating func noteRefused(_ refused: [Mirsad_V1_RefusedResult], from peer: RoutingID) {
            let total = service.counters.withLock { $0.unreadableResults += UInt64(refused.count); return $0.unreadableResults }
            let first = refused[0]
            let more = refused.count > 1 ? " and \(refused.count - 1) more" : ""
            resultProblems.log(
                "refused unreadable results from \(ProblemLog.describe(peer)), not stored (the worker reports them failed): \(first.jobID): \(first.reason)\(more) [\(total) refused so far]",
                logger: logger)
        }

        /// Handles everything the dispatcher has sent.
        mutating func readDispatcher() throws {
            while let decoded = try dispatcher.receive(problems: &problems) {
                noticeReconnect()
                switch decoded {
                case .storedAck(let ack):
                    tracker.acknowledged(ack.jobIds)
                case .welcome(let welcome):
                    if let change = journalWatch.welcomed(journalID: welcome.journalID) { logger.warning("\(change)") }
                    try perform(tracker.linkUp(now: clock.monotonic()))
                default:
                    problems.refused("\(decoded.command) is not sent to a collector", peer: nil, logger: logger)
                }
            }
            noticeReconnect()
        }

        /// Once per loop turn: notices confirmed, paged in and resent; the link's heartbeats and liveness.
        mutating func maintain() throws {
            try perform(tracker.tick(now: clock.monotonic()))
            if !confirmations.isEmpty,
               confirmationsSince.duration(to: clock.monotonic()) >= service.configuration.confirmationDelay {
                flushConfirmations()
            }
            try dispatcher.maintain()
            noticeReconnect()
            service.counters.withLock { $0.noticesInMemory = tracker.pendingCount }
        }

        /// Deletes the acknowledged notices gathered so far, in a transaction of their own.
        mutating func flushConfirmations() {
            let ids = confirmations
            confirmations.removeAll()
            guard !ids.isEmpty else { return }
            do {
                try store.confirmNotices(ids)
                service.counters.withLock { $0.noticesConfirmed += UInt64(ids.count) }
            } catch {
                tracker.confirmFailed(ids)
                service.counters.withLock { $0.noticeFailures += 1 }
                storeProblems.log(
                    "could not delete \(ids.count) acknowledged STORED notices (they stay in the store and are sent again): \(error)",
                    logger: logger)
            }
        }

        /// A new dispatcher socket (the link reconnected) starts a new session: nothing is sent until WELCOME.
        private mutating func noticeReconnect() {
            guard dispatcher.socket !== linkSocket else { return }
            linkSocket = dispatcher.socket
            tracker.linkDown()
        }

        /// Carries out the tracker's actions in order, feeding back what the store answers.
        mutating func perform(_ actions: [StoredNoticeTracker.Action]) throws {
            var queue = actions[...]
            while let action = queue.popFirst() {
                switch action {
                case .send(let ids):
                    var body = Mirsad_V1_Stored()
                    body.jobIds = ids
                    try dispatcher.send(.stored(body))
                case .confirm(let ids):
                    if confirmations.isEmpty { confirmationsSince = clock.monotonic() }
                    confirmations += ids
                case .loadPage(let limit):
                    // The page must not bring back notices already acknowledged: delete those first.
                    flushConfirmations()
                    do {
                        let ids = try store.pendingNotices(limit: limit)
                        queue += tracker.pageLoaded(ids, limit: limit, now: clock.monotonic())
                    } catch {
                        service.counters.withLock { $0.noticeFailures += 1 }
                        storeProblems.log(
                            "could not read unacknowledged STORED notices from the store (tried again shortly): \(error)",
                            logger: logger)
                    }
                }
            }
        }
    }

    /// The store's form of a worker's RESULT, its analysis kept as the worker encoded it. A result whose analysis
    /// is not a well-framed `Analysis`, or whose indexed fields cannot be read, is refused (`ResultRefusal`): storing
    /// it would end its job without a result, and a later readable result for the job would be ignored.
    static func storedResult(from result: Mirsad_V1_ResultView) throws(ResultRefusal) -> StoredResult {
        let wire = result.article
        let metadata = ArticleMetadata(
            id: wire.id.isEmpty ? result.jobID : wire.id,
            url: wire.hasURL ? wire.url : nil, source: wire.hasSource ? wire.source : nil,
            category: wire.hasCategory ? wire.category : nil, title: wire.hasTitle ? wire.title : nil,
            published: wire.hasPublished ? wire.published : nil, author: wire.hasAuthor ? wire.author : nil)
        let analysis: StoredAnalysis
        do {
            if result.analysisZlib.isEmpty {
                analysis = try StoredAnalysis(encoded: result.analysis)
            } else {
                analysis = try StoredAnalysis(
                    compressed: result.analysisZlib, inflatedSize: Int(result.analysisBytes), index: result.index)
            }
        } catch {
            throw ResultRefusal(jobID: result.jobID, reason: "unreadable analysis: \(error)")
        }
        let finished = result.timings.finishedUnixMs
        return StoredResult(
            jobID: result.jobID, batchID: result.batchID, article: metadata, content: .analysis(analysis),
            workerID: result.workerID,
            analysedAt: finished > 0 ? Date(timeIntervalSince1970: Double(finished) / 1000) : nil)
    }

    /// The store's form of a decoded RESULT (callers in this process): its analysis encoded once, here.
    static func storedResult(from result: Mirsad_V1_Result) throws(ResultRefusal) -> StoredResult {
        try storedResult(from: Mirsad_V1_ResultView.with {
            $0.jobID = result.jobID
            $0.batchID = result.batchID
            $0.article = result.article
            $0.analysis = (try? result.analysis.serializedData()) ?? Data()
            $0.workerID = result.workerID
            $0.timings = result.timings
        })
    }
}
