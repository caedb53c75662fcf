import Foundation
import MirsadWire

/// The dispatcher's protocol logic: events in, actions out. No sockets, no clock, no disk of its own.
///
/// Every job the dispatcher has acknowledged lives in `journal`; in memory are only the peers, the jobs in flight
/// (who holds each, its lease deadline, its failures so far) and per-batch counts. Memory therefore does not grow
/// with the number of queued or finished jobs (the per-batch counts aside).
///
/// The service around it passes received frames to `received(frames:now:)`, calls `tick(now:)` at least every
/// heartbeat interval, then calls `commit()` and only after it succeeds performs the gathered actions in order:
/// nothing the dispatcher sends (a SUBMIT_ACK, a JOBS, a STORED_ACK) gets ahead of the journal on disk.
///
/// Invariants (checked by `invariantViolations()`):
/// - `counts` is the sum of the per-batch counts, and both are the number of the journal's jobs in each state;
/// - the jobs in flight are exactly those with an in-flight record, each held by the live worker it names;
/// - a worker never holds more jobs than the capacity it announced. The jobs it holds are those sent to it and not
///   yet reported in DONE, minus those whose lease lapsed (it stopped listing them: it does not hold them);
/// - a job id is known at most once; resubmitting it changes nothing (idempotent);
/// - the batches in `rotation` are exactly those with queued jobs, each at its priority;
/// - a message its sender's key may not send (`SecurityRole`), or a session message from another key than the
///   session's, changes nothing but the refusal counts;
/// - with a lease key, every job handed out carries a lease for that dispatch, and a STORED ends a job that is not
///   awaiting store only on a valid lease for it.
///
/// Fairness: queued jobs go out by batch priority, round robin among the batches of one priority
/// (`BatchRotation`), so a small batch submitted behind a large one is not made to wait for it.
///
/// Delivery: a failed attempt (DONE failure, lapsed lease, reported crash) is retried after a backoff up to
/// `maxAttempts`, then dead-lettered; a worker that dies, leaves or is replaced gives its jobs back with no attempt
/// counted. A job may therefore run more than once; the collector stores it once.
public struct DispatcherStateMachine<Journal: JobJournal> {
    /// One worker or collector session.
    struct Peer: Sendable {
        var role: PeerRole
        /// The key that opened the session; every later message of the session must come from it.
        var authority: PeerAuthority
        var hello: Mirsad_V1_Hello
        var capacity: Int
        /// Jobs sent and not yet reported in DONE (nor lapsed); `held.count` is the credit in use.
        var held: Set<String> = []
        var lastHeard: MonotonicInstant
        var lastSent: MonotonicInstant
        var done: UInt64 = 0
        var failed: UInt64 = 0
        var doneRate = RateWindow()
        /// The peer's clock minus ours, in milliseconds, from its last HELLO or HEARTBEAT with `sent_unix_ms`.
        var clockOffsetMs: Int64?

        var freeCredit: Int { capacity - held.count }

        /// Records the offset of a message sent at `sentUnixMs` (0: not given) and received at `now`.
        mutating func heardClock(sentUnixMs: UInt64, now: DispatcherTime) {
            guard sentUnixMs > 0 else { return }
            clockOffsetMs = Int64(clamping: sentUnixMs) - Int64(clamping: now.wall.milliseconds)
        }

        /// As STATUS_REPLY lists it (section 10.7).
        func status(now: DispatcherTime) -> Mirsad_V1_WorkerStatus {
            .with {
                $0.id = hello.id
                $0.host = hello.host
                $0.pid = hello.pid
                $0.capacity = UInt32(capacity)
                $0.inFlight = UInt32(held.count)
                $0.done = done
                $0.failed = failed
                $0.rate = doneRate.rate(overSeconds: 60, at: now.monotonic)
                $0.silentMs = UInt64(clamping: lastHeard.duration(to: now.monotonic).wholeMilliseconds)
                $0.version = hello.version
                $0.clockOffsetMs = clockOffsetMs ?? 0
                $0.clockKnown = clockOffsetMs != nil
            }
        }
    }

    /// The longest error kept with a failed job, in UTF-8 bytes (so a page of dead letters fits in a frame).
    public static var maxErrorBytes: Int { 1024 }
    /// DEAD_LETTERS answers this many when the request names no limit ...
    public static var defaultDeadLetterLimit: Int { 100 }
    /// ... and never more than this.
    public static var maxDeadLetterLimit: Int { 4096 }

    public let configuration: DispatcherConfiguration
    /// Where every job is kept. Read it, never change it behind the state machine's back.
    public private(set) var journal: Journal
    private var inFlight: [String: InFlightJob] = [:]
    private var batches: [String: JobCounts]
    public private(set) var counts: JobCounts
    private var peers: [RoutingID: Peer] = [:]
    private var peerByID: [String: RoutingID] = [:]
    /// Workers in the order they joined; dispatch starts at `rotation` so no worker is always served first.
    private var workerOrder: [RoutingID] = []
    private var rotation = 0
    /// The batches with queued jobs, in the order they share the workers.
    private var batchRotation = BatchRotation()
    /// The priority of each batch whose priority is not 0 (kept in the journal too).
    private var batchPriority: [String: Int]
    /// Since when no worker (collector) has had a session; nil while one has.
    private var noWorkerSince: MonotonicInstant?
    private var noCollectorSince: MonotonicInstant?
    private var storedRate = RateWindow()
    private var backoff: RetryBackoff
    private let started: MonotonicInstant
    /// The wall clock's time at `started`. Retry times are reckoned from it on the monotonic clock (`retryClock`).
    private let startedWall: UnixTime
    private let redispatchesBeforeStart: UInt64
    /// Dispatches beyond a job's first made by this process.
    public private(set) var redispatchesSinceStart: UInt64 = 0
    /// What peers did wrong since start, by kind: every message dropped, refused or cut short is counted here.
    public private(set) var peerProblems = PeerProblemCounts()
    /// Messages dropped as malformed (framing, size, decoding), and well-formed ones refused with ERROR, since start.
    public var malformedMessages: UInt64 { peerProblems.total(of: PeerProblem.malformedKinds) }
    public var refusedMessages: UInt64 { peerProblems[.refused] }
    /// Peers that did not read what they were sent, cut off for `configuration.cutOffCooldown`.
    private var cutOff: PeerCutOff
    /// Messages and entries refused for security reasons, by kind (also counted in `refusedMessages` when the
    /// whole message was refused with ERROR).
    public private(set) var securityRefusals = SecurityRefusals()
    /// Set by the service while the journal cannot take new jobs (its disk is full): every SUBMIT is refused with
    /// ERROR STORAGE_FULL and this reason; everything else is served as usual.
    public var intakeRefusal: String?
    /// Stored jobs forgotten per tick at most, so that a backlog of expired ones never holds the loop long.
    static var maxPrunedPerTick: Int { 10_000 }

