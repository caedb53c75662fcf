import DispatcherJournal
import Foundation
import Logging
import MirsadCore
import MirsadWire
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// The dispatcher: one ROUTER socket, a thin loop around `DispatcherStateMachine` and its job journal.
///
/// Every decision (whom to give which job, who is dead, what to retry, what to refuse) is the state machine's; this
/// loop moves frames, keeps time, records latencies, logs, and commits the journal. Group commit: after each drain
/// of up to `maxMessagesPerCommit` messages (and after each tick) the journal is committed, and only then are the
/// gathered replies sent, so no acknowledgement ever gets ahead of the disk. The read replies (STATUS_REPLY,
/// BATCH_STATUS_REPLY, DEAD_LETTERS_REPLY) are the exception: they acknowledge nothing and go out as soon as their
/// request is read (`DispatcherAction.waitsForCommit`), so a flood that fills each commit cannot hold them back.
///
/// A failed commit never sends what was prepared. When the journal is full (`JobJournalError.diskFull`) the service
/// stays up: it reopens the journal at its last committed state (as a restart would: peers say HELLO again, jobs in
/// flight are queued again), refuses every SUBMIT with ERROR STORAGE_FULL while still answering STATUS,
/// BATCH_STATUS and dead-letter requests and handling workers and collectors, and tries a commit of
/// `storageProbeBytes` every `storageProbeInterval` until one succeeds, when it takes jobs again. Any other commit
/// failure stops the service with an error naming the journal; a restart recovers the last committed state.
public final class DispatcherService: Service, Sendable {
    public struct Configuration: Sendable {
        /// The `journalPath` that keeps jobs in memory (for tests: nothing survives the process).
        public static let inMemoryJournalPath = ":memory:"

        public var bindEndpoint: String
        public var protocolConfiguration: DispatcherConfiguration
        /// The SQLite journal file; nil or `inMemoryJournalPath` keeps jobs in memory.
        public var journalPath: String?
        /// Messages handled between two commits at most, so timers run and replies go out under a flood.
        public var maxMessagesPerCommit: Int
        /// Messages arriving within this time of the last commit wait for the end of it, so that DONEs and STOREDs
        /// trickling in from busy workers and collectors share commits (each costs a log write and an fsync): at most
        /// one commit a window under a steady load. A message after a quiet spell is committed at once, so only a
        /// loaded dispatcher adds latency, up to the window. Below 10 ms, a cluster analysing news on the same
        /// cores spent about as much CPU committing as analysing (`Benchmarks/run`, the analysis section).
        public var commitWindow: Duration = Defaults.commitWindow
        /// The journal file's size limit (SQLite `max_page_count`), past which it is full as on a full disk. Nil for
        /// the disk's limit only.
        public var journalMaximumSizeBytes: Int?
        /// While the journal is full, a commit of this size is tried this often; intake resumes when one succeeds.
        public var storageProbeBytes = 256 << 10
        public var storageProbeInterval: Duration = .seconds(1)
        /// How often free pages go back to the file system and the write-ahead log is emptied.
        public var reclaimInterval: Duration = .seconds(10)
        /// CURVE keys and the allowlist; nil serves without authentication, every peer in every role (allowed on a
        /// loopback endpoint only, unless `insecure`). The lease key is `protocolConfiguration.leaseKey`.
        public var security: ServerSecurity?
        /// Serve without keys on a non-loopback endpoint (`--insecure`).
        public var insecure = false
        /// Told of every action carried out and, every `observeInterval`, of the status (the metrics); nil for none.
        public var observer: (any DispatcherObserver)?
        public var observeInterval: Duration = .milliseconds(250)

        public init(
            bindEndpoint: String, protocolConfiguration: DispatcherConfiguration, journalPath: String? = nil,
            maxMessagesPerCommit: Int = 1024
        ) {
            self.bindEndpoint = bindEndpoint
            self.protocolConfiguration = protocolConfiguration
            self.journalPath = journalPath
            self.maxMessagesPerCommit = max(maxMessagesPerCommit, 1)
        }
    }

    /// Why the dispatcher stopped serving.
    public enum ServiceError: Error, CustomStringConvertible {
        /// The journal could not make the latest changes durable; nothing that depended on them was sent.
        case journalCommitFailed(journal: String, underlying: any Error)

        public var description: String {
            switch self {
            case .journalCommitFailed(let journal, let underlying):
                "the job journal (\(journal)) failed to commit: \(underlying); stopping without sending what depended on it"
            }
        }
    }

