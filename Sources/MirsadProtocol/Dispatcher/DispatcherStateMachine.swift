/// The dispatcher's protocol logic: events in, actions out. No sockets, no clock.
///
/// The service around it receives frames from its ROUTER and passes them to `received(frames:now:)`, calls
/// `tick(now:)` at least every heartbeat interval, and performs the returned actions in order. `now` is a monotonic
/// time in nanoseconds and must never decrease.
///
/// Invariants:
/// - a job id is known at most once; resubmitting it changes nothing (idempotent);
/// - `counts` (and each batch's counts) are the number of known jobs in each `JobState`;
/// - a worker never holds more jobs than the capacity it announced: the jobs it holds are those sent to it and not
///   yet reported in DONE (including jobs whose lease lapsed and went to another worker);
/// - a job is in flight with at most one worker; when that worker dies or says BYE the job is queued again.
public struct DispatcherStateMachine<Queue: JobQueue>: Sendable {
    /// One worker or collector session.
    struct Peer: Sendable {
        var role: PeerRole
        var hello: Mirsad_V1_Hello
        var capacity: Int
        /// Jobs sent and not yet reported in DONE; `held.count` is the credit in use.
        var held: Set<String> = []
        var lastHeardNanos: UInt64
        var lastSentNanos: UInt64
        var done: UInt64 = 0
        var failed: UInt64 = 0
        var doneRate = RateWindow()

        var freeCredit: Int { capacity - held.count }
    }

    struct JobRecord: Sendable {
        /// The job as submitted. Invariant: present while the job is queued or in flight; dropped once the job is
        /// awaiting store, stored or failed (it is never sent again).
        var job: Mirsad_V1_Job?
        var batchID: String
        var submittedNanos: UInt64
        var state: JobState
    }

    public let configuration: DispatcherConfiguration
    private var queue: Queue
    private var jobs: [String: JobRecord] = [:]
    private var batches: [String: JobCounts] = [:]
    public private(set) var counts = JobCounts()
    private var peers: [RoutingID: Peer] = [:]
    private var peerByID: [String: RoutingID] = [:]
    /// Workers in the order they joined; dispatch starts at `rotation` so no worker is always served first.
    private var workerOrder: [RoutingID] = []
    private var rotation = 0
    private var storedRate = RateWindow()
    private let startedNanos: UInt64
    /// Messages dropped as malformed, and well-formed ones refused with ERROR, since start.
    public private(set) var malformedMessages: UInt64 = 0
    public private(set) var refusedMessages: UInt64 = 0

    public init(configuration: DispatcherConfiguration = .init(), queue: Queue, now: UInt64) {
        self.configuration = configuration
        self.queue = queue
        self.startedNanos = now
    }

    // MARK: - Queries

    public func state(ofJob jobID: String) -> JobState? { jobs[jobID]?.state }
    public func counts(ofBatch batchID: String) -> JobCounts? { batches[batchID] }
    /// Routing ids of the registered workers, in join order.
    public var workers: [RoutingID] { workerOrder }
    public func role(of peer: RoutingID) -> PeerRole { peers[peer]?.role ?? .client }
    /// Jobs the worker holds (sent, not yet reported in DONE).
    public func jobsHeld(by peer: RoutingID) -> Set<String> { peers[peer]?.held ?? [] }

    /// Violations of the type's invariants, empty when all hold. Linear in the number of jobs: for tests.
    func invariantViolations() -> [String] {
        var problems: [String] = []
        var recount = JobCounts()
        var batchRecount: [String: JobCounts] = [:]
        for (id, record) in jobs {
            recount[record.state.kind] += 1
            batchRecount[record.batchID, default: JobCounts()][record.state.kind] += 1
            switch record.state {
            case .queued, .inFlight:
                if record.job == nil { problems.append("\(id) is \(record.state) without its job") }
            case .awaitingStore, .stored, .failed:
                break
            }
            if case .inFlight(let owner, _) = record.state, peers[owner]?.held.contains(id) != true {
                problems.append("\(id) is in flight with a worker that does not hold it")
            }
        }
        if recount != counts { problems.append("counts \(counts) differ from the jobs' states \(recount)") }
        if batchRecount != batches { problems.append("batch counts differ from the jobs' states") }
        if queue.count < counts.queued { problems.append("queue holds \(queue.count) entries for \(counts.queued) queued jobs") }
        for (routingID, peer) in peers {
            if peer.held.count > peer.capacity { problems.append("\(peer.hello.id) holds \(peer.held.count) > \(peer.capacity)") }
            if peerByID[peer.hello.id] != routingID { problems.append("\(peer.hello.id) is not indexed by id") }
        }
        if Set(workerOrder) != Set(peers.filter { $0.value.role == .worker }.keys) { problems.append("worker order is stale") }
        return problems
    }

