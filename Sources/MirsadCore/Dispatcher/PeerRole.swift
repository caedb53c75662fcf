import MirsadWire
/// Who a dispatcher peer is. Workers and collectors say so in HELLO; any other peer is a client (a producer or a
/// status client), which keeps no session.
public enum PeerRole: Sendable, Hashable, CustomStringConvertible {
    case client
    case worker
    case collector

    /// The roles that may send `command` to the dispatcher. The one table behind every role check.
    public static func allowedToSend(_ command: Command) -> Set<PeerRole> {
        switch command {
        case .hello: [.client, .worker, .collector]  // a registered peer saying HELLO again starts a new session
        case .submit, .batchStatus, .status, .deadLetters, .retryDeadLetters: [.client]
        case .done: [.worker]
        case .stored: [.collector]
        case .heartbeat, .bye: [.worker, .collector]
        case .error: [.client, .worker, .collector]  // logged, never answered
        case .welcome, .jobs, .storedAck, .submitAck, .batchStatusReply, .statusReply, .deadLettersReply, .retryDeadLettersReply,
             .results, .resultsAck: []
        }
    }

    public var description: String {
        switch self {
        case .client: "client"
        case .worker: "worker"
        case .collector: "collector"
        }
    }
}