    private let configuration: Configuration
    private let logger: Logger
    /// Every time the service reads: the state machine's, the journal's submission times, the commit window.
    private let clock: ServiceClock
    private var setup: SocketSetup {
        var setup = SocketSetup(maxMessageSize: Defaults.socketMaxMessageSize)
        setup.server = configuration.security
        return setup
    }
    private let ready: @Sendable (String) -> Void
    private let stop = StopRequest()
    /// The ZAP handler, while `run` serves with keys.
    private let zap = Mutex<ZAPAuthenticator?>(nil)

    /// `ready` is called with the bound endpoint (the real port when the endpoint asked for `*`) once the
    /// dispatcher serves.
    public init(
        configuration: Configuration, logger: Logger, clock: ServiceClock = .system,
        ready: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.ready = ready
    }

    /// Opens the journal, binds, and serves on a thread of its own until graceful shutdown (or `stopGracefully()`);
    /// then says BYE to every session and commits. Cancellation stops it at once: the journal keeps what was
    /// committed, and nothing uncommitted was ever acknowledged.
    public func run() async throws {
        let context = try ZMQContext()
        try await runOnLoopThread(name: "dispatcher", context: context, stop: stop) {
            try self.serve(context: context)
        }
    }

    /// How `serve(journal:router:intakeRefusal:standIn:announce:)` ended.
    private enum Ending {
        case stopped
        /// The journal could not commit for want of space; it is to be reopened with intake refused.
        case journalFull(reason: String)
        /// The journal that could not be opened for want of space opened: it is to be served.
        case journalOpened(any JobJournal)
    }

    /// Asks `run` to stop as graceful shutdown does.
    public func stopGracefully() { stop.request() }

    /// Reads the allowlist again now (SIGHUP); it is also re-read by itself when its files change.
    public func reloadAllowlist() { configuration.security?.allowlist.reload() }

    private func openJournal() throws -> any JobJournal {
        guard let path = configuration.journalPath, path != Configuration.inMemoryJournalPath else {
            return InMemoryJobJournal(clock: clock.wall)
        }
        return try SQLiteJobJournal(
            path: path, options: .init(maximumSizeBytes: configuration.journalMaximumSizeBytes, clock: clock.wall))
    }

    /// Binds, then serves journal after journal: the same file reopened at its last committed state each time a
    /// commit failed for want of space. When there is no room to open the journal at all (a full disk at the first
    /// start, or at a restart), an empty stand-in is served instead, with intake refused, until the journal opens:
    /// STATUS is answered meanwhile and says so, and the process never exits (and so never restart-loops) for it.
    private func serve(context: ZMQContext) throws {
        defer { context.shutdown() }
        try BindPolicy.check(
            service: "dispatcher", endpoint: configuration.bindEndpoint, secured: configuration.security != nil,
            insecure: configuration.insecure, keyFlags: "--key FILE --allow DIR --lease-key FILE")
        if let security = configuration.security {
            let authenticator = try ZAPAuthenticator(context: context, allowlist: security.allowlist, logger: logger)
            zap.withLock { $0 = authenticator }
            if configuration.protocolConfiguration.leaseKey == nil {
                logger.warning("CURVE is on without a lease key: results are not bound to their delivery")
            }
        }
        let router = try setup.boundRouter(context, endpoint: configuration.bindEndpoint)
        router.stopCondition = stop
        defer { router.close() }
        let notifier = SystemdNotifier()
        var intakeRefusal: String?
        var announced = false
        var opened: (any JobJournal)? = nil
        while !stop.isRequested {
            let ending: Ending
            do {
                let journal = try opened ?? openJournal()
                opened = nil
                ending = try serve(journal: journal, router: router, notifier: notifier, intakeRefusal: intakeRefusal, standIn: false,
                                   announce: !announced)
            } catch JobJournalError.diskFull(let path, let reason) {
                // Only opening throws this: a full disk met while serving ends that serve with `.journalFull`.
                let refusal = "the job journal at \(path) cannot be opened for want of space (\(reason)); new jobs are refused until it can be"
                logger.error("\(refusal); trying again every \(configuration.storageProbeInterval)")
                let standIn = InMemoryJobJournal(clock: clock.wall, description: "unavailable: \(path)")
                ending = try serve(journal: standIn, router: router, notifier: notifier, intakeRefusal: refusal, standIn: true,
                                   announce: !announced)
            }
            announced = true
            switch ending {
            case .stopped:
                return
            case .journalFull(let reason):
                intakeRefusal = reason
            case .journalOpened(let journal):
                opened = journal
                intakeRefusal = nil
                logger.notice("the job journal opens again: taking new jobs")
            }
        }
    }

