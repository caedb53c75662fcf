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
    /// Messages a bound ROUTER queues for one peer: the replies a client may leave unread. Sends never wait; at this
    /// mark the peer is cut off (`PeerCutOff`), so a peer that floods requests and never reads costs at most this many
    /// replies of memory. Credit keeps a worker's JOBS far below it.
    public var routerSendHighWaterMark: Int32 = 1_000
    /// A frame above this drops the connection (facts §5); kept above the protocol's own frame limit.
    public var maxMessageSize: Int64
    /// The CURVE server side of bound sockets; nil for plain (unauthenticated) sockets.
    public var server: ServerSecurity?

    public init(maxMessageSize: Int64) {
        self.maxMessageSize = maxMessageSize
    }

    /// A ROUTER that binds: a service's public endpoint.
    ///
    /// - `ROUTER_MANDATORY`: a send to a peer that is gone fails (`EHOSTUNREACH`) and one to a peer whose queue is
    ///   full fails (`EAGAIN` with `ZMQ_DONTWAIT`) instead of vanishing or waiting; the services send without waiting
    ///   and cut such a peer off (`Delivery`).
    /// - `ROUTER_HANDOVER` off: a connection that claims a routing id already in use is ignored by libzmq, so no peer
    ///   can take another's connection (and its session) by reusing its routing id. Mirsad's own peers set no routing
    ///   id: the ROUTER assigns one per connection, and a worker or collector that reconnects starts a new session
    ///   with HELLO (section 2.2 of the protocol).
    /// - No ZMTP heartbeats of its own (`ZMQ_HEARTBEAT_IVL` 0): libzmq 4.3.4's heartbeat timer writes to a
    ///   connection that has already failed while its input was stopped (a peer that flooded, then hung up), and
    ///   aborts the process on `Assertion failed: !_io_error (stream_engine_base.cpp)`. The connecting side's
    ///   heartbeats (with their TTL, which tells this side to drop a silent connection) still detect dead links, and
    ///   the protocol's own heartbeats detect dead peers.
    public func boundRouter(_ context: ZMQContext, endpoint: String) throws -> Socket {
        let socket = try Socket(context: context, type: .router)
        try apply(to: socket)
        if let server {
            try socket.set(.curveServer, true)
            try socket.set(.curveSecretKey, server.certificate.secretKey ?? "")
            try socket.set(.zapDomain, ServerSecurity.zapDomain)
            try socket.set(.zapEnforceDomain, true)
        }
        try socket.set(.sendHighWaterMark, routerSendHighWaterMark)
        try socket.set(.heartbeatInterval, 0)
        try socket.set(.routerMandatory, true)
        try socket.set(.routerHandover, false)
        try socket.bind(endpoint)
        return socket
    }

    /// A DEALER that connects to a service, with `identity` as its routing id when given (the services give none),
    /// over CURVE when given `curve`.
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