    // MARK: - Events

    /// Frames as received from the ROUTER socket (routing id first).
    public mutating func received(frames: [[UInt8]], now: UInt64) -> [DispatcherAction] {
        let (peer, decoded) = FrameCodec.decodeRouted(frames)
        switch decoded {
        case .success(let message):
            guard let peer else { return [] }  // decodeRouted returns a message only with a routing id
            return received(message, from: peer, now: now)
        case .failure(let problem):
            malformedMessages += 1
            var actions: [DispatcherAction] = [.droppedMalformed(problem, from: peer)]
            // A peer speaking another version of this protocol is told so, in v1 framing.
            if case .wrongProtocolID(let id) = problem, id.starts(with: Array("MRSD".utf8)), let peer {
                actions.append(.send(.error(.versionMismatch, "this dispatcher speaks \(FrameCodec.protocolIDString) only"), to: peer))
            }
            return actions
        }
    }

    /// A message the socket refused to collect because it had more frames than any protocol message
    /// (`frameCount` of them, routing id included); it was drained and dropped.
    public mutating func receivedTooManyFrames(_ frameCount: Int) -> [DispatcherAction] {
        malformedMessages += 1
        return [.droppedMalformed(.wrongFrameCount(frameCount - 1), from: nil)]
    }

    /// A decoded message from `peer`.
    public mutating func received(_ message: MirsadMessage, from peer: RoutingID, now: UInt64) -> [DispatcherAction] {
        let role = peers[peer]?.role ?? .client
        peers[peer]?.lastHeardNanos = now
        let command = message.command
        guard PeerRole.allowedToSend(command).contains(role) else {
            // A peer the dispatcher does not know (never said HELLO, or declared dead) must say HELLO again.
            let sessionOnly = !PeerRole.allowedToSend(command).isDisjoint(with: [.worker, .collector])
            let code: Mirsad_V1_ErrorCode = role == .client && sessionOnly ? .unknownPeer : .notAllowed
            return refuse(command, from: peer, code: code, "\(command) is not allowed from a \(role)", requestID: "", now: now)
        }
        switch message {
        case .hello(let hello): return receivedHello(hello, from: peer, now: now)
        case .submit(let submit): return receivedSubmit(submit, from: peer, now: now)
        case .batchStatus(let request):
            return [.send(.batchStatusReply(batchStatus(request.batchID, requestID: request.requestID)), to: peer)]
        case .status(let request): return [.replyStatus(status(requestID: request.requestID, now: now), to: peer)]
        case .done(let done): return receivedDone(done, from: peer, now: now)
        case .stored(let stored): return receivedStored(stored, from: peer, now: now)
        case .heartbeat: return []
        case .bye: return removePeer(peer, reason: .bye)
        case .error(let error): return [.peerReportedError(error, from: peer)]
        case .deadLetters, .retryDeadLetters:
            return []
        case .welcome, .jobs, .storedAck, .submitAck, .batchStatusReply, .statusReply, .deadLettersReply,
             .retryDeadLettersReply, .results, .resultsAck:
            return []  // unreachable: no role may send these to the dispatcher
        }
    }

    /// Time passes: declares silent peers dead, takes back jobs whose lease lapsed, sends heartbeats, dispatches.
    public mutating func tick(now: UInt64) -> [DispatcherAction] {
        var actions: [DispatcherAction] = []
        for (routingID, peer) in peers.sorted(by: { $0.value.hello.id < $1.value.hello.id })
        where now &- peer.lastHeardNanos >= configuration.livenessTimeoutNanos {
            actions += removePeer(routingID, reason: .silent)
        }
        for routingID in workerOrder {
            guard let peer = peers[routingID] else { continue }
            for jobID in peer.held.sorted() {
                guard case .inFlight(let owner, let deadline)? = jobs[jobID]?.state, owner == routingID, deadline <= now
                else { continue }
                setState(jobID, .queued)
                queue.enqueueFront(jobID)
                actions.append(.leaseExpired(jobID: jobID, workerID: peer.hello.id))
            }
        }
        for (routingID, peer) in peers.sorted(by: { $0.value.hello.id < $1.value.hello.id })
        where now &- peer.lastSentNanos >= configuration.heartbeatIntervalNanos {
            actions.append(send(.heartbeat, to: routingID, now: now))
        }
        actions += dispatch(now: now)
        return actions
    }