    private func serve<Journal: JobJournal>(
        journal: Journal, router: Socket, notifier: SystemdNotifier, intakeRefusal: String?, standIn: Bool, announce: Bool
    ) throws -> Ending {
        let endpoint = try router.lastEndpoint
        var machine = DispatcherStateMachine(
            configuration: configuration.protocolConfiguration, journal: journal, now: self.now())
        machine.intakeRefusal = intakeRefusal
        var latencies = LatencyRecorder()
        var problems = ProblemLog()
        let found = machine.counts
        logger.info("""
            job journal \(machine.journal.description): \(found.total) jobs (\(found.queued) queued, \(found.retrying) \
            retrying, \(found.awaitingStore) awaiting store, \(found.stored) stored, \(found.failed) dead), \
            \(machine.redispatches) redispatches so far
            """)
        logger.info("job journal identity \(machine.journal.identity)")
        if announce {
            logger.info("dispatcher listening on \(endpoint)")
            ready(endpoint)
            notifier.ready()
        }

        var lastTick = clock.monotonic()
        var lastCommit = MonotonicInstant.origin
        var lastProbe = clock.monotonic()
        var lastReclaim = clock.monotonic()
        var lastObserved = MonotonicInstant.origin
        /// Set when sending ended sessions (peers cut off): their requeued jobs await the next commit.
        var uncommitted = false
        while !stop.isRequested {
            notifier.watchdog()
            FreedMemory.releaseIfDue()
            var poller = Poller()
            poller.register(router)
            let events = try poller.poll(timeout: .milliseconds(100))
            var pending: [DispatcherAction] = []
            var changed = false
            if events[0].contains(.readable) {
                var handled = 0
                /// An idle worker waits for this turn's commit (`DispatcherAction.endCommitWindow`).
                var workerWaits = false
                func drain() throws {
                    while handled < configuration.maxMessagesPerCommit, let incoming = try router.receiveIncoming(routed: true) {
                        handled += 1
                        let actions: [DispatcherAction]
                        switch incoming {
                        case .message(let message):
                            actions = machine.received(
                                frames: message.frames, authority: configuration.security.authority(of: message),
                                now: self.now())
                        case .tooManyFrames(let count): actions = machine.receivedTooManyFrames(count)
                        case .tooManyBytes(let count): actions = machine.receivedTooManyBytes(count)
                        }
                        // Read replies go out now; the rest waits for the commit (`DispatcherAction.waitsForCommit`),
                        // so a STATUS is answered within the time of reading it, not of the turn's commit.
                        var early: [DispatcherAction] = []
                        for action in actions {
                            if action == .endCommitWindow {
                                workerWaits = true
                            } else if action.waitsForCommit {
                                pending.append(action)
                            } else {
                                early.append(action)
                            }
                        }
                        if !early.isEmpty {
                            let outcome = try perform(
                                early, on: router, machine: &machine, latencies: &latencies, problems: &problems,
                                beforeCommit: true)
                            pending += outcome.deferred
                            if outcome.changedJournal { uncommitted = true }
                        }
                    }
                }
                try drain()
                // Within the commit window, wait for more messages to share this commit, unless a worker idles
                // until it is made.
                let windowEnds = lastCommit.advanced(by: configuration.commitWindow)
                while handled > 0, handled < configuration.maxMessagesPerCommit, !workerWaits {
                    let now = clock.monotonic()
                    guard now < windowEnds else { break }
                    var gathering = Poller()
                    gathering.register(router)
                    guard try gathering.poll(timeout: now.duration(to: windowEnds))[0].contains(.readable) else { break }
                    try drain()
                }
                changed = handled > 0
            }
            if uncommitted { changed = true }
            let now = clock.monotonic()
            if lastTick.duration(to: now) >= .milliseconds(100) {
                lastTick = now
                pending += machine.tick(now: self.now())
                changed = true
            }
            if changed {
                if let full = try commit(&machine) {
                    try refuseSubmits(in: pending, reason: full, on: router)
                    return .journalFull(reason: full)
                }
                lastCommit = clock.monotonic()
                uncommitted = try perform(pending, on: router, machine: &machine, latencies: &latencies, problems: &problems)
                    .changedJournal
            }
            // Right after a commit (or with nothing changed): no transaction is open.
            let after = clock.monotonic()
            if machine.intakeRefusal != nil, lastProbe.duration(to: after) >= configuration.storageProbeInterval {
                lastProbe = after
                if standIn {
                    if let journal = try? openJournal() { return .journalOpened(journal) }
                } else if machine.journalHasRoom(bytes: configuration.storageProbeBytes) {
                    machine.intakeRefusal = nil
                    logger.notice("job journal \(machine.journal.description) has room again: taking new jobs")
                }
            }
            if let observer = configuration.observer, lastObserved.duration(to: after) >= configuration.observeInterval {
                lastObserved = after
                observer.status(statusReply(machine, latencies: latencies, requestID: ""))
            }
            if lastReclaim.duration(to: after) >= configuration.reclaimInterval {
                lastReclaim = after
                machine.reclaimJournalSpace()
            }
        }
        notifier.stopping()
        logger.info("dispatcher stopping: \(machine.counts.queued) queued, \(machine.counts.inFlight) in flight go back to the queue")
        let farewell = machine.stop(now: self.now())
        if try commit(&machine) != nil { return .stopped }  // the next process finds the jobs queued again
        try? router.set(.linger, 1_000)  // let the BYEs out
        _ = try perform(farewell, on: router, machine: &machine, latencies: &latencies, problems: &problems)
        return .stopped
    }

