@testable import MirsadProtocol

/// Drives a `DispatcherStateMachine` through encoded frames, as the service does, with a fake clock.
struct DispatcherHarness {
    var machine: DispatcherStateMachine<InMemoryJobQueue>
    var now: UInt64 = 1_000_000_000

    static let ms: UInt64 = 1_000_000
    static let producer: RoutingID = Array("producer".utf8)

    init(_ configuration: DispatcherConfiguration = .init(collectorEndpoint: "tcp://127.0.0.1:5571")) {
        machine = DispatcherStateMachine(configuration: configuration, now: now)
    }

    @discardableResult
    mutating func deliver(_ message: MirsadMessage, from peer: RoutingID) throws -> [DispatcherAction] {
        machine.received(frames: try FrameCodec.encode(message, to: peer), now: now)
    }

    @discardableResult
    mutating func hello(_ peer: String, capacity: UInt32, role: Mirsad_V1_Role = .worker, id: String? = nil) throws -> [DispatcherAction] {
        try deliver(.hello(.with {
            $0.role = role; $0.id = id ?? peer; $0.host = "host"; $0.pid = 1; $0.version = "test"; $0.capacity = capacity
        }), from: Array(peer.utf8))
    }

    @discardableResult
    mutating func submit(batch: String, _ indices: Range<Int>, requestID: String = "r") throws -> [DispatcherAction] {
        try deliver(.submit(SampleValues.submit(batch: batch, indices: indices, requestID: requestID)), from: Self.producer)
    }

    @discardableResult
    mutating func done(_ peer: String, _ ids: [String], failed: [String] = []) throws -> [DispatcherAction] {
        try deliver(.done(.with {
            $0.jobIds = ids
            $0.failures = failed.map { id in .with { $0.jobID = id; $0.error = "boom" } }
        }), from: Array(peer.utf8))
    }

    @discardableResult
    mutating func advance(ms: UInt64) -> [DispatcherAction] {
        now += ms * Self.ms
        return machine.tick(now: now)
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
            if case .jobs(let jobs) = message { return jobs.jobs.map(\.jobID) }
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
}
