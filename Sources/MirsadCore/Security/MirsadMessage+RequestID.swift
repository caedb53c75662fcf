import MirsadWire

extension MirsadMessage {
    /// The `request_id` of a client request, echoed in the ERROR that refuses it; nil for other messages.
    var requestID: String? {
        switch self {
        case .submit(let body): body.requestID
        case .submitView(let body): body.requestID
        case .batchStatus(let body): body.requestID
        case .status(let body): body.requestID
        case .deadLetters(let body): body.requestID
        case .retryDeadLetters(let body): body.requestID
        default: nil
        }
    }
}