    /// Starts over `journal` as opened: its jobs are counted (`recovered()`), none is in flight.
    public init(configuration: DispatcherConfiguration = .init(), journal: Journal, now: DispatcherTime) {
        self.configuration = configuration
        self.journal = journal
        let recovery = journal.recovered()
        self.batches = recovery.batches
        self.counts = recovery.batches.values.reduce(JobCounts(), +)
        self.redispatchesBeforeStart = recovery.redispatches
        self.batchPriority = recovery.priorities
        self.backoff = RetryBackoff(
            base: configuration.retryBackoff, maximum: configuration.retryBackoffMax, seed: configuration.randomSeed)
        self.started = now.monotonic
        self.cutOff = PeerCutOff(cooldown: configuration.cutOffCooldown)
        self.noWorkerSince = now.monotonic
        self.noCollectorSince = now.monotonic
        self.startedWall = now.wall
        // Sorted, so that a restart serves the batches in the same order whatever the dictionary's.
        for (batchID, c) in recovery.batches.sorted(by: { $0.key < $1.key }) where c.queued > 0 {
            batchRotation.add(batchID, priority: recovery.priorities[batchID] ?? 0)
        }
    }

    /// The time retry not-before times are written in and compared with: the wall time at start plus the monotonic
    /// time since, in whole milliseconds. While the dispatcher runs a wall clock set back or forward moves no retry;
    /// written down as wall time, the times still mean something to the next process.
    private func retryClock(_ now: DispatcherTime) -> UnixTime {
        UnixTime(milliseconds: startedWall.milliseconds
            &+ UInt64(clamping: started.duration(to: now.monotonic).wholeMilliseconds))
    }

    // MARK: - Queries

    public func counts(ofBatch batchID: String) -> JobCounts? { batches[batchID] }
    /// The in-flight record of a job, nil when the job is not in flight.
    public func inFlightJob(_ jobID: String) -> InFlightJob? { inFlight[jobID] }
    /// Routing ids of the registered workers, in join order.
    public var workers: [RoutingID] { workerOrder }
    public func role(of peer: RoutingID) -> PeerRole { peers[peer]?.role ?? .client }
    /// Jobs the worker holds (sent, not yet reported in DONE, lease not lapsed).
    public func jobsHeld(by peer: RoutingID) -> Set<String> { peers[peer]?.held ?? [] }
    /// Dispatches beyond each job's first, over the journal's life.
    public var redispatches: UInt64 { redispatchesBeforeStart + redispatchesSinceStart }
    /// The priority of a batch (0 unless a SUBMIT of it gave another).
    public func priority(ofBatch batchID: String) -> Int { batchPriority[batchID] ?? 0 }
    /// How long no worker has had a session (since the last one left, or the dispatcher started); nil while one has.
    public func noWorkerFor(now: DispatcherTime) -> Duration? { noWorkerSince.map { $0.duration(to: now.monotonic) } }
    /// The same for collectors.
    public func noCollectorFor(now: DispatcherTime) -> Duration? { noCollectorSince.map { $0.duration(to: now.monotonic) } }
    /// How many more jobs a producer may send now: the room left under `maxQueuedJobs`, at most `maxProducerCredit`.
    public var producerCredit: Int {
        max(0, min(configuration.maxQueuedJobs - counts.waiting, configuration.maxProducerCredit))
    }

    /// Violations of the invariants that the state machine can check by itself, empty when all hold. Linear in
    /// the jobs in flight: for tests and the fuzz target. (That the counts match the journal's contents needs the
    /// journal's help.)
    public func invariantViolations() -> [String] {
        var problems: [String] = []
        let sum = batches.values.reduce(JobCounts(), +)
        if sum != counts { problems.append("counts \(counts) differ from the sum of the batches' \(sum)") }
        if counts.inFlight != inFlight.count {
            problems.append("\(counts.inFlight) counted in flight, \(inFlight.count) in-flight records")
        }
        var inFlightByBatch: [String: Int] = [:]
        for (jobID, record) in inFlight {
            inFlightByBatch[record.batchID, default: 0] += 1
            guard let owner = peers[record.worker], owner.role == .worker else {
                problems.append("\(jobID) is in flight with a peer that is not a registered worker")
                continue
            }
            if !owner.held.contains(jobID) { problems.append("\(jobID) is in flight with \(owner.hello.id), which does not hold it") }
        }
        for (batchID, c) in batches where c.inFlight != inFlightByBatch[batchID, default: 0] {
            problems.append("batch \(batchID) counts \(c.inFlight) in flight, \(inFlightByBatch[batchID, default: 0]) records")
        }
        for (routingID, peer) in peers {
            if peer.held.count > peer.capacity { problems.append("\(peer.hello.id) holds \(peer.held.count) > \(peer.capacity)") }
            if peerByID[peer.hello.id] != routingID { problems.append("\(peer.hello.id) is not indexed by id") }
        }
        if Set(workerOrder) != Set(peers.filter { $0.value.role == .worker }.keys) { problems.append("worker order is stale") }
        let queuedBatches = Dictionary(uniqueKeysWithValues: batches.filter { $0.value.queued > 0 }.map {
            ($0.key, batchPriority[$0.key] ?? 0)
        })
        if batchRotation.members != queuedBatches {
            problems.append("batch rotation \(batchRotation.members) differs from the batches with queued jobs \(queuedBatches)")
        }
        if (noWorkerSince == nil) == workerOrder.isEmpty { problems.append("no-worker time is stale") }
        if (noCollectorSince == nil) != peers.values.contains(where: { $0.role == .collector }) {
            problems.append("no-collector time is stale")
        }
        return problems
    }

    // MARK: - Events

    /// Frames as received from the ROUTER socket (routing id first), sent by `authority` (the message's key and its
    /// roles, or `.trusted` on an unauthenticated socket).
    public mutating func received(
        frames: [[UInt8]], authority: PeerAuthority = .trusted, now: DispatcherTime
    ) -> [DispatcherAction] {
        // Jobs pass through: a SUBMIT's jobs are journaled and forwarded as their producer encoded them.
        if let routingID = frames.first, cutOff.isCutOff(routingID, now: now.monotonic) {
            peerProblems.add(.droppedWhileCutOff)
            return []
        }
        let (peer, decoded) = FrameCodec.decodeRouted(frames, reading: .passThrough)
        switch decoded {
        case .success(let message):
            guard let peer else { return [] }  // decodeRouted returns a message only with a routing id
            return received(message, from: peer, authority: authority, now: now)
        case .failure(let problem):
            peerProblems.add(.malformed)
            var actions: [DispatcherAction] = [.droppedMalformed(problem, from: peer)]
            // A peer speaking another version of this protocol is told so, in v1 framing, naming the command byte
            // it sent (the frame after the protocol id, when that is one octet).
            if case .wrongProtocolID(let id) = problem, id.starts(with: Array("MRSD".utf8)), let peer {
                let command = frames.count > 2 && frames[2].count == 1 ? UInt32(frames[2][0]) : 0
                var error = Mirsad_V1_Error()
                error.code = .versionMismatch
                error.message = "this dispatcher speaks \(FrameCodec.protocolIDString) only"
                error.command = command
                actions.append(.send(.error(error), to: peer))
            }
            return actions
        }
    }

