import DispatcherJournal
import Foundation
import Logging
import MirsadCore
import MirsadWire
import ServiceLifecycle
import ZeroMQ

/// The dispatcher: one ROUTER socket, a thin loop around `DispatcherStateMachine` and its job journal.
///
/// Every decision (whom to give which job, who is dead, what to retry, what to refuse) is the state machine's; this
/// loop moves frames, keeps time, records latencies, logs, and commits the journal. Group commit: after each drain
/// of up to `maxMessagesPerCommit` messages (and after each tick) the journal is committed, and only then are the
/// gathered replies sent, so no acknowledgement ever gets ahead of the disk.
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
        /// trickling in from busy workers and collectors share commits (each costs a log write and an fsync).
        public var commitWindow: Duration = .milliseconds(5)
        /// The journal file's size limit (SQLite `max_page_count`), past which it is full as on a full disk. Nil for
        /// the disk's limit only.
        public var journalMaximumSizeBytes: Int?
        /// While the journal is full, a commit of this size is tried this often; intake resumes when one succeeds.
        public var storageProbeBytes = 256 << 10
        public var storageProbeInterval: Duration = .seconds(1)
        /// How often free pages go back to the file system and the write-ahead log is emptied.
        public var reclaimInterval: Duration = .seconds(10)

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
    private let setup = SocketSetup(maxMessageSize: Defaults.socketMaxMessageSize)
    private let ready: @Sendable (String) -> Void
    private let stop = StopRequest()

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
        let router = try setup.boundRouter(context, endpoint: configuration.bindEndpoint)
        defer { router.close() }
        var intakeRefusal: String?
        var announced = false
        var opened: (any JobJournal)? = nil
        while !stop.isRequested {
            let ending: Ending
            do {
                let journal = try opened ?? openJournal()
                opened = nil
                ending = try serve(journal: journal, router: router, intakeRefusal: intakeRefusal, standIn: false,
                                   announce: !announced)
            } catch JobJournalError.diskFull(let path, let reason) {
                // Only opening throws this: a full disk met while serving ends that serve with `.journalFull`.
                let refusal = "the job journal at \(path) cannot be opened for want of space (\(reason)); new jobs are refused until it can be"
                logger.error("\(refusal); trying again every \(configuration.storageProbeInterval)")
                let standIn = InMemoryJobJournal(clock: clock.wall, description: "unavailable: \(path)")
                ending = try serve(journal: standIn, router: router, intakeRefusal: refusal, standIn: true,
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
        journal: Journal, router: Socket, intakeRefusal: String?, standIn: Bool, announce: Bool
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
        }

        var lastTick = clock.monotonic()
        var lastCommit = MonotonicInstant.origin
        var lastProbe = clock.monotonic()
        var lastReclaim = clock.monotonic()
        while !stop.isRequested {
            var poller = Poller()
            poller.register(router)
            let events = try poller.poll(timeout: .milliseconds(100))
            var pending: [DispatcherAction] = []
            var changed = false
            if events[0].contains(.readable) {
                var handled = 0
                func drain() throws {
                    while handled < configuration.maxMessagesPerCommit, let incoming = try router.receiveIncoming(routed: true) {
                        handled += 1
                        switch incoming {
                        case .message(let message): pending += machine.received(frames: message.frames, now: self.now())
                        case .tooManyFrames(let count): pending += machine.receivedTooManyFrames(count)
                        }
                    }
                }
                try drain()
                // Within the commit window, wait for more messages to share this commit.
                let windowEnds = lastCommit.advanced(by: configuration.commitWindow)
                while handled > 0, handled < configuration.maxMessagesPerCommit {
                    let now = clock.monotonic()
                    guard now < windowEnds else { break }
                    var gathering = Poller()
                    gathering.register(router)
                    guard try gathering.poll(timeout: now.duration(to: windowEnds))[0].contains(.readable) else { break }
                    try drain()
                }
                changed = handled > 0
            }
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
                try perform(pending, on: router, latencies: &latencies, problems: &problems)
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
            if lastReclaim.duration(to: after) >= configuration.reclaimInterval {
                lastReclaim = after
                machine.reclaimJournalSpace()
            }
        }
        logger.info("dispatcher stopping: \(machine.counts.queued) queued, \(machine.counts.inFlight) in flight go back to the queue")
        let farewell = machine.stop(now: self.now())
        if try commit(&machine) != nil { return .stopped }  // the next process finds the jobs queued again
        try? router.set(.linger, 1_000)  // let the BYEs out
        try perform(farewell, on: router, latencies: &latencies, problems: &problems)
        return .stopped
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
            _ = try router.send(.error(.storageFull, reason, requestID: ack.requestID, command: .submit), to: peer)
        }
    }

    /// Now, on the monotonic clock (timers) and the wall clock (retry times, dead-letter times, latencies).
    private func now() -> DispatcherTime {
        DispatcherTime(clock)
    }

    private func perform(
        _ actions: [DispatcherAction], on router: Socket, latencies: inout LatencyRecorder, problems: inout ProblemLog
    ) throws {
        for action in actions {
            switch action {
            case .send(let message, let peer):
                if try !router.send(message, to: peer) {
                    logger.debug("peer \(ProblemLog.describe(peer)) is gone; \(message.command) dropped")
                }
            case .replyStatus(var reply, let peer):
                reply.latencyP50Ms = latencies.milliseconds(atPercentile: 50)
                reply.latencyP99Ms = latencies.milliseconds(atPercentile: 99)
                try router.send(.statusReply(reply), to: peer)
            case .droppedMalformed(let problem, let peer):
                problems.log("malformed message from \(ProblemLog.describe(peer)) dropped: \(problem)", logger: logger)
            case .refused(let command, let peer, let code, let reason):
                problems.log("refused \(command) from \(ProblemLog.describe(peer)): \(code) \(reason)", logger: logger)
            case .peerReportedError(let error, let peer):
                logger.error("peer \(ProblemLog.describe(peer)) reported \(error.code): \(error.message)")
            case .peerJoined(let id, let role, let capacity):
                logger.info("\(role) \(id) joined (capacity \(capacity))")
            case .peerLeft(let id, let role, let reason, let requeued):
                logger.info("\(role) \(id) left (\(reason)); \(requeued) jobs requeued")
            case .leaseExpired(let jobID, let workerID):
                logger.warning("lease of job \(jobID) on \(workerID) expired: the worker stopped listing it")
            case .crashReported(let jobID, let workerID, let error, let counted):
                if counted {
                    logger.warning("job \(jobID): \(error)")
                } else {
                    logger.info("crash report of \(workerID) for job \(jobID) ignored (not in flight with it): \(error)")
                }
            case .retryScheduled(let jobID, _, let failures, let notBefore, let error):
                let wait = max(notBefore.sinceEpoch - clock.wall().sinceEpoch, .zero).wholeMilliseconds
                logger.warning("job \(jobID) failed (attempt \(failures)): \(error); next attempt in \(wait) ms")
            case .deadLettered(let jobID, _, let attempts, let error):
                logger.error("job \(jobID) dead-lettered after \(attempts) failed attempts: \(error)")
            case .storeOverdue(let count, let firstJobID, let deadline):
                logger.warning("""
                    \(count) jobs awaiting store (\(firstJobID) first) had no STORED within \(deadline.inSeconds) s of their \
                    DONE: queued again (the collector stores a job once, so a second run is harmless)
                    """)
            case .deadLettersRequeued(let count, let peer):
                logger.info("\(count) dead letters queued again at the request of \(ProblemLog.describe(peer))")
            case .jobStored(_, _, let latency):
                latencies.record(nanoseconds: UInt64(clamping: latency.wholeNanoseconds))
            }
        }
    }
}