    /// The state machine's status with what the service keeps: refused handshakes and the latency percentiles.
    private func completed(_ reply: Mirsad_V1_StatusReply, latencies: LatencyRecorder) -> Mirsad_V1_StatusReply {
        var reply = reply
        if let refused = zap.withLock({ $0?.refusedHandshakes }), refused > 0 {
            reply.securityRefusals[SecurityRefusals.Kind.unknownKey.rawValue, default: 0] += refused
        }
        reply.latencyP50Ms = latencies.milliseconds(atPercentile: 50)
        reply.latencyP99Ms = latencies.milliseconds(atPercentile: 99)
        return reply
    }

    private func statusReply<Journal: JobJournal>(
        _ machine: DispatcherStateMachine<Journal>, latencies: LatencyRecorder, requestID: String
    ) -> Mirsad_V1_StatusReply {
        completed(machine.status(requestID: requestID, now: now()), latencies: latencies)
    }

    /// Commits; nil when done, the reason when the journal is full (nothing prepared may then be sent). Any other
    /// failure throws.
    private func commit<Journal: JobJournal>(_ machine: inout DispatcherStateMachine<Journal>) throws -> String? {
        do {
            try machine.commit()
            return nil
        } catch let error as JobJournalError {
            guard case .diskFull = error else { throw failed(machine, error) }
            logger.error("""
                \(error); refusing new jobs (STORAGE_FULL) and reopening the journal at its last committed state; \
                status and dead letters are still served
                """)
            return "the job journal \(machine.journal.description) is full; try again when space returns"
        } catch {
            throw failed(machine, error)
        }
    }

    private func failed<Journal: JobJournal>(
        _ machine: DispatcherStateMachine<Journal>, _ error: any Error
    ) -> ServiceError {
        let failure = ServiceError.journalCommitFailed(journal: machine.journal.description, underlying: error)
        logger.critical("\(failure)")
        return failure
    }

    /// After a commit failed for want of space: each SUBMIT it would have acknowledged is refused with ERROR
    /// STORAGE_FULL instead (its jobs were not kept; the producer sends them again later). Nothing else is sent.
    private func refuseSubmits(in actions: [DispatcherAction], reason: String, on router: Socket) throws {
        for case .send(.submitAck(let ack), let peer) in actions {
            _ = try router.deliver(.error(.storageFull, reason, requestID: ack.requestID, command: .submit), to: peer)
        }
    }

    /// Now, on the monotonic clock (timers) and the wall clock (retry times, dead-letter times, latencies).
    private func now() -> DispatcherTime {
        DispatcherTime(clock)
    }

    /// What `perform` left: whether cutting peers off changed the journal (their sessions' jobs requeued), which
    /// must be committed, and, before a commit, the follow-ups that wait for it.
    private struct Performed {
        var changedJournal = false
        var deferred: [DispatcherAction] = []
    }