    /// The dispatcher is stopping: says BYE to every worker and collector and forgets them.
    public mutating func stop(now: UInt64) -> [DispatcherAction] {
        var actions: [DispatcherAction] = []
        for (routingID, _) in peers.sorted(by: { $0.value.hello.id < $1.value.hello.id }) {
            actions.append(send(.bye(.with { $0.reason = "dispatcher stopping" }), to: routingID, now: now))
            actions += removePeer(routingID, reason: .dispatcherStopping)
        }
        return actions
    }

    // MARK: - Replies

    public func batchStatus(_ batchID: String, requestID: String) -> Mirsad_V1_BatchStatusReply {
        let c = batches[batchID]
        return .with {
            $0.requestID = requestID
            $0.batchID = batchID
            $0.known = c != nil
            if let c {
                $0.total = UInt32(clamping: c.total)
                $0.queued = UInt32(clamping: c.queued)
                $0.inFlight = UInt32(clamping: c.inFlight)
                $0.awaitingStore = UInt32(clamping: c.awaitingStore)
                $0.stored = UInt32(clamping: c.stored)
                $0.failed = UInt32(clamping: c.failed)
            }
        }
    }

    /// Everything but the latency percentiles, which the service keeps (fed by `.jobStored`).
    public func status(requestID: String, now: UInt64) -> Mirsad_V1_StatusReply {
        .with { reply in
            reply.requestID = requestID
            reply.queued = UInt64(counts.queued)
            reply.inFlight = UInt64(counts.inFlight)
            reply.awaitingStore = UInt64(counts.awaitingStore)
            reply.stored = UInt64(counts.stored)
            reply.failed = UInt64(counts.failed)
            reply.workers = workerOrder.compactMap { routingID in
                guard let peer = peers[routingID] else { return nil }
                return .with {
                    $0.id = peer.hello.id
                    $0.host = peer.hello.host
                    $0.pid = peer.hello.pid
                    $0.capacity = UInt32(peer.capacity)
                    $0.inFlight = UInt32(peer.held.count)
                    $0.done = peer.done
                    $0.failed = peer.failed
                    $0.rate = peer.doneRate.rate(overSeconds: 60, atNanos: now)
                    $0.silentMs = (now &- peer.lastHeardNanos) / 1_000_000
                }
            }
            reply.collectors = UInt32(peers.values.filter { $0.role == .collector }.count)
            reply.throughput10S = storedRate.rate(overSeconds: 10, atNanos: now)
            reply.throughput1M = storedRate.rate(overSeconds: 60, atNanos: now)
            reply.uptimeMs = (now &- startedNanos) / 1_000_000
            reply.malformedMessages = malformedMessages
            reply.refusedMessages = refusedMessages
            reply.batches = UInt64(batches.count)
            reply.version = configuration.version
        }
    }

    // MARK: - Commands

    private mutating func receivedHello(_ hello: Mirsad_V1_Hello, from peer: RoutingID, now: UInt64) -> [DispatcherAction] {
        let role: PeerRole
        switch hello.role {
        case .worker: role = .worker
        case .collector: role = .collector
        case .unspecified, .UNRECOGNIZED:
            return refuse(.hello, from: peer, code: .invalid, "HELLO role must be worker or collector", requestID: "", now: now)
        }
        if let problem = SubmitValidation.identifierProblem(hello.id, name: "id", mayBeEmpty: false) {
            return refuse(.hello, from: peer, code: .invalid, problem, requestID: "", now: now)
        }
        let capacity = Int(hello.capacity)
        if role == .worker, !(1...ProtocolLimits.maxCredit).contains(capacity) {
            return refuse(.hello, from: peer, code: .invalid,
                          "worker capacity \(capacity) is not in 1...\(ProtocolLimits.maxCredit)", requestID: "", now: now)
        }
        var actions: [DispatcherAction] = []
        if peers[peer] != nil { actions += removePeer(peer, reason: .replaced) }
        if let previous = peerByID[hello.id] { actions += removePeer(previous, reason: .replaced) }
        peers[peer] = Peer(role: role, hello: hello, capacity: role == .worker ? capacity : 0,
                           lastHeardNanos: now, lastSentNanos: now)
        peerByID[hello.id] = peer
        if role == .worker { workerOrder.append(peer) }
        actions.append(.peerJoined(id: hello.id, role: role, capacity: role == .worker ? capacity : 0))
        let welcome = Mirsad_V1_Welcome.with {
            $0.collectorEndpoint = configuration.collectorEndpoint
            $0.heartbeatIntervalMs = UInt32(clamping: configuration.heartbeatIntervalNanos / 1_000_000)
            $0.livenessTimeoutMs = UInt32(clamping: configuration.livenessTimeoutNanos / 1_000_000)
            $0.limits = .current
            $0.version = configuration.version
        }
        actions.append(send(.welcome(welcome), to: peer, now: now))
        actions += dispatch(now: now)
        return actions
    }