    /// A message the socket refused to collect because it had more frames than any protocol message
    /// (`frameCount` of them, routing id included); it was drained and dropped.
    public mutating func receivedTooManyFrames(_ frameCount: Int) -> [DispatcherAction] {
        peerProblems.add(.tooManyFrames)
        return [.droppedMalformed(.wrongFrameCount(frameCount - 1), from: nil)]
    }

    /// A message the socket refused to collect because it had more bytes than any protocol message (`byteCount`,
    /// routing id included); it was drained and dropped.
    public mutating func receivedTooManyBytes(_ byteCount: Int) -> [DispatcherAction] {
        peerProblems.add(.tooManyBytes)
        return [.droppedMalformed(.frameTooLarge(byteCount), from: nil)]
    }

    /// A send to `peer` found its queue full: it does not read what it is sent. The peer is cut off for the
    /// cooldown (nothing more is sent to it, its messages are dropped unread) and its session, if it has one, ends
    /// (its jobs go back to the queue, no attempt counted). Counted once per cut-off.
    public mutating func peerQueueFull(_ peer: RoutingID, now: DispatcherTime) -> [DispatcherAction] {
        guard cutOff.queueFull(peer, now: now.monotonic) else { return [] }
        peerProblems.add(.cutOff)
        let sessionID = peers[peer]?.hello.id
        return [.cutOff(peer, sessionID: sessionID)] + removePeer(peer, reason: .cutOff, now: now)
    }

    /// Whether `peer` is cut off now: nothing is to be sent to it.
    public func isCutOff(_ peer: RoutingID, now: DispatcherTime) -> Bool {
        cutOff.isCutOff(peer, now: now.monotonic)
    }

    /// A decoded message from `peer`, sent by `authority`.
    ///
    /// Authorisation comes first, by the sender's key: a key the allowlist does not list, a command none of the
    /// key's roles may send (`SecurityRole`), or a session command from another key than the session's is refused
    /// with ERROR `NOT_ALLOWED`, counted in `securityRefusals`, and changes nothing else (not even liveness). Then
    /// the session role is checked (`PeerRole`).
    public mutating func received(
        _ message: MirsadMessage, from peer: RoutingID, authority: PeerAuthority = .trusted, now: DispatcherTime
    ) -> [DispatcherAction] {
        let command = message.command
        if let refusal = securityRefusal(message, from: peer, authority: authority, now: now) { return refusal }
        let role = peers[peer]?.role ?? .client
        peers[peer]?.lastHeard = now.monotonic
        guard PeerRole.allowedToSend(command).contains(role) else {
            // A peer the dispatcher does not know (never said HELLO, or declared dead) must say HELLO again.
            let sessionOnly = !PeerRole.allowedToSend(command).isDisjoint(with: [.worker, .collector])
            if role == .client && sessionOnly {
                // Routine after a dispatcher restart or a silence: the sender is a worker or collector whose
                // session this dispatcher does not have. It is no client; it need only say HELLO again.
                return refuse(command, from: peer, code: .unknownPeer,
                              "\(command) needs a session and this connection has none (the dispatcher restarted or ended it); say HELLO again",
                              requestID: "", now: now)
            }
            return refuse(command, from: peer, code: .notAllowed, "\(command) is not allowed from a \(role)", requestID: "", now: now)
        }
        switch message {
        case .hello(let hello): return receivedHello(hello, from: peer, authority: authority, now: now)
        case .submitView(let submit): return receivedSubmit(submit, from: peer, now: now)
        case .submit(let submit):
            // Callers in this process (tests) may hand over a decoded SUBMIT: its jobs are encoded once here.
            let view = Mirsad_V1_SubmitView.with {
                $0.requestID = submit.requestID
                $0.batchID = submit.batchID
                $0.jobs = submit.jobs.map { (try? $0.serializedData()) ?? Data() }
            }
            return receivedSubmit(view, from: peer, now: now)
        case .batchStatus(let request):
            return [.send(.batchStatusReply(batchStatus(request.batchID, requestID: request.requestID, now: now)), to: peer)]
        case .status(let request): return [.replyStatus(status(requestID: request.requestID, now: now), to: peer)]
        case .deadLetters(let request): return receivedDeadLetters(request, from: peer, now: now)
        case .retryDeadLetters(let request): return receivedRetryDeadLetters(request, from: peer, now: now)
        case .done(let done): return receivedDone(done, from: peer, now: now)
        case .stored(let stored): return receivedStored(stored, from: peer, now: now)
        case .heartbeat(let heartbeat): return receivedHeartbeat(heartbeat, from: peer, now: now)
        case .bye: return removePeer(peer, reason: .bye, now: now)
        case .error(let error): return [.peerReportedError(error, from: peer)]
        case .welcome, .jobs, .storedAck, .submitAck, .batchStatusReply, .statusReply, .deadLettersReply,
             .retryDeadLettersReply, .results, .resultsAck, .jobsView, .resultsView:
            return []  // unreachable: no role may send these to the dispatcher
        }
    }

    /// The refusal of a message its sender's key may not send; nil when the key may.
    private mutating func securityRefusal(
        _ message: MirsadMessage, from peer: RoutingID, authority: PeerAuthority, now: DispatcherTime
    ) -> [DispatcherAction]? {
        guard authority != .trusted || peers[peer].map({ $0.authority != .trusted }) == true else { return nil }
        let command = message.command
        let kind: SecurityRefusals.Kind
        let reason: String
        if authority.isUnknownKey {
            (kind, reason) = (.unknownKey, "the sender's key is not in the allowlist")
        } else if case .hello(let hello) = message,
                  !authority.holdsAny(of: SecurityRole.allowed(toSayHelloAs: hello.role)) {
            (kind, reason) = (.forbiddenByRole, "a HELLO as \(hello.role) needs a key of that role")
        } else if !authority.holdsAny(of: SecurityRole.allowed(toSend: command)) {
            let roles = SecurityRole.allowed(toSend: command).map(\.rawValue).sorted().joined(separator: " or ")
            (kind, reason) = (.forbiddenByRole, "\(command) needs a key of role \(roles.isEmpty ? "(none)" : roles)")
        } else if command != .hello, let session = peers[peer], session.authority != authority {
            (kind, reason) = (.sessionKeyMismatch, "\(command) comes from another key than the one that said HELLO")
        } else {
            return nil
        }
        securityRefusals.count(kind)
        return refuse(command, from: peer, code: .notAllowed, reason, requestID: message.requestID ?? "", now: now)
    }

