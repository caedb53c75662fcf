import ZeroMQ

/// The one place where Mirsad's sockets get their options. Every service makes its sockets here, so a change of
/// policy (heartbeats, limits, CURVE keys and ZAP domains) reaches all of them at once.
///
/// CURVE: a bound ROUTER is a CURVE server when `server` is set, in the ZAP domain `ServerSecurity.zapDomain` with
/// `ZMQ_ZAP_ENFORCE_DOMAIN` (without it libzmq admits any key when no handler answers; facts §7), so its context
/// must have a ZAP handler (`ZAPAuthenticator`) before it binds. A connecting DEALER is a CURVE client when given a
/// `ClientSecurity`.
public struct SocketSetup: Sendable {
    /// ZMTP heartbeat interval; a peer silent for `heartbeatTimeoutMilliseconds` is disconnected (facts §4).
    public var heartbeatIntervalMilliseconds: Int32 = 1_000
    public var heartbeatTimeoutMilliseconds: Int32 = 3_000
    /// Reconnect backoff: from `reconnectMilliseconds` doubling up to `reconnectMaxMilliseconds` (facts §8).
    public var reconnectMilliseconds: Int32 = 100
    public var reconnectMaxMilliseconds: Int32 = 5_000
    /// Messages queued per peer before sends block or fail; credit keeps real queues far below it.
    public var highWaterMark: Int32 = 10_000
    /// A frame above this drops the connection (facts §5); kept above the protocol's own frame limit.
    public var maxMessageSize: Int64
    /// The CURVE server side of bound sockets; nil for plain (unauthenticated) sockets.
    public var server: ServerSecurity?

    public init(maxMessageSize: Int64) {
        self.maxMessageSize = maxMessageSize
    }

    /// A ROUTER that binds: a service's public endpoint. Unroutable sends fail loudly instead of vanishing.
    public func boundRouter(_ context: ZMQContext, endpoint: String) throws -> Socket {
        let socket = try Socket(context: context, type: .router)
        try apply(to: socket)
        if let server {
            try socket.set(.curveServer, true)
            try socket.set(.curveSecretKey, server.certificate.secretKey ?? "")
            try socket.set(.zapDomain, ServerSecurity.zapDomain)
            try socket.set(.zapEnforceDomain, true)
        }
        try socket.set(.routerMandatory, true)
        try socket.set(.routerHandover, true)
        try socket.bind(endpoint)
        return socket
    }

    /// A DEALER that connects to a service, with `identity` as its routing id when given, over CURVE when given
    /// `curve`.
    public func connectedDealer(
        _ context: ZMQContext, endpoint: String, identity: [UInt8]? = nil, curve: ClientSecurity? = nil
    ) throws -> Socket {
        let socket = try Socket(context: context, type: .dealer)
        try apply(to: socket)
        if let identity { try socket.set(.routingID, identity) }
        if let curve {
            try socket.set(.curvePublicKey, curve.certificate.publicKey)
            try socket.set(.curveSecretKey, curve.certificate.secretKey ?? "")
            try socket.set(.curveServerKey, curve.serverKey)
        }
        try socket.connect(endpoint)
        return socket
    }

    private func apply(to socket: Socket) throws {
        try socket.set(.linger, 0)
        try socket.set(.sendHighWaterMark, highWaterMark)
        try socket.set(.receiveHighWaterMark, highWaterMark)
        try socket.set(.maxMessageSize, maxMessageSize)
        try socket.set(.heartbeatInterval, heartbeatIntervalMilliseconds)
        try socket.set(.heartbeatTimeout, heartbeatTimeoutMilliseconds)
        try socket.set(.heartbeatTTL, heartbeatTimeoutMilliseconds)
        try socket.set(.reconnectInterval, reconnectMilliseconds)
        try socket.set(.reconnectIntervalMax, reconnectMaxMilliseconds)
    }
}
