import MirsadProtocol

/// Asks the dispatcher for its status (`mirsad status`).
public final class StatusClient {
    private let client: RequestClient

    public init(dispatcherEndpoint: String) throws {
        client = try RequestClient(endpoint: dispatcherEndpoint)
    }

    public func fetch(timeoutSeconds: Double = 3) throws -> Mirsad_V1_StatusReply {
        var request = Mirsad_V1_Status()
        request.requestID = client.requestID()
        let id = request.requestID
        return try client.call(.status(request), timeoutSeconds: timeoutSeconds) { reply -> Result<Mirsad_V1_StatusReply, DispatcherRefusal>? in
            switch reply {
            case .statusReply(let r) where r.requestID == id: return .success(r)
            case .error(let e) where e.requestID == id: return .failure(DispatcherRefusal(code: e.code, message: e.message))
            default: return nil
            }
        }.get()
    }

    public func batch(_ batchID: String, timeoutSeconds: Double = 3) throws -> Mirsad_V1_BatchStatusReply {
        var request = Mirsad_V1_BatchStatus()
        request.requestID = client.requestID()
        request.batchID = batchID
        let id = request.requestID
        return try client.call(.batchStatus(request), timeoutSeconds: timeoutSeconds) { reply -> Result<Mirsad_V1_BatchStatusReply, DispatcherRefusal>? in
            switch reply {
            case .batchStatusReply(let r) where r.requestID == id: return .success(r)
            case .error(let e) where e.requestID == id: return .failure(DispatcherRefusal(code: e.code, message: e.message))
            default: return nil
            }
        }.get()
    }
}