    /// Time passes: declares silent peers dead (their jobs requeued), queues retries whose time has come, takes
    /// back jobs whose lease lapsed (a failed attempt each), sends heartbeats, dispatches.
    public mutating func tick(now: DispatcherTime) -> [DispatcherAction] {
        var actions: [DispatcherAction] = []
        for (routingID, peer) in peers.sorted(by: { $0.value.hello.id < $1.value.hello.id })
        where peer.lastHeard.duration(to: now.monotonic) >= configuration.livenessTimeout {
            actions += removePeer(routingID, reason: .silent, now: now)
        }
        if counts.retrying > 0 {
            for promoted in journal.promoteDueRetries(now: retryClock(now)) {
                move(promoted.batchID, from: .retrying, to: .queued)
            }
        }
        if counts.awaitingStore > 0 {
            let overdue = journal.requeueOverdueAwaitingStore(now: retryClock(now))
            for ref in overdue { move(ref.batchID, from: .awaitingStore, to: .queued) }
            if let first = overdue.first {
                actions.append(.storeOverdue(count: overdue.count, firstJobID: first.jobID,
                                             deadline: configuration.storeDeadline))
            }
        }
        let lapsed = inFlight.filter { $0.value.deadline <= now.monotonic }.sorted { $0.key < $1.key }
        for (jobID, record) in lapsed {
            let workerID = peers[record.worker]?.hello.id ?? "?"
            peers[record.worker]?.held.remove(jobID)
            actions.append(.leaseExpired(jobID: jobID, workerID: workerID))
            actions.append(failedAttempt(jobID, record, error: "lease expired on worker \(workerID)", workerID: workerID,
                                         permanent: false, now: now))
        }
        for (routingID, peer) in peers.sorted(by: { $0.value.hello.id < $1.value.hello.id })
        where peer.lastSent.duration(to: now.monotonic) >= configuration.heartbeatInterval {
            actions.append(send(.heartbeat, to: routingID, now: now))
        }
        pruneStored(now: now)
        actions += dispatch(now: now)
        return actions
    }

    /// Forgets stored jobs stored longer than `configuration.storedRetention` ago (at most `maxPrunedPerTick`), and
    /// every batch left with no job.
    private mutating func pruneStored(now: DispatcherTime) {
        let retention = UInt64(clamping: configuration.storedRetention.wholeMilliseconds)
        guard counts.stored > 0, now.wall.milliseconds > retention else { return }
        let cutoff = UnixTime(milliseconds: now.wall.milliseconds - retention)
        for (batchID, pruned) in journal.pruneStored(storedBefore: cutoff, limit: Self.maxPrunedPerTick) {
            counts.stored -= pruned
            batches[batchID, default: JobCounts()].stored -= pruned
            if batches[batchID]?.total == 0 { batches[batchID] = nil }
        }
    }

    /// The dispatcher is stopping: says BYE to every worker and collector and forgets them; their jobs go back to
    /// the queue (in the journal), so the next process hands them out again.
    public mutating func stop(now: DispatcherTime) -> [DispatcherAction] {
        var actions: [DispatcherAction] = []
        for (routingID, _) in peers.sorted(by: { $0.value.hello.id < $1.value.hello.id }) {
            actions.append(send(.bye(.with { $0.reason = "dispatcher stopping" }), to: routingID, now: now))
            actions += removePeer(routingID, reason: .dispatcherStopping, now: now)
        }
        return actions
    }

    /// Makes every change since the last commit durable (`journal.commit()`). Call it before performing the actions
    /// the changes produced. A failure leaves the journal's last committed state for the next process: stop.
    public mutating func commit() throws {
        try journal.commit()
    }

    /// `journal.reclaimSpace()`, right after a commit.
    public mutating func reclaimJournalSpace() {
        journal.reclaimSpace()
    }

    /// `journal.hasRoom(bytes:)`, right after a commit.
    public mutating func journalHasRoom(bytes: Int) -> Bool {
        journal.hasRoom(bytes: bytes)
    }

    // MARK: - Replies

    public func batchStatus(_ batchID: String, requestID: String, now: DispatcherTime) -> Mirsad_V1_BatchStatusReply {
        let c = batches[batchID]
        return .with {
            $0.requestID = requestID
            $0.journalID = journal.identity
            $0.batchID = batchID
            $0.known = c != nil
            if let c {
                $0.total = UInt32(clamping: c.total)
                $0.queued = UInt32(clamping: c.queued)
                $0.inFlight = UInt32(clamping: c.inFlight)
                $0.retrying = UInt32(clamping: c.retrying)
                $0.awaitingStore = UInt32(clamping: c.awaitingStore)
                $0.stored = UInt32(clamping: c.stored)
                $0.failed = UInt32(clamping: c.failed)
            }
            $0.noWorkerForMs = Self.absence(noWorkerSince, now: now)
            $0.noCollectorForMs = Self.absence(noCollectorSince, now: now)
        }
    }

    /// An absence as the wire carries it: 0 when nothing is absent, else whole milliseconds, at least 1.
    static func absence(_ since: MonotonicInstant?, now: DispatcherTime) -> UInt64 {
        guard let since else { return 0 }
        return max(1, UInt64(clamping: since.duration(to: now.monotonic).wholeMilliseconds))
    }

    /// Everything but the latency percentiles, which the service keeps (fed by `.jobStored`).
    public func status(requestID: String, now: DispatcherTime) -> Mirsad_V1_StatusReply {
        .with { reply in
            reply.requestID = requestID
            reply.queued = UInt64(counts.queued)
            reply.inFlight = UInt64(counts.inFlight)
            reply.retrying = UInt64(counts.retrying)
            reply.awaitingStore = UInt64(counts.awaitingStore)
            reply.stored = UInt64(counts.stored)
            reply.failed = UInt64(counts.failed)
            reply.deadLetters = UInt64(counts.failed)
            reply.redispatches = redispatches
            reply.journal = journal.description + (intakeRefusal == nil ? "" : " (full: new jobs refused)")
            reply.workers = workerOrder.compactMap { peers[$0]?.status(now: now) }
            let collectors = peers.values.filter { $0.role == .collector }
            reply.collectors = UInt32(collectors.count)
            reply.collectorSessions = collectors.map { $0.status(now: now) }.sorted { $0.id < $1.id }
            reply.throughput10S = storedRate.rate(overSeconds: 10, at: now.monotonic)
            reply.throughput1M = storedRate.rate(overSeconds: 60, at: now.monotonic)
            reply.uptimeMs = UInt64(clamping: started.duration(to: now.monotonic).wholeMilliseconds)
            reply.malformedMessages = malformedMessages
            reply.refusedMessages = refusedMessages
            reply.peerProblems = peerProblems.wire
            reply.batches = UInt64(batches.count)
            reply.version = configuration.version
            reply.noWorkerForMs = Self.absence(noWorkerSince, now: now)
            reply.noCollectorForMs = Self.absence(noCollectorSince, now: now)
            reply.securityRefusals = securityRefusals.wire
        }
    }

    // MARK: - Sessions

