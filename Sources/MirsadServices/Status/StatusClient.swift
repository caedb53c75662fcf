import MirsadWire

/// Asks the dispatcher for its status (`mirsad status`) and for a batch's (`mirsad submit --wait`).
public final class StatusClient {
    private let client: RequestClient

    /// Over CURVE when given `security` (this client's key and the dispatcher's public key).
    public init(dispatcherEndpoint: String, security: ClientSecurity? = nil) throws {
        client = try RequestClient(endpoint: dispatcherEndpoint, curve: security)
    }

    /// The dispatcher's status, as `mirsad status` shows it.
    public func fetch(timeout: Duration = .seconds(3)) throws -> StatusView {
        var request = Mirsad_V1_Status()
        request.requestID = client.requestID()
        let id = request.requestID
        return StatusView(try client.ask(.status(request), requestID: id, timeout: timeout) { reply in
            if case .statusReply(let r) = reply, r.requestID == id { r } else { nil }
        })
    }

    public func batch(_ batchID: String, timeout: Duration = .seconds(3)) throws -> Mirsad_V1_BatchStatusReply {
        var request = Mirsad_V1_BatchStatus()
        request.requestID = client.requestID()
        request.batchID = batchID
        let id = request.requestID
        return try client.ask(.batchStatus(request), requestID: id, timeout: timeout) { reply in
            if case .batchStatusReply(let r) = reply, r.requestID == id { r } else { nil }
        }
    }
}
