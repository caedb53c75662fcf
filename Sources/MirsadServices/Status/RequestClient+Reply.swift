import MirsadWire

extension RequestClient {
    /// Sends `request` (whose request id is `requestID`) and returns the reply `match` picks out for that id;
    /// an ERROR for the same id becomes a `DispatcherRefusal`, and no answer within `timeout` a `Timeout`.
    func ask<Reply>(
        _ request: MirsadMessage, requestID: String, timeout: Duration,
        match: @escaping (MirsadMessage) -> Reply?
    ) throws -> Reply {
        try call(request, timeout: timeout) { reply -> Result<Reply, DispatcherRefusal>? in
            if case .error(let e) = reply, e.requestID == requestID {
                return .failure(DispatcherRefusal(code: e.code, message: e.message))
            }
            return match(reply).map { .success($0) }
        }.get()
    }
}