    private mutating func receivedHello(
        _ hello: Mirsad_V1_Hello, from peer: RoutingID, authority: PeerAuthority, now: DispatcherTime
    ) -> [DispatcherAction] {
        let role: PeerRole
        switch hello.role {
        case .worker: role = .worker
        case .collector: role = .collector
        case .unspecified, .UNRECOGNIZED:
            return refuse(.hello, from: peer, code: .invalid, "HELLO role must be worker or collector", requestID: "", now: now)
        }
        if let problem = SubmitValidation.identifierProblem(hello.id, name: "id", mayBeEmpty: false)
            ?? SubmitValidation.identifierProblem(hello.replaces, name: "replaces", mayBeEmpty: true) {
            return refuse(.hello, from: peer, code: .invalid, problem, requestID: "", now: now)
        }
        let capacity = Int(hello.capacity)
        if role == .worker, !(1...ProtocolLimits.maxCredit).contains(capacity) {
            return refuse(.hello, from: peer, code: .invalid,
                          "worker capacity \(capacity) is not in 1...\(ProtocolLimits.maxCredit)", requestID: "", now: now)
        }
        if role == .collector, capacity != 0 {
            return refuse(.hello, from: peer, code: .invalid,
                          "collector capacity must be 0 (a collector takes no jobs), not \(capacity)", requestID: "", now: now)
        }
        if hello.crashed.count > ProtocolLimits.maxIDsPerMessage {
            return refuse(.hello, from: peer, code: .tooLarge,
                          "\(hello.crashed.count) crash reports in one HELLO; the limit is \(ProtocolLimits.maxIDsPerMessage)",
                          requestID: "", now: now)
        }
        // With keys, a session's id belongs to the key that opened it: only that key may take the id over or name it
        // in `replaces` (both end the live session and the second reports its crashes).
        if authority != .trusted {
            for claimed in [hello.id, hello.replaces] where !claimed.isEmpty {
                if let holder = peerByID[claimed], holder != peer, let session = peers[holder],
                   session.authority.keyText != authority.keyText {
                    securityRefusals.count(.sessionKeyMismatch)
                    return refuse(.hello, from: peer, code: .notAllowed,
                                  "the id \(claimed) belongs to a live session of another key", requestID: "", now: now)
                }
            }
        }
        var actions = crashReports(hello.crashed, previousID: hello.replaces, now: now)
        if !hello.replaces.isEmpty, let previous = peerByID[hello.replaces], peers[previous]?.role == role {
            actions += removePeer(previous, reason: .replaced, now: now)
        }
        if peers[peer] != nil { actions += removePeer(peer, reason: .replaced, now: now) }
        if let previous = peerByID[hello.id] { actions += removePeer(previous, reason: .replaced, now: now) }
        var kept = hello
        kept.crashed = []  // handled; not kept for the session's life
        peers[peer] = Peer(role: role, authority: authority, hello: kept, capacity: role == .worker ? capacity : 0,
                           lastHeard: now.monotonic, lastSent: now.monotonic)
        peers[peer]?.heardClock(sentUnixMs: hello.sentUnixMs, now: now)
        peerByID[hello.id] = peer
        if role == .worker {
            workerOrder.append(peer)
            noWorkerSince = nil
        } else {
            noCollectorSince = nil
        }
        actions.append(.peerJoined(id: hello.id, role: role, capacity: role == .worker ? capacity : 0))
        let welcome = Mirsad_V1_Welcome.with {
            $0.collectorEndpoint = configuration.collectorEndpoint
            $0.heartbeatIntervalMs = UInt32(clamping: configuration.heartbeatInterval.wholeMilliseconds)
            $0.livenessTimeoutMs = UInt32(clamping: configuration.livenessTimeout.wholeMilliseconds)
            $0.limits = .current
            $0.version = configuration.version
            $0.journalID = journal.identity
        }
        actions.append(send(.welcome(welcome), to: peer, now: now))
        actions += dispatch(now: now)
        return actions
    }

    /// A new process's report that its predecessor `previousID` crashed while running these jobs: a failed attempt
    /// for each job in flight with that predecessor, or taken back uncounted when the predecessor went silent (the
    /// journal remembers which jobs, across restarts: `countLateCrash`). Any other report is only logged: the job was
    /// taken back already counted (lapsed lease), or was never that process's.
    private mutating func crashReports(_ crashed: [Mirsad_V1_JobFailure], previousID: String, now: DispatcherTime) -> [DispatcherAction] {
        var actions: [DispatcherAction] = []
        let previous = previousID.isEmpty ? nil : peerByID[previousID].flatMap { peers[$0]?.role == .worker ? $0 : nil }
        for report in crashed {
            let jobID = report.jobID
            let error = Self.truncated("worker \(previousID.isEmpty ? "?" : previousID) crashed: \(report.error)")
            /// The crash is the failed attempt of the run `record` describes, which its worker no longer holds.
            func countAgainstRun(_ record: InFlightJob) {
                peers[record.worker]?.held.remove(jobID)
                actions.append(.crashReported(jobID: jobID, workerID: previousID, error: error, counted: true))
                actions.append(failedAttempt(jobID, record, error: error, workerID: previousID,
                                             permanent: report.permanent, now: now))
            }
            if let previous, let record = inFlight[jobID], record.worker == previous {
                countAgainstRun(record)
            } else if !previousID.isEmpty, let late = journal.countLateCrash(jobID, workerID: previousID, error: error) {
                // Taken back uncounted when the crashed process went silent; the journal has counted it now.
                if let record = inFlight[jobID] {
                    if attemptsUsedUp(late.failures) || report.permanent {
                        // Its last allowed attempt was the crash: the run under way is one too many. Dead now; a
                        // result that still arrives makes it stored instead (STORED wins over a dead letter).
                        var counted = record
                        counted.failures = late.failures - 1
                        countAgainstRun(counted)
                    } else {
                        inFlight[jobID]?.failures = late.failures
                        actions.append(.crashReported(jobID: jobID, workerID: previousID, error: error, counted: true))
                    }
                } else {
                    actions.append(.crashReported(jobID: jobID, workerID: previousID, error: error, counted: true))
                    if attemptsUsedUp(late.failures) || report.permanent {
                        // Crashed its workers as often as it may: not sent again.
                        actions.append(deadLetter(jobID, batchID: late.batchID, from: late.state, failures: late.failures,
                                                  error: error, workerID: previousID, now: now))
                    }
                }
            } else {
                actions.append(.crashReported(jobID: jobID, workerID: previousID, error: error, counted: false))
            }
        }
        return actions
    }

    /// A worker's HEARTBEAT lists the jobs it holds: each listed job in flight with it gets a new lease.
    private mutating func receivedHeartbeat(_ heartbeat: Mirsad_V1_Heartbeat, from peer: RoutingID, now: DispatcherTime) -> [DispatcherAction] {
        if heartbeat.jobIds.count > ProtocolLimits.maxIDsPerMessage {
            return refuse(.heartbeat, from: peer, code: .tooLarge,
                          "\(heartbeat.jobIds.count) job ids in one HEARTBEAT; the limit is \(ProtocolLimits.maxIDsPerMessage)",
                          requestID: "", now: now)
        }
        peers[peer]?.heardClock(sentUnixMs: heartbeat.sentUnixMs, now: now)
        let deadline = now.monotonic.advanced(by: configuration.jobLease)
        for jobID in heartbeat.jobIds where inFlight[jobID]?.worker == peer {
            inFlight[jobID]?.deadline = deadline
        }
        return []
    }