    private mutating func receivedSubmit(_ submit: Mirsad_V1_Submit, from peer: RoutingID, now: UInt64) -> [DispatcherAction] {
        if let (code, problem) = SubmitValidation.problem(with: submit) {
            return refuse(.submit, from: peer, code: code, problem, requestID: submit.requestID, now: now)
        }
        if counts.queued + submit.jobs.count > configuration.maxQueuedJobs {
            return refuse(.submit, from: peer, code: .busy,
                          "queue holds \(counts.queued) jobs; the limit is \(configuration.maxQueuedJobs)",
                          requestID: submit.requestID, now: now)
        }
        var ack = Mirsad_V1_SubmitAck.with {
            $0.requestID = submit.requestID
            $0.batchID = submit.batchID
        }
        for (index, job) in submit.jobs.enumerated() {
            if let reason = SubmitValidation.problem(with: job, batchID: submit.batchID) {
                ack.rejected.append(.with {
                    $0.index = UInt32(index)
                    $0.jobID = String(job.jobID.prefix(ProtocolLimits.maxIdentifierBytes))
                    $0.reason = reason
                })
                continue
            }
            if jobs[job.jobID] != nil {
                ack.duplicates += 1
                continue
            }
            var stored = job
            stored.batchID = submit.batchID
            jobs[job.jobID] = JobRecord(job: stored, batchID: submit.batchID, submittedNanos: now, state: .queued)
            counts.queued += 1
            batches[submit.batchID, default: JobCounts()].queued += 1
            queue.enqueue(job.jobID)
            ack.accepted += 1
        }
        return [.send(.submitAck(ack), to: peer)] + dispatch(now: now)
    }

    private mutating func receivedDone(_ done: Mirsad_V1_Done, from peer: RoutingID, now: UInt64) -> [DispatcherAction] {
        let listed = done.jobIds.count + done.failures.count
        if listed > ProtocolLimits.maxIDsPerMessage {
            return refuse(.done, from: peer, code: .tooLarge,
                          "\(listed) job ids in one DONE; the limit is \(ProtocolLimits.maxIDsPerMessage)", requestID: "", now: now)
        }
        guard var worker = peers[peer] else { return [] }  // the role check admitted only registered workers
        var actions: [DispatcherAction] = []
        for jobID in done.jobIds where worker.held.remove(jobID) != nil {
            worker.done += 1
            worker.doneRate.record(atNanos: now)
            guard let record = jobs[jobID] else { continue }
            switch record.state {
            case .queued, .inFlight:
                // Done by this worker, even if its lease lapsed meanwhile: the result is at the collector.
                setState(jobID, .awaitingStore)
                jobs[jobID]?.job = nil
            case .awaitingStore, .stored, .failed:
                break
            }
        }
        for failure in done.failures where worker.held.remove(failure.jobID) != nil {
            worker.failed += 1
            guard let record = jobs[failure.jobID], case .inFlight(let owner, _) = record.state, owner == peer else { continue }
            setState(failure.jobID, .failed)
            jobs[failure.jobID]?.job = nil
            actions.append(.jobFailed(jobID: failure.jobID, batchID: record.batchID, error: failure.error))
        }
        peers[peer] = worker
        return actions + dispatch(now: now)
    }