    /// Carries out the actions: after their commit, or with `beforeCommit` only actions that need none
    /// (`DispatcherAction.waitsForCommit` false); follow-ups that need one are then returned in `deferred`, for the
    /// caller to carry out after the commit. Sends never wait: a peer whose queue is full is cut off
    /// (`DispatcherStateMachine.peerQueueFull`), and nothing more is sent to it.
    private func perform<Journal: JobJournal>(
        _ actions: [DispatcherAction], on router: Socket, machine: inout DispatcherStateMachine<Journal>,
        latencies: inout LatencyRecorder, problems: inout ProblemLog, beforeCommit: Bool = false
    ) throws -> Performed {
        assert(!beforeCommit || actions.allSatisfy { !$0.waitsForCommit })
        var queue = actions[...]
        var changedJournal = false
        var deferred: [DispatcherAction] = []
        func deliver(_ message: MirsadMessage, to peer: RoutingID) throws {
            let now = self.now()
            guard !machine.isCutOff(peer, now: now) else { return }
            switch try router.deliver(message, to: peer) {
            case .sent: break
            case .peerGone:
                logger.debug("peer \(ProblemLog.describe(peer)) is gone; \(message.command) dropped")
            case .queueFull:
                let followUps = machine.peerQueueFull(peer, now: now)
                changedJournal = changedJournal || followUps.contains { if case .peerLeft = $0 { true } else { false } }
                for followUp in followUps {
                    if beforeCommit && followUp.waitsForCommit { deferred.append(followUp) } else { queue.append(followUp) }
                }
            }
        }
        while let action = queue.popFirst() {
            configuration.observer?.performed(action)
            switch action {
            case .send(let message, let peer):
                try deliver(message, to: peer)
            case .replyStatus(let reply, let peer):
                try deliver(.statusReply(completed(reply, latencies: latencies)), to: peer)
            case .droppedMalformed(let problem, let peer):
                problems.log("malformed message from \(ProblemLog.describe(peer)) dropped: \(problem)", kind: "malformed", logger: logger)
            case .refused(let command, let peer, let code, let reason):
                problems.log("refused \(command) from \(ProblemLog.describe(peer)): \(code) \(ProblemLog.text(reason))",
                             kind: "refused", logger: logger)
            case .cutOff(let peer, let sessionID):
                let session = sessionID.map { " (\(ProblemLog.text($0)), whose session ends)" } ?? ""
                problems.log("""
                    peer \(ProblemLog.describe(peer))\(session) cut off for \(configuration.protocolConfiguration.cutOffCooldown.inSeconds) s: \
                    its queue is full (it does not read what it is sent); what it sends meanwhile is dropped unread
                    """, kind: "cut_off", logger: logger)
            case .peerReportedError(let error, let peer):
                problems.log("peer \(ProblemLog.describe(peer)) reported \(error.code): \(ProblemLog.text(error.message))",
                             kind: "peer_error", level: .error, logger: logger)
            case .peerJoined(let id, let role, let capacity):
                problems.log("\(role) \(ProblemLog.text(id)) joined (capacity \(capacity))", kind: "session", level: .info, logger: logger)
            case .peerLeft(let id, let role, let reason, let requeued):
                problems.log("\(role) \(ProblemLog.text(id)) left (\(reason)); \(requeued) jobs requeued", kind: "session", level: .info, logger: logger)
            case .leaseExpired(let jobID, let workerID):
                problems.log("lease of job \(ProblemLog.text(jobID)) on \(ProblemLog.text(workerID)) expired: the worker stopped listing it",
                             kind: "lease", logger: logger)
            case .crashReported(let jobID, let workerID, let error, let counted):
                if counted {
                    problems.log("job \(ProblemLog.text(jobID)): \(ProblemLog.text(error))", kind: "job_failure", logger: logger)
                } else {
                    problems.log("crash report of \(ProblemLog.text(workerID)) for job \(ProblemLog.text(jobID)) ignored (not in flight with it): \(ProblemLog.text(error))",
                                 kind: "job_failure", level: .info, logger: logger)
                }
            case .retryScheduled(let jobID, _, let failures, let notBefore, let error):
                let wait = max(notBefore.sinceEpoch - clock.wall().sinceEpoch, .zero).wholeMilliseconds
                problems.log("job \(ProblemLog.text(jobID)) failed (attempt \(failures)): \(ProblemLog.text(error)); next attempt in \(wait) ms",
                             kind: "job_failure", logger: logger)
            case .deadLettered(let jobID, _, let attempts, let error):
                problems.log("job \(ProblemLog.text(jobID)) dead-lettered after \(attempts) failed attempts: \(ProblemLog.text(error))",
                             kind: "dead_letter", level: .error, logger: logger)
            case .storeOverdue(let count, let firstJobID, let deadline):
                logger.warning("""
                    \(count) jobs awaiting store (\(ProblemLog.text(firstJobID)) first) had no STORED within \(deadline.inSeconds) s of their \
                    DONE: queued again (the collector stores a job once, so a second run is harmless)
                    """)
            case .deadLettersRequeued(let count, let peer):
                problems.log("\(count) dead letters queued again at the request of \(ProblemLog.describe(peer))", kind: "operator", level: .info, logger: logger)
            case .jobStored(_, _, let latency):
                latencies.record(nanoseconds: UInt64(clamping: latency.wholeNanoseconds))
            case .endCommitWindow:
                break  // taken by the drain that gathers the turn's messages
            }
        }
        return Performed(changedJournal: changedJournal, deferred: deferred)
    }
}