    private mutating func receivedDone(_ done: Mirsad_V1_Done, from peer: RoutingID, now: DispatcherTime) -> [DispatcherAction] {
        let listed = done.jobIds.count + done.failures.count
        if listed > ProtocolLimits.maxIDsPerMessage {
            return refuse(.done, from: peer, code: .tooLarge,
                          "\(listed) job ids in one DONE; the limit is \(ProtocolLimits.maxIDsPerMessage)", requestID: "", now: now)
        }
        guard var worker = peers[peer] else { return [] }  // the role check admitted only registered workers
        var actions: [DispatcherAction] = []
        var finished: [String] = []
        // Entries for jobs this worker does not hold change nothing (their lease lapsed, or they were never its).
        let notHeld = done.jobIds.filter { !worker.held.contains($0) }.count
            + done.failures.filter { !worker.held.contains($0.jobID) }.count
        securityRefusals.count(.doneNotHeld, notHeld)
        for jobID in done.jobIds where worker.held.remove(jobID) != nil {
            worker.done += 1
            worker.doneRate.record(at: now.monotonic)
            // Only the job's owner moves it on; a job STORED meanwhile has no record and stays stored.
            guard let record = inFlight[jobID], record.worker == peer else { continue }
            inFlight[jobID] = nil
            finished.append(jobID)
            move(record.batchID, from: .inFlight, to: .awaitingStore)
        }
        if !finished.isEmpty {
            journal.markAwaitingStore(contentsOf: finished, storeDeadline: retryClock(now).advanced(by: configuration.storeDeadline))
        }
        for failure in done.failures where worker.held.remove(failure.jobID) != nil {
            worker.failed += 1
            guard let record = inFlight[failure.jobID], record.worker == peer else { continue }
            actions.append(failedAttempt(failure.jobID, record, error: failure.error, workerID: worker.hello.id,
                                         permanent: failure.permanent, now: now))
        }
        peers[peer] = worker
        let dispatched = dispatch(now: now)
        let sendsJobsToIt = dispatched.contains { if case .send(.jobsView, peer) = $0 { true } else { false } }
        return actions + dispatched + (done.workerIdle && sendsJobsToIt ? [.endCommitWindow] : [])
    }

    private mutating func receivedStored(_ stored: Mirsad_V1_Stored, from peer: RoutingID, now: DispatcherTime) -> [DispatcherAction] {
        if stored.jobIds.count > ProtocolLimits.maxIDsPerMessage {
            return refuse(.stored, from: peer, code: .tooLarge,
                          "\(stored.jobIds.count) job ids in one STORED; the limit is \(ProtocolLimits.maxIDsPerMessage)",
                          requestID: "", now: now)
        }
        var actions: [DispatcherAction] = []
        let ending = storedJobsToEnd(stored)
        for (jobID, transition) in zip(ending, journal.markStored(contentsOf: ending)) {
            guard let transition else { continue }
            move(transition.batchID, from: transition.previous, to: .stored)
            // A job in flight can be stored when STORED overtakes the worker's DONE (or the result of an earlier
            // attempt arrives): its record goes, the worker keeps the credit until its DONE.
            if transition.previous == .inFlight { inFlight[jobID] = nil }
            storedRate.record(at: now.monotonic)
            // In whole milliseconds, the unit submission times are kept in; a wall clock that went back gives zero.
            let nowMillis = now.wall.milliseconds, submittedMillis = transition.submitted.milliseconds
            let latencyMillis = nowMillis > submittedMillis ? nowMillis - submittedMillis : 0
            actions.append(.jobStored(
                jobID: jobID, batchID: transition.batchID, latency: .milliseconds(Int64(clamping: latencyMillis))))
        }
        actions.append(send(.storedAck(.with { $0.jobIds = stored.jobIds }), to: peer, now: now))
        return actions
    }

    /// The ids of a STORED whose jobs it ends. Without a lease key, all of them (a trusted cluster). With one, a job
    /// awaiting store (its holder's DONE was seen: the STORED is what the dispatcher waits for), and a job in any
    /// other state only on a valid lease for it (a STORED overtaking its DONE, a late result of an earlier attempt).
    /// Any other entry for a known job that is not stored changes nothing and is counted as a forged STORED; it is
    /// still acknowledged, like unknown ids.
    private mutating func storedJobsToEnd(_ stored: Mirsad_V1_Stored) -> [String] {
        guard let key = configuration.leaseKey else { return stored.jobIds }
        var leases: [String: Mirsad_V1_Lease] = [:]
        for lease in stored.leases { leases[lease.jobID] = lease }
        return stored.jobIds.filter { jobID in
            if let lease = leases[jobID], key.isValid(lease) { return true }
            switch journal.state(of: jobID) {
            case .awaitingStore: return true
            case nil, .stored: return false
            case .queued, .inFlight, .retrying, .failed:
                securityRefusals.count(.forgedStored)
                return false
            }
        }
    }

    private mutating func removePeer(_ routingID: RoutingID, reason: PeerLeaveReason, now: DispatcherTime) -> [DispatcherAction] {
        guard let peer = peers.removeValue(forKey: routingID) else { return [] }
        if peerByID[peer.hello.id] == routingID { peerByID[peer.hello.id] = nil }
        workerOrder.removeAll { $0 == routingID }
        if peer.role == .worker, workerOrder.isEmpty { noWorkerSince = noWorkerSince ?? now.monotonic }
        if peer.role == .collector, !peers.values.contains(where: { $0.role == .collector }) {
            noCollectorSince = noCollectorSince ?? now.monotonic
        }
        var requeued: Set<String> = []
        for jobID in peer.held.sorted() {
            guard let record = inFlight[jobID], record.worker == routingID else { continue }
            inFlight[jobID] = nil
            if reason == .silent {
                journal.requeue(jobID, fromSilentWorker: peer.hello.id)
            } else {
                journal.requeue(jobID)
            }
            move(record.batchID, from: .inFlight, to: .queued)
            requeued.insert(jobID)
        }
        return [.peerLeft(id: peer.hello.id, role: peer.role, reason: reason, requeued: requeued.count)]
    }

    // MARK: - Client requests

