import MirsadWire

/// What a CURVE key may do: the role its public key is allowlisted for. A key may hold several roles.
///
/// Invariant: `allowed(toSend:)` is the one table behind every authorisation of a message by its key, at the
/// dispatcher (every command) and at the collector (RESULTS); protocol section 11.8.2 prints it.
public enum SecurityRole: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Submits batches and follows them (SUBMIT, BATCH_STATUS, STATUS).
    case producer
    /// Takes jobs and sends results (HELLO as a worker, DONE, HEARTBEAT, BYE; RESULTS to the collector).
    case worker
    /// Stores results (HELLO as a collector, STORED, HEARTBEAT, BYE).
    case collector
    /// Reads the cluster's state (STATUS, BATCH_STATUS).
    case status
    /// Reads and retries dead letters (DEAD_LETTERS, RETRY_DEAD_LETTERS), and reads the state.
    case `operator`

    public var description: String { rawValue }

    /// The roles whose keys may send `command`. For HELLO it depends on the role the HELLO claims: see
    /// `allowed(toSayHelloAs:)`. Commands no peer sends to a service (replies) are allowed to no role.
    public static func allowed(toSend command: Command) -> Set<SecurityRole> {
        switch command {
        case .hello: [.worker, .collector]
        case .submit: [.producer]
        case .batchStatus, .status: [.producer, .status, .operator]
        case .deadLetters, .retryDeadLetters: [.operator]
        case .done: [.worker]
        case .stored: [.collector]
        case .heartbeat, .bye: [.worker, .collector]
        case .results: [.worker]
        case .error: Set(allCases)  // logged, never answered
        case .welcome, .jobs, .storedAck, .submitAck, .batchStatusReply, .statusReply, .deadLettersReply,
             .retryDeadLettersReply, .resultsAck: []
        }
    }

    /// The role a key needs to open a session claiming `role` in HELLO.
    public static func allowed(toSayHelloAs role: Mirsad_V1_Role) -> Set<SecurityRole> {
        switch role {
        case .worker: [.worker]
        case .collector: [.collector]
        case .unspecified, .UNRECOGNIZED: []
        }
    }
}
