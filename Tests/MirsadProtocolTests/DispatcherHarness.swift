@testable import MirsadCore
@testable import MirsadWire

/// A wall clock the test moves by hand, shared by the harness and the journal it records submission times with.
final class TestWallClock: @unchecked Sendable {
    // Only the test's own thread reads and writes it.
    var now: UnixTime
    init(_ now: UnixTime) { self.now = now }
}

/// Drives a `DispatcherStateMachine` over an in-memory journal through encoded frames, as the service does, with
/// fake clocks that move together.
struct DispatcherHarness {
    var machine: DispatcherStateMachine<InMemoryJobJournal>
    let wall: TestWallClock
    var now: DispatcherTime {
        didSet { wall.now = now.wall }
    }

    static let start = DispatcherTime(
        monotonic: MonotonicInstant(sinceOrigin: .seconds(1)), wall: UnixTime(milliseconds: 1_764_000_000_000))
    static let producer: RoutingID = Array("producer".utf8)

    init(_ configuration: DispatcherConfiguration = .init(collectorEndpoint: "tcp://127.0.0.1:5571")) {
        let wall = TestWallClock(Self.start.wall)
        self.wall = wall
        self.now = Self.start
        machine = DispatcherStateMachine(
            configuration: configuration, journal: InMemoryJobJournal(clock: { wall.now }), now: Self.start)
    }

    var journal: InMemoryJobJournal { machine.journal }

    /// The dispatcher process dies and a new one opens the same journal (as last committed: the in-memory journal
    /// commits everything), with no peers.
    mutating func restart() {
        machine = DispatcherStateMachine(configuration: machine.configuration, journal: machine.journal.reopened(), now: now)
    }

    @discardableResult
    mutating func deliver(_ message: MirsadMessage, from peer: RoutingID) throws -> [DispatcherAction] {
        machine.received(frames: try FrameCodec.encode(message, to: peer), now: now)
    }

    @discardableResult
    mutating func hello(
        _ peer: String, capacity: UInt32, role: Mirsad_V1_Role = .worker, id: String? = nil, replaces: String = "",
        crashed: [Mirsad_V1_JobFailure] = []
    ) throws -> [DispatcherAction] {
        try deliver(.hello(.with {
            $0.role = role; $0.id = id ?? peer; $0.host = "host"; $0.pid = 1; $0.version = "test"; $0.capacity = capacity
            $0.replaces = replaces; $0.crashed = crashed
        }), from: Array(peer.utf8))
    }

    @discardableResult
    mutating func submit(batch: String, _ indices: Range<Int>, requestID: String = "r") throws -> [DispatcherAction] {
        try deliver(.submit(SampleValues.submit(batch: batch, indices: indices, requestID: requestID)), from: Self.producer)
    }

    @discardableResult
    mutating func done(
        _ peer: String, _ ids: [String], failed: [String] = [], permanent: Bool = false, idle: Bool = false
    ) throws -> [DispatcherAction] {
        try deliver(.done(.with {
            $0.workerIdle = idle
            $0.jobIds = ids
            $0.failures = failed.map { id in .with { $0.jobID = id; $0.error = "boom"; $0.permanent = permanent } }
        }), from: Array(peer.utf8))
    }

    /// A worker's HEARTBEAT listing `jobs`.
    @discardableResult
    mutating func heartbeat(_ peer: String, jobs: [String] = []) throws -> [DispatcherAction] {
        try deliver(.heartbeat(.with { $0.jobIds = jobs }), from: .peer(peer))
    }

    @discardableResult
    mutating func stored(_ ids: [String], collector: String = "c1") throws -> [DispatcherAction] {
        try deliver(.stored(.with { $0.jobIds = ids }), from: .peer(collector))
    }

    @discardableResult
    mutating func advance(ms: UInt64) -> [DispatcherAction] {
        now = now.advanced(by: .milliseconds(ms))
        return machine.tick(now: now)
    }

    /// The state machine's own invariants, and its counts and in-flight records against the journal's contents.
    func violations() -> [String] {
        var problems = machine.invariantViolations()
        let contents = journal.countsByBatch()
        for (batch, held) in contents where machine.counts(ofBatch: batch) != held {
            problems.append("batch \(batch): counted \(String(describing: machine.counts(ofBatch: batch))), journal holds \(held)")
        }
        let total = contents.values.reduce(JobCounts(), +)
        if total != machine.counts { problems.append("counted \(machine.counts), journal holds \(total)") }
        let inFlight = journal.jobIDs(in: .inFlight)
        for jobID in inFlight where machine.inFlightJob(jobID) == nil {
            problems.append("\(jobID) is in flight in the journal without an in-flight record")
        }
        if inFlight.count != machine.counts.inFlight {
            problems.append("journal has \(inFlight.count) jobs in flight, \(machine.counts.inFlight) counted")
        }
        return problems
    }
}

extension RoutingID {
    static func peer(_ name: String) -> RoutingID { Array(name.utf8) }
}

extension [DispatcherAction] {
    /// Messages sent to `peer`, in order.
    func sent(to peer: String) -> [MirsadMessage] {
        compactMap { action in
            if case .send(let message, let to) = action, to == .peer(peer) { return message }
            return nil
        }
    }

    /// Job ids in the JOBS messages sent to `peer`, in order.
    func jobIDs(to peer: String) -> [String] {
        sent(to: peer).flatMap { message -> [String] in
            if case .jobsView(let jobs) = message { return jobs.jobs.map { (try? EncodedJob(bytes: $0).jobID) ?? "?" } }
            return []
        }
    }

    /// The ERROR sent to `peer`, if any.
    func error(to peer: String) -> Mirsad_V1_Error? {
        for case .error(let error) in sent(to: peer) { return error }
        return nil
    }

    func submitAck() -> Mirsad_V1_SubmitAck? {
        for case .submitAck(let ack) in sent(to: "producer") { return ack }
        return nil
    }

    /// The retries scheduled, in order.
    var retries: [(jobID: String, failures: Int, notBefore: UnixTime)] {
        compactMap { action in
            if case .retryScheduled(let jobID, _, let failures, let notBefore, _) = action { return (jobID, failures, notBefore) }
            return nil
        }
    }

    /// The jobs dead-lettered, in order.
    var deadLettered: [String] {
        compactMap { action in
            if case .deadLettered(let jobID, _, _, _) = action { return jobID }
            return nil
        }
    }
}