    private mutating func receivedSubmit(_ submit: Mirsad_V1_SubmitView, from peer: RoutingID, now: DispatcherTime) -> [DispatcherAction] {
        if let reason = intakeRefusal {
            return refuse(.submit, from: peer, code: .storageFull, reason, requestID: submit.requestID, now: now)
        }
        if let (code, problem) = SubmitValidation.problem(with: submit) {
            return refuse(.submit, from: peer, code: code, problem, requestID: submit.requestID, now: now)
        }
        if !submit.jobs.isEmpty, counts.waiting + submit.jobs.count > configuration.maxQueuedJobs {
            return refuse(.submit, from: peer, code: .busy,
                          "\(counts.waiting) jobs are waiting (queued or retrying); the limit is \(configuration.maxQueuedJobs)",
                          requestID: submit.requestID, now: now)
        }
        var ack = Mirsad_V1_SubmitAck.with {
            $0.requestID = submit.requestID
            $0.batchID = submit.batchID
            $0.journalID = journal.identity
        }
        var taken: [EncodedJob] = []
        taken.reserveCapacity(submit.jobs.count)
        for (index, bytes) in submit.jobs.enumerated() {
            let job: EncodedJob
            do {
                job = try EncodedJob(bytes: bytes, batchID: submit.batchID)
            } catch {
                ack.rejected.append(.with {
                    $0.index = UInt32(index)
                    $0.reason = error.reason
                })
                continue
            }
            if let reason = SubmitValidation.problem(with: job, batchID: submit.batchID) {
                ack.rejected.append(.with {
                    $0.index = UInt32(index)
                    $0.jobID = String(job.jobID.prefix(ProtocolLimits.maxIdentifierBytes))
                    $0.reason = reason
                })
                continue
            }
            taken.append(job)
        }
        let inserted = journal.insert(contentsOf: taken).filter { $0 }.count
        ack.duplicates = UInt32(taken.count - inserted)
        ack.accepted = UInt32(inserted)
        if inserted > 0 {
            // The last SUBMIT that queues jobs of a batch sets its priority.
            let priority = Int(submit.priority)
            if priority != self.priority(ofBatch: submit.batchID) {
                batchPriority[submit.batchID] = priority == 0 ? nil : priority
                journal.setPriority(priority, ofBatch: submit.batchID)
                batchRotation.changePriority(of: submit.batchID, to: priority)
            }
            counts.queued += inserted
            batches[submit.batchID, default: JobCounts()].queued += inserted
            batchRotation.add(submit.batchID, priority: priority)
        }
        ack.credit = UInt32(clamping: producerCredit)
        ack.noWorkerForMs = Self.absence(noWorkerSince, now: now)
        ack.noCollectorForMs = Self.absence(noCollectorSince, now: now)
        return [.send(.submitAck(ack), to: peer)] + dispatch(now: now)
    }

    private mutating func receivedDeadLetters(_ request: Mirsad_V1_DeadLetters, from peer: RoutingID, now: DispatcherTime) -> [DispatcherAction] {
        if let problem = SubmitValidation.identifierProblem(request.requestID, name: "request_id", mayBeEmpty: true)
            ?? SubmitValidation.identifierProblem(request.batchID, name: "batch_id", mayBeEmpty: true)
            ?? SubmitValidation.identifierProblem(request.afterJobID, name: "after_job_id", mayBeEmpty: true) {
            return refuse(.deadLetters, from: peer, code: .invalid, problem, requestID: request.requestID, now: now)
        }
        let limit = request.limit == 0 ? Self.defaultDeadLetterLimit : min(Int(request.limit), Self.maxDeadLetterLimit)
        let batchID = request.batchID.isEmpty ? nil : request.batchID
        // One more than asked tells whether more follow.
        var letters = journal.deadLetters(
            batchID: batchID, afterJobID: request.afterJobID.isEmpty ? nil : request.afterJobID, limit: limit + 1)
        let more = letters.count > limit
        if more { letters.removeLast(letters.count - limit) }
        let reply = Mirsad_V1_DeadLettersReply.with {
            $0.requestID = request.requestID
            $0.letters = letters
            $0.total = UInt64(batchID.map { batches[$0]?.failed ?? 0 } ?? counts.failed)
            $0.more = more
        }
        return [.send(.deadLettersReply(reply), to: peer)]
    }

    private mutating func receivedRetryDeadLetters(
        _ request: Mirsad_V1_RetryDeadLetters, from peer: RoutingID, now: DispatcherTime
    ) -> [DispatcherAction] {
        if request.jobIds.count > ProtocolLimits.maxIDsPerMessage {
            return refuse(.retryDeadLetters, from: peer, code: .tooLarge,
                          "\(request.jobIds.count) job ids in one RETRY_DEAD_LETTERS; the limit is \(ProtocolLimits.maxIDsPerMessage)",
                          requestID: request.requestID, now: now)
        }
        if let problem = SubmitValidation.identifierProblem(request.requestID, name: "request_id", mayBeEmpty: true)
            ?? SubmitValidation.identifierProblem(request.batchID, name: "batch_id", mayBeEmpty: true)
            ?? (request.all && !request.jobIds.isEmpty ? "job_ids and all = true exclude each other" : nil)
            ?? (!request.all && !request.batchID.isEmpty ? "batch_id applies only with all = true" : nil) {
            return refuse(.retryDeadLetters, from: peer, code: .invalid, problem, requestID: request.requestID, now: now)
        }
        let requeued: [JournalJobRef]
        if request.all {
            requeued = journal.retryDeadLetters(jobIDs: nil, batchID: request.batchID.isEmpty ? nil : request.batchID)
        } else if request.jobIds.isEmpty {
            requeued = []
        } else {
            requeued = journal.retryDeadLetters(jobIDs: request.jobIds, batchID: nil)
        }
        for ref in requeued { move(ref.batchID, from: .failed, to: .queued) }
        let requeuedIDs = Set(requeued.map(\.jobID))
        var listed = Set<String>()
        let reply = Mirsad_V1_RetryDeadLettersReply.with {
            $0.requestID = request.requestID
            $0.requeued = UInt32(clamping: requeued.count)
            $0.notDead = request.jobIds.filter { !requeuedIDs.contains($0) && listed.insert($0).inserted }
        }
        var actions: [DispatcherAction] = [.send(.retryDeadLettersReply(reply), to: peer)]
        if !requeued.isEmpty { actions.insert(.deadLettersRequeued(count: requeued.count, from: peer), at: 0) }
        return actions + dispatch(now: now)
    }

    // MARK: - Delivery

