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
        ///
        /// Each commit writes every B-tree page it touches to the log and fsyncs it, so a commit of a few dozen
        /// results costs less per result than one of ten (`mirsad benchmark collector`), for a few milliseconds
        /// more before the acknowledgement.
        public var commitTarget: Duration = .milliseconds(100)
        public var minResultsPerCommit = 32
        /// The most stored-but-unacknowledged job ids kept in memory; the others wait in the store.
        public var maxPendingNoticesInMemory = 65_536
        /// How many stored notices are read from the store at a time.
        public var noticePageSize = 4_096
        /// On shutdown, how long to wait for the dispatcher to acknowledge STORED notices already sent.
        public var shutdownGrace: Duration = .seconds(2)
        /// Acknowledged notices wait at most this long for a commit of results to be deleted with; then alone.
        public var confirmationDelay: Duration = .milliseconds(200)
        /// How long without a commit before the collector tidies the store's side files (`ReportStore.tidyWhileIdle`:
        /// a SQLite store's inbox), and how often it looks again while idle.
        public var tidyWhenIdleFor: Duration = .seconds(1)
        /// Results arriving within this time of the last commit wait for the end of it, so that results trickling
        /// in from busy workers share commits (each costs a log write and an fsync) instead of one each. A result
        /// after a quiet spell is committed at once (see `DispatcherService.Configuration.commitWindow`).
        public var commitWindow: Duration = Defaults.commitWindow
        /// CURVE keys and the allowlist of worker keys for the bound ROUTER; nil serves without authentication
        /// (loopback only, unless `insecure`).
        public var security: ServerSecurity?
        /// Serve without keys on a non-loopback endpoint (`--insecure`).
        public var insecure = false
        /// This collector's key and the dispatcher's public key, for its link to the dispatcher.
        public var dispatcherSecurity: ClientSecurity?
        /// The key shared with the dispatcher: with it, a result is stored only with a valid lease for its job, its
        /// worker id and the key that sent it (`ResultLeaseCheck`).
        public var leaseKey: LeaseKey?
        /// Told of each commit to the store (the metrics); nil for none.
        public var observer: (any CollectorObserver)?

        public init(bindEndpoint: String, dispatcherEndpoint: String) {
            self.bindEndpoint = bindEndpoint
            self.dispatcherEndpoint = dispatcherEndpoint
        }
    }

    private let configuration: Configuration
    private let store: any ReportStore
    private let logger: Logger
    private var setup: SocketSetup {
        var setup = SocketSetup(maxMessageSize: Defaults.socketMaxMessageSize)
        setup.server = configuration.security
        return setup
    }
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
        try BindPolicy.check(
            service: "collector", endpoint: configuration.bindEndpoint, secured: configuration.security != nil,
            insecure: configuration.insecure, keyFlags: "--key FILE --allow DIR --lease-key FILE --dispatcher-key FILE")
        var authenticator: ZAPAuthenticator?
        if let security = configuration.security {
            authenticator = try ZAPAuthenticator(context: context, allowlist: security.allowlist, logger: logger)
        }
        let router = try setup.boundRouter(context, endpoint: configuration.bindEndpoint)
        router.stopCondition = stop
        defer { router.close() }
        let notifier = SystemdNotifier()
        let dispatcher = try DispatcherLink(
            context: context, setup: setup, endpoint: configuration.dispatcherEndpoint, role: .collector, id: id,
            capacity: 0, curve: configuration.dispatcherSecurity, logger: logger)
        let endpoint = try router.lastEndpoint
        var session = Session(service: self, router: router, dispatcher: dispatcher)

        try session.perform(session.tracker.tick(now: clock.monotonic()))  // notices an earlier run left
        if session.tracker.pendingCount > 0 {
            let more = session.tracker.backlog ? " (and more, read as these are acknowledged)" : ""
            logger.info("\(session.tracker.pendingCount) stored results were never acknowledged by the dispatcher\(more); STORED follows its WELCOME")
        }
        logger.info("collector listening on \(endpoint), storing to \(String(describing: type(of: store)))")
        ready(endpoint)
        notifier.ready()

        while !stop.isRequested {
            notifier.watchdog()
            FreedMemory.releaseIfDue()
            var poller = Poller()
            poller.register(router)
            poller.register(dispatcher.socket)
            // Results read and not yet committed are committed without waiting for more to arrive.
            let events = try poller.poll(timeout: session.waiting.isEmpty ? .milliseconds(100) : .zero)
            if events[0].contains(.readable) || !session.waiting.isEmpty { try session.receiveAndCommitResults() }
            if events[1].contains(.readable) { try session.readDispatcher() }
            try session.maintain()
            if let refused = authenticator?.refusedHandshakes {
                counters.withLock { $0.handshakesRefused = refused }
            }
        }

        // Graceful stop: no more RESULTS are read (unacknowledged ones are sent again by their workers).
        notifier.stopping()
        let deadline = clock.monotonic().advanced(by: configuration.shutdownGrace)
        while session.tracker.awaitingAcknowledgement > 0 && clock.monotonic() < deadline {
            var poller = Poller()
            poller.register(dispatcher.socket)
            if try poller.poll(timeout: .milliseconds(20))[0].contains(.readable) { try session.readDispatcher() }
            try session.maintain()
        }
        try session.perform(session.tracker.tick(now: clock.monotonic()))
        session.flushConfirmations()
        // What an indexer moved after the last commit leaves the inbox with the collector, not at its next start.
        while (try? store.tidyWhileIdle()) == true {}
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
        var storeProblems = ProblemLog(burst: 1)
        /// So are refused (unreadable) results.
        var resultProblems = ProblemLog()
        var journalWatch = JournalIdentityWatch()
        /// Workers and clients that did not read what they were sent (`PeerCutOff`).
        var cutOff = PeerCutOff()
        let started: MonotonicInstant
        var failingSince: MonotonicInstant? = nil
        /// Acknowledged notices to delete from the store with the next commit of results (or alone, once they
        /// have waited `confirmationDelay`): one transaction instead of two.
        var confirmations: [String] = []
        var confirmationsSince = MonotonicInstant.origin
        /// When the last commit of results ended.
        var lastCommit = MonotonicInstant.origin
        /// When the store was last tidied while idle, and whether it had more to do.
        var lastTidy = MonotonicInstant.origin
        var tidyLeft = false
        /// Results read and not yet committed, a lane per batch.
        var waiting = RoundRobinLanes<WaitingResult>()
        /// A worker with results in `waiting` said it has nothing else to analyse (RESULTS `worker_idle`, revision
        /// 6): the next commit is made without waiting out the commit window, since that worker idles until then.
        var idleWorkerWaits = false
        /// How many results the next commit takes (see `Configuration.commitTarget`).
        var commitSize: CommitSizing
        /// The lease of each stored result whose STORED is not yet acknowledged, sent with it (revision 4). Only an
        /// aid: a STORED without its lease still ends a job awaiting store.
        var leases: [String: Mirsad_V1_Lease] = [:]
        /// Security refusals are rate-limited apart too.
        var securityProblems = ProblemLog()

        init(service: CollectorService, router: Socket, dispatcher: DispatcherLink) {
            self.service = service
            self.router = router
            self.dispatcher = dispatcher
            self.linkSocket = dispatcher.socket
            self.started = service.clock.monotonic()
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

        static let maxMessagesPerRead = 4096

        /// Reads the RESULTS waiting on the socket into `waiting`, while it has room for another message's worth;
        /// results it refuses are answered at once. At most `maxMessagesPerRead` messages a call, so a flood of
        /// anything but results still lets the loop keep its session with the dispatcher and commit what it has.
        mutating func readResults() throws {
            // As many as the largest commit takes, so that one commit can empty the lanes.
            var read = 0
            while read < Self.maxMessagesPerRead, waiting.count + ProtocolLimits.maxJobsPerMessage <= commitSize.maximum,
                  let incoming = try router.receiveIncoming(routed: true) {
                read += 1
                let message: Message
                switch incoming {
                case .message(let received): message = received
                case .tooManyFrames(let count):
                    problems.count(.tooManyFrames, "message of \(count) frames dropped unread", logger: logger)
                    continue
                case .tooManyBytes(let count):
                    problems.count(.tooManyBytes, "message of \(count) bytes dropped unread", logger: logger)
                    continue
                }
                if let routingID = message.frames.first, cutOff.isCutOff(routingID, now: clock.monotonic()) {
                    problems.count(.droppedWhileCutOff, "message from cut-off peer \(ProblemLog.describe(routingID)) dropped", logger: logger)
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
                    let sender = service.configuration.security.authority(of: message)
                    guard try authorised(.results, by: sender, from: peer) else {
                        service.counters.withLock { $0.refusedResults += 1 }
                        continue
                    }
                    guard results.results.count <= ProtocolLimits.maxJobsPerMessage else {
                        service.counters.withLock { $0.refusedResults += 1 }
                        let reason = "\(results.results.count) results in one RESULTS; the limit is \(ProtocolLimits.maxJobsPerMessage)"
                        problems.refused(reason, peer: peer, logger: logger)
                        try reply(.error(.tooLarge, reason, command: .results), to: peer)
                        continue
                    }
                    if results.results.isEmpty {
                        // Revision 5: a worker asks what this collector takes when its connection comes up, so
                        // that its first results go compressed; the answer lists no job.
                        try acknowledge(committed: [], refused: [], to: peer)
                        continue
                    }
                    var refused: [Mirsad_V1_RefusedResult] = []
                    var forged = 0
                    let waitingBefore = waiting.count
                    for result in results.results {
                        if let problem = ResultLeaseCheck.problem(
                            jobID: result.jobID, workerID: result.workerID, lease: result.hasLease ? result.lease : nil,
                            sender: sender, key: service.configuration.leaseKey) {
                            forged += 1
                            refused.append(ResultRefusal(jobID: result.jobID, reason: problem).wire)
                            continue
                        }
                        do {
                            let stored = try CollectorService.storedResult(from: result)
                            waiting.append(WaitingResult(result: stored, peer: peer), lane: stored.batchID)
                            if result.hasLease {
                                // Bounded like the notices in memory; a notice sent without its lease still ends a
                                // job awaiting store.
                                if leases.count >= service.configuration.maxPendingNoticesInMemory { leases.removeAll() }
                                leases[result.jobID] = result.lease
                            }
                        } catch {
                            refused.append(error.wire)
                        }
                    }
                    if results.workerIdle, waiting.count > waitingBefore { idleWorkerWaits = true }
                    if forged > 0 {
                        service.counters.withLock { $0.security.count(.forgedToken, forged) }
                        securityProblems.log(
                            "\(forged) results from \(ProblemLog.describe(peer)) without a valid lease token, not stored",
                            kind: SecurityRefusals.Kind.forgedToken.rawValue, logger: logger)
                    }
                    if !refused.isEmpty {
                        noteRefused(refused, from: peer)
                        try acknowledge(committed: [], refused: refused, to: peer)
                    }
                case .success(.heartbeat):
                    break
                case .success(.status(let request)):
                    guard let peer else { continue }
                    guard try authorised(.status, by: service.configuration.security.authority(of: message), from: peer) else {
                        continue
                    }
                    try reply(.statusReply(statusReply(requestID: request.requestID)), to: peer)
                case .success(let other):
                    problems.refused("\(other.command) is not sent to a collector", peer: peer, logger: logger)
                    if let peer {
                        try reply(.error(.notAllowed, "\(other.command) is not sent to a collector", command: other.command), to: peer)
                    }
                case .failure(let problem):
                    problems.malformed(problem, peer: peer, logger: logger)
                }
            }
        }

        /// Whether `sender`'s key may send `command` to a collector (`SecurityRole.allowed(toSend:)`: RESULTS from
        /// worker keys, STATUS from producer, status and operator keys; every peer on an unauthenticated socket). A
        /// refusal is answered with ERROR `NOT_ALLOWED`, counted by kind and as a refused message.
        private mutating func authorised(_ command: Command, by sender: PeerAuthority, from peer: RoutingID) throws -> Bool {
            let roles = SecurityRole.allowed(toSend: command)
            guard !sender.holdsAny(of: roles) else { return true }
            let kind: SecurityRefusals.Kind = sender.isUnknownKey ? .unknownKey : .forbiddenByRole
            service.counters.withLock { $0.security.count(kind) }
            let reason = "\(command) needs a key of role \(roles.map(\.rawValue).sorted().joined(separator: " or "))"
            problems.refused("\(reason) (\(kind.rawValue))", peer: peer, logger: logger)
            try reply(.error(.notAllowed, reason, command: command), to: peer)
            return false
        }

        /// Reads what has arrived from workers (waiting up to the commit window for more to share the commit, unless
        /// a worker that sent some of it idles until it is committed), takes
        /// the next commit's share of the waiting results (one per batch, then the smallest backlogs first),
        /// commits it in one transaction, then acknowledges it.
        mutating func receiveAndCommitResults() throws {
            let windowEnds = lastCommit.advanced(by: service.configuration.commitWindow)
            try readResults()
            while !waiting.isEmpty, waiting.count < commitSize.next, !idleWorkerWaits {
                let left = clock.monotonic().duration(to: windowEnds)
                guard left > .zero else { break }
                var poller = Poller()
                poller.register(router)
                guard try poller.poll(timeout: left)[0].contains(.readable) else { break }
                try readResults()
            }
            guard !waiting.isEmpty else { return }
            idleWorkerWaits = false
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
                service.configuration.observer?.committed(results: batch.count, duration: started.duration(to: clock.monotonic()), failed: true)
                let failures = service.counters.withLock { $0.storeFailures += 1; return $0.storeFailures }
                failingSince = failingSince ?? clock.monotonic()
                storeProblems.log(
                    "could not store \(batch.count) results, none acknowledged (the workers send them again): \(error) [\(failures) failed commits so far]",
                    logger: logger)
                return
            }
            commitSize.committed(batch.count, in: started.duration(to: clock.monotonic()))
            service.configuration.observer?.committed(results: batch.count, duration: started.duration(to: clock.monotonic()), failed: false)
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
        private mutating func acknowledge(committed jobIDs: [String], refused: [Mirsad_V1_RefusedResult], to peer: RoutingID) throws {
            var ack = Mirsad_V1_ResultsAck()
            ack.jobIds = jobIDs
            ack.refused = refused
            ack.takesZlib = true
            if case .success(let dictionary) = Zstd.bundled { ack.zstdDictionary = dictionary.id }
            try reply(.resultsAck(ack), to: peer)
        }

        /// Sends to a worker or client without waiting; a peer whose queue is full is cut off (nothing more is sent
        /// to it, and what it sends is dropped unread, for the cooldown). A worker that lost an acknowledgement
        /// this way sends its results again, and they are stored once.
        private mutating func reply(_ message: MirsadMessage, to peer: RoutingID) throws {
            let now = clock.monotonic()
            guard !cutOff.isCutOff(peer, now: now) else { return }
            switch try router.deliver(message, to: peer) {
            case .sent, .peerGone: break
            case .queueFull:
                if cutOff.queueFull(peer, now: now) {
                    problems.count(.cutOff, """
                        peer \(ProblemLog.describe(peer)) cut off for \(cutOff.cooldown.inSeconds) s: its queue is full (it does \
                        not read what it is sent); what it sends meanwhile is dropped unread
                        """, logger: logger)
                }
            }
        }

        /// The collector's answer to STATUS: what it committed and what peers did wrong (the job counts are the
        /// dispatcher's to give).
        private func statusReply(requestID: String) -> Mirsad_V1_StatusReply {
            let statistics = service.statistics
            return .with {
                $0.requestID = requestID
                $0.stored = statistics.committed
                $0.uptimeMs = UInt64(clamping: started.duration(to: clock.monotonic()).wholeMilliseconds)
                $0.malformedMessages = problems.malformed
                $0.refusedMessages = problems.refused
                $0.peerProblems = problems.counts.wire
                $0.version = Defaults.version
                var refusals = statistics.security.wire
                if statistics.handshakesRefused > 0 {
                    refusals[SecurityRefusals.Kind.unknownKey.rawValue, default: 0] += statistics.handshakesRefused
                }
                $0.securityRefusals = refusals
            }
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
                    for jobID in ack.jobIds { leases[jobID] = nil }
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
            tidyIfIdle()
            try dispatcher.maintain()
            noticeReconnect()
            service.counters.withLock {
                $0.noticesInMemory = tracker.pendingCount
                $0.peerProblems = problems.counts
            }
        }

        /// Tidies the store once no results were committed for `tidyWhenIdleFor`: at once again while it has more
        /// to do, else after another `tidyWhenIdleFor`. A failure is logged (rate-limited) and tried again then.
        mutating func tidyIfIdle() {
            let now = clock.monotonic()
            let interval = service.configuration.tidyWhenIdleFor
            guard waiting.isEmpty, lastCommit.duration(to: now) >= interval,
                  tidyLeft || lastTidy.duration(to: now) >= interval else { return }
            lastTidy = now
            do {
                tidyLeft = try store.tidyWhileIdle()
            } catch {
                tidyLeft = false
                storeProblems.log("could not tidy the report store while idle (tried again in \(interval)): \(error)", logger: logger)
            }
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
                    body.leases = ids.compactMap { leases[$0] }
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
            if !result.analysisZstd.isEmpty {
                analysis = try StoredAnalysis(
                    compressed: result.analysisZstd, as: .zstd, inflatedSize: Int(result.analysisBytes),
                    encodedIndex: result.index)
            } else if !result.analysisZlib.isEmpty {
                analysis = try StoredAnalysis(
                    compressed: result.analysisZlib, inflatedSize: Int(result.analysisBytes), encodedIndex: result.index)
            } else {
                analysis = try StoredAnalysis(encoded: result.analysis)
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