    private mutating func receivedStored(_ stored: Mirsad_V1_Stored, from peer: RoutingID, now: UInt64) -> [DispatcherAction] {
        if stored.jobIds.count > ProtocolLimits.maxIDsPerMessage {
            return refuse(.stored, from: peer, code: .tooLarge,
                          "\(stored.jobIds.count) job ids in one STORED; the limit is \(ProtocolLimits.maxIDsPerMessage)",
                          requestID: "", now: now)
        }
        var actions: [DispatcherAction] = []
        for jobID in stored.jobIds {
            guard let record = jobs[jobID], record.state != .stored else { continue }
            // A job still queued or in flight can be stored when STORED overtakes the worker's DONE; the worker
            // keeps its credit until its DONE arrives.
            setState(jobID, .stored)
            jobs[jobID]?.job = nil
            storedRate.record(atNanos: now)
            actions.append(.jobStored(jobID: jobID, batchID: record.batchID, latencyNanos: now &- record.submittedNanos))
        }
        actions.append(send(.storedAck(.with { $0.jobIds = stored.jobIds }), to: peer, now: now))
        return actions
    }

    // MARK: - Mechanics

    /// Gives queued jobs to workers with free credit, one job per worker in turn, starting at a rotating worker.
    private mutating func dispatch(now: UInt64) -> [DispatcherAction] {
        guard counts.queued > 0, !workerOrder.isEmpty else { return [] }
        let start = rotation % workerOrder.count
        rotation &+= 1
        let order = Array(workerOrder[start...] + workerOrder[..<start])
        var assigned: [RoutingID: [Mirsad_V1_Job]] = [:]
        var progress = true
        outer: while progress {
            progress = false
            for routingID in order where (peers[routingID]?.freeCredit ?? 0) > 0 {
                guard let (jobID, job) = nextQueuedJob() else { break outer }
                setState(jobID, .inFlight(worker: routingID, deadlineNanos: now &+ configuration.jobLeaseNanos))
                peers[routingID]?.held.insert(jobID)
                assigned[routingID, default: []].append(job)
                progress = true
            }
        }
        var actions: [DispatcherAction] = []
        for routingID in order {
            guard let batch = assigned[routingID] else { continue }
            for chunk in MessageBatching.split(batch, size: \.encodedSizeUpperBound) {
                actions.append(send(.jobs(.with { $0.jobs = Array(chunk) }), to: routingID, now: now))
            }
        }
        return actions
    }

    /// The next job id in the queue that is still queued, with its job; stale entries are skipped.
    private mutating func nextQueuedJob() -> (String, Mirsad_V1_Job)? {
        while let jobID = queue.dequeue() {
            if let record = jobs[jobID], record.state == .queued, let job = record.job { return (jobID, job) }
        }
        return nil
    }

    private mutating func removePeer(_ routingID: RoutingID, reason: PeerLeaveReason) -> [DispatcherAction] {
        guard let peer = peers.removeValue(forKey: routingID) else { return [] }
        if peerByID[peer.hello.id] == routingID { peerByID[peer.hello.id] = nil }
        workerOrder.removeAll { $0 == routingID }
        var requeued = 0
        for jobID in peer.held.sorted().reversed() {
            guard case .inFlight(let owner, _)? = jobs[jobID]?.state, owner == routingID else { continue }
            setState(jobID, .queued)
            queue.enqueueFront(jobID)
            requeued += 1
        }
        return [.peerLeft(id: peer.hello.id, role: peer.role, reason: reason, requeued: requeued)]
    }

    private mutating func setState(_ jobID: String, _ state: JobState) {
        guard let old = jobs[jobID] else { return }
        counts[old.state.kind] -= 1
        counts[state.kind] += 1
        batches[old.batchID]?[old.state.kind] -= 1
        batches[old.batchID]?[state.kind] += 1
        jobs[jobID]?.state = state
    }

    private mutating func send(_ message: MirsadMessage, to routingID: RoutingID, now: UInt64) -> DispatcherAction {
        peers[routingID]?.lastSentNanos = now
        return .send(message, to: routingID)
    }

    private mutating func refuse(
        _ command: Command, from peer: RoutingID, code: Mirsad_V1_ErrorCode, _ reason: String, requestID: String, now: UInt64
    ) -> [DispatcherAction] {
        refusedMessages += 1
        return [
            .refused(command, from: peer, code: code, reason: reason),
            send(.error(code, reason, requestID: requestID, command: command), to: peer, now: now),
        ]
    }
}

extension DispatcherStateMachine where Queue == InMemoryJobQueue {
    public init(configuration: DispatcherConfiguration = .init(), now: UInt64) {
        self.init(configuration: configuration, queue: InMemoryJobQueue(), now: now)
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
        }
    }
}