    /// Gives queued jobs to workers with free credit, one job per worker in turn, starting at a rotating worker.
    /// Which jobs: `batchRotation`'s share of the free credit for each batch, higher priorities first and within a
    /// priority interleaved (one job of each batch in turn), so that every worker gets its part of each batch. Asks the journal only when something is queued, and
    /// for no more jobs than the free credit.
    private mutating func dispatch(now: DispatcherTime) -> [DispatcherAction] {
        guard counts.queued > 0, !workerOrder.isEmpty else { return [] }
        let freeCredit = workerOrder.reduce(0) { $0 + max(peers[$1]?.freeCredit ?? 0, 0) }
        guard freeCredit > 0 else { return [] }
        var taken: [JournalJob] = []
        for level in batchRotation.plan(credit: min(freeCredit, counts.queued), counts: batches) {
            // A priority's jobs before the next one's; within a priority one job of each batch in turn.
            let perBatch = level.map { journal.takeQueued(ofBatch: $0.batchID, limit: $0.count) }
            for round in 0..<(perBatch.map(\.count).max() ?? 0) {
                for jobs in perBatch where round < jobs.count { taken.append(jobs[round]) }
            }
        }
        guard !taken.isEmpty else { return [] }
        let start = rotation % workerOrder.count
        rotation &+= 1
        let order = Array(workerOrder[start...] + workerOrder[..<start])
        let deadline = now.monotonic.advanced(by: configuration.jobLease)
        var assigned: [RoutingID: [EncodedJob]] = [:]
        var next = 0
        while next < taken.count {
            var progress = false
            for routingID in order where next < taken.count && (peers[routingID]?.freeCredit ?? 0) > 0 {
                let handed = taken[next]
                next += 1
                let jobID = handed.job.jobID
                inFlight[jobID] = InFlightJob(
                    worker: routingID, deadline: deadline, failures: handed.failures, dispatches: handed.dispatches,
                    batchID: handed.job.batchID, submitted: handed.submitted)
                move(handed.job.batchID, from: .queued, to: .inFlight)
                if handed.dispatches > 1 { redispatchesSinceStart += 1 }
                peers[routingID]?.held.insert(jobID)
                assigned[routingID, default: []].append(leased(handed, to: routingID))
                progress = true
            }
            if !progress { break }  // unreachable: no more taken than the free credit
        }
        for handed in taken[next...] {  // never taken in practice; kept consistent if it were
            journal.requeue(handed.job.jobID)
        }
        var actions: [DispatcherAction] = []
        for routingID in order {
            guard let batch = assigned[routingID] else { continue }
            for chunk in MessageBatching.split(batch, size: \.sizeInMessage) {
                actions.append(send(.jobsView(.with { $0.jobs = chunk.map(\.bytes) }), to: routingID, now: now))
            }
        }
        return actions
    }

    /// The job as handed to the worker at `routingID`: with this dispatch's lease when there is a lease key.
    private func leased(_ handed: JournalJob, to routingID: RoutingID) -> EncodedJob {
        guard let key = configuration.leaseKey, let worker = peers[routingID] else { return handed.job }
        return handed.job.withLease(key.lease(
            jobID: handed.job.jobID, attempt: handed.dispatches, workerID: worker.hello.id,
            workerKey: worker.authority.keyText))
    }

    /// An attempt of an in-flight job failed (its record is `record`; its worker no longer holds it): retried after
    /// a backoff, or dead-lettered at `maxAttempts` or when `permanent`.
    private mutating func failedAttempt(
        _ jobID: String, _ record: InFlightJob, error: String, workerID: String, permanent: Bool, now: DispatcherTime
    ) -> DispatcherAction {
        inFlight[jobID] = nil
        let failures = record.failures + 1
        let error = Self.truncated(error)
        if permanent || attemptsUsedUp(failures) {
            return deadLetter(jobID, batchID: record.batchID, from: .inFlight, failures: failures, error: error,
                              workerID: workerID, now: now)
        }
        let delay = backoff.delay(afterFailures: failures)
        // A whole millisecond, as journals keep times: the retry clock's millisecond plus the delay rounded up.
        let delayMillis = (UInt64(clamping: delay.wholeNanoseconds) + 999_999) / 1_000_000
        let notBefore = UnixTime(milliseconds: retryClock(now).milliseconds &+ delayMillis)
        journal.scheduleRetry(jobID, failures: failures, notBefore: notBefore, error: error, workerID: workerID)
        move(record.batchID, from: .inFlight, to: .retrying)
        return .retryScheduled(jobID: jobID, batchID: record.batchID, failures: failures, notBefore: notBefore, error: error)
    }

    /// Whether a job with `failures` failed attempts has used up its attempts (`maxAttempts`, at least one).
    private func attemptsUsedUp(_ failures: Int) -> Bool { failures >= max(configuration.maxAttempts, 1) }

    /// A job leaves state `old` as a dead letter: the one place where jobs die.
    private mutating func deadLetter(
        _ jobID: String, batchID: String, from old: JobCounts.Kind, failures: Int, error: String, workerID: String,
        now: DispatcherTime
    ) -> DispatcherAction {
        journal.deadLetter(jobID, failures: failures, error: error, workerID: workerID, at: now.wall)
        move(batchID, from: old, to: .failed)
        return .deadLettered(jobID: jobID, batchID: batchID, attempts: failures, error: error)
    }

    /// A job of `batchID` went from one state to another in the journal.
    private mutating func move(_ batchID: String, from old: JobCounts.Kind, to new: JobCounts.Kind) {
        counts[old] -= 1
        counts[new] += 1
        batches[batchID, default: JobCounts()][old] -= 1
        batches[batchID, default: JobCounts()][new] += 1
        if new == .queued, old != .queued {
            batchRotation.add(batchID, priority: priority(ofBatch: batchID))
        } else if old == .queued, new != .queued, batches[batchID]?.queued == 0 {
            batchRotation.remove(batchID)
        }
    }

    private mutating func send(_ message: MirsadMessage, to routingID: RoutingID, now: DispatcherTime) -> DispatcherAction {
        peers[routingID]?.lastSent = now.monotonic
        return .send(message, to: routingID)
    }

    private mutating func refuse(
        _ command: Command, from peer: RoutingID, code: Mirsad_V1_ErrorCode, _ reason: String, requestID: String,
        now: DispatcherTime
    ) -> [DispatcherAction] {
        peerProblems.add(.refused)
        return [
            .refused(command, from: peer, code: code, reason: reason),
            send(.error(code, reason, requestID: requestID, command: command), to: peer, now: now),
        ]
    }

    /// `error` cut to at most `maxErrorBytes` UTF-8 bytes, on a character boundary.
    static func truncated(_ error: String) -> String {
        guard error.utf8.count > maxErrorBytes else { return error }
        var cut = ""
        var bytes = 0
        for character in error {
            let size = character.utf8.count
            if bytes + size > maxErrorBytes - 3 { break }
            cut.append(character)
            bytes += size
        }
        return cut + "..."
    }
}

extension DispatcherStateMachine: Sendable where Journal: Sendable {}

extension DispatcherStateMachine where Journal == InMemoryJobJournal {
    /// A dispatcher over a fresh in-memory journal.
    public init(configuration: DispatcherConfiguration = .init(), now: DispatcherTime) {
        self.init(configuration: configuration, journal: InMemoryJobJournal(), now: now)
    }
}

extension Mirsad_V1_Limits {
    /// The limits of this implementation (`ProtocolLimits`), as sent in WELCOME.
    public static var current: Mirsad_V1_Limits {
        .with {
            $0.maxFrameBytes = UInt32(ProtocolLimits.maxFrameBytes)
            $0.maxJobsPerMessage = UInt32(ProtocolLimits.maxJobsPerMessage)
            $0.maxArticleBytes = UInt32(ProtocolLimits.maxArticleBytes)
            $0.maxCredit = UInt32(ProtocolLimits.maxCredit)
            $0.maxIdsPerMessage = UInt32(ProtocolLimits.maxIDsPerMessage)
        }
    }
}
