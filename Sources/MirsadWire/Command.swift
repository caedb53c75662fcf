/// The command byte, the second frame of every message. Values are part of the protocol: never renumber.
///
/// 0x01-0x0F: worker and collector sessions with the dispatcher; 0x10-0x1F: producer and status requests;
/// 0x20-0x2F: worker to collector; 0x7F: ERROR.
public enum Command: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case hello = 0x01
    case welcome = 0x02
    case jobs = 0x03
    case done = 0x04
    case heartbeat = 0x05
    case bye = 0x06
    case stored = 0x07
    case storedAck = 0x08
    case submit = 0x10
    case submitAck = 0x11
    case batchStatus = 0x12
    case batchStatusReply = 0x13
    case status = 0x14
    case statusReply = 0x15
    case deadLetters = 0x16
    case deadLettersReply = 0x17
    case retryDeadLetters = 0x18
    case retryDeadLettersReply = 0x19
    case results = 0x20
    case resultsAck = 0x21
    case error = 0x7F

    /// The name used in the specification ("SUBMIT_ACK").
    public var description: String {
        switch self {
        case .hello: "HELLO"
        case .welcome: "WELCOME"
        case .jobs: "JOBS"
        case .done: "DONE"
        case .heartbeat: "HEARTBEAT"
        case .bye: "BYE"
        case .stored: "STORED"
        case .storedAck: "STORED_ACK"
        case .submit: "SUBMIT"
        case .submitAck: "SUBMIT_ACK"
        case .batchStatus: "BATCH_STATUS"
        case .batchStatusReply: "BATCH_STATUS_REPLY"
        case .status: "STATUS"
        case .statusReply: "STATUS_REPLY"
        case .deadLetters: "DEAD_LETTERS"
        case .deadLettersReply: "DEAD_LETTERS_REPLY"
        case .retryDeadLetters: "RETRY_DEAD_LETTERS"
        case .retryDeadLettersReply: "RETRY_DEAD_LETTERS_REPLY"
        case .results: "RESULTS"
        case .resultsAck: "RESULTS_ACK"
        case .error: "ERROR"
        }
    }
}
