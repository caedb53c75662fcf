import CZeroMQ

/// A socket option with its value type: `socket.set(.linger, 0)`, `try socket.get(.routingID)`.
///
/// Each option knows how its value is laid out for `zmq_setsockopt` / `zmq_getsockopt` (C `int`, `int64_t`,
/// bytes, strings, Z85 keys). Options libzmq cannot read or write (e.g. reading ``subscribe``) fail with
/// libzmq's own `EINVAL`, naming the option.
public struct SocketOption<Value>: Sendable {
    /// The `ZMQ_*` option number.
    public let code: Int32
    /// The `ZMQ_*` name, used in error messages.
    public let name: String
    let write: @Sendable (Value, Socket) throws -> Void
    let read: @Sendable (Socket) throws -> Value

    /// Defines an option from its number and its value codec; the static members cover the common ones.
    init(
        code: Int32, name: String,
        write: @escaping @Sendable (Value, Socket) throws -> Void,
        read: @escaping @Sendable (Socket) throws -> Value
    ) {
        self.code = code
        self.name = name
        self.write = write
        self.read = read
    }
}

// MARK: Value codecs

extension SocketOption where Value == Int32 {
    /// An option whose value is a C `int`.
    public static func int32(_ code: Int32, name: String) -> Self {
        Self(
            code: code, name: name,
            write: { value, socket in
                try withUnsafeBytes(of: value) { try socket.setOption(code, name: name, bytes: $0) }
            },
            read: { socket in
                var value: Int32 = 0
                _ = try withUnsafeMutableBytes(of: &value) { try socket.getOption(code, name: name, into: $0) }
                return value
            })
    }
}

extension SocketOption where Value == Int64 {
    /// An option whose value is a C `int64_t`.
    public static func int64(_ code: Int32, name: String) -> Self {
        Self(
            code: code, name: name,
            write: { value, socket in
                try withUnsafeBytes(of: value) { try socket.setOption(code, name: name, bytes: $0) }
            },
            read: { socket in
                var value: Int64 = 0
                _ = try withUnsafeMutableBytes(of: &value) { try socket.getOption(code, name: name, into: $0) }
                return value
            })
    }
}

extension SocketOption where Value == Bool {
    /// An option whose value is a C `int` used as a flag (0 or 1).
    public static func flag(_ code: Int32, name: String) -> Self {
        let int = SocketOption<Int32>.int32(code, name: name)
        return Self(
            code: code, name: name,
            write: { value, socket in try int.write(value ? 1 : 0, socket) },
            read: { socket in try int.read(socket) != 0 })
    }
}

extension SocketOption where Value == [UInt8] {
    /// An option whose value is a byte string of at most `maxLength` bytes when read.
    public static func bytes(_ code: Int32, name: String, maxLength: Int = 255) -> Self {
        Self(
            code: code, name: name,
            write: { value, socket in
                try value.withUnsafeBytes { try socket.setOption(code, name: name, bytes: $0) }
            },
            read: { socket in
                var buffer = [UInt8](repeating: 0, count: maxLength)
                let length = try buffer.withUnsafeMutableBytes { try socket.getOption(code, name: name, into: $0) }
                return Array(buffer.prefix(length))
            })
    }
}

extension SocketOption where Value == String {
    /// An option whose value is a string; libzmq returns it NUL-terminated in a buffer of `bufferSize`.
    public static func string(_ code: Int32, name: String, bufferSize: Int = 1024) -> Self {
        Self(
            code: code, name: name,
            write: { value, socket in
                let bytes = Array(value.utf8)
                try bytes.withUnsafeBytes { try socket.setOption(code, name: name, bytes: $0) }
            },
            read: { socket in
                var buffer = [UInt8](repeating: 0, count: bufferSize)
                let length = try buffer.withUnsafeMutableBytes { try socket.getOption(code, name: name, into: $0) }
                let text = buffer.prefix(length).prefix { $0 != 0 }
                return String(decoding: text, as: UTF8.self)
            })
    }

    /// A CURVE key as 40 Z85 characters. libzmq returns the Z85 form only for a 41-byte read buffer.
    public static func z85Key(_ code: Int32, name: String) -> Self {
        let plain = string(code, name: name, bufferSize: 41)
        return Self(
            code: code, name: name,
            write: { value, socket in
                guard value.utf8.count == 40 else {
                    throw ZMQError(code: EINVAL, call: "zmq_setsockopt(\(name)): a Z85 key has 40 characters, not \(value.utf8.count)")
                }
                try plain.write(value, socket)
            },
            read: plain.read)
    }
}

// MARK: The options

extension SocketOption where Value == Int32 {
    /// Milliseconds unsent messages are kept after close (-1 forever). ``Socket`` sets it to 0.
    public static var linger: Self { .int32(ZMQ_LINGER, name: "ZMQ_LINGER") }
    /// Outgoing queue limit in whole messages (0 = none); libzmq's default is 1000.
    public static var sendHighWaterMark: Self { .int32(ZMQ_SNDHWM, name: "ZMQ_SNDHWM") }
    /// Incoming queue limit in whole messages (0 = none); libzmq's default is 1000.
    public static var receiveHighWaterMark: Self { .int32(ZMQ_RCVHWM, name: "ZMQ_RCVHWM") }
    /// Milliseconds between ZMTP heartbeat PINGs (0 = off, the default).
    public static var heartbeatInterval: Self { .int32(ZMQ_HEARTBEAT_IVL, name: "ZMQ_HEARTBEAT_IVL") }
    /// Milliseconds without traffic after a PING before the connection is dropped.
    public static var heartbeatTimeout: Self { .int32(ZMQ_HEARTBEAT_TIMEOUT, name: "ZMQ_HEARTBEAT_TIMEOUT") }
    /// Milliseconds the remote peer should wait for traffic before dropping us (sent in PINGs; 100 ms steps).
    public static var heartbeatTTL: Self { .int32(ZMQ_HEARTBEAT_TTL, name: "ZMQ_HEARTBEAT_TTL") }
    /// Milliseconds before the first reconnection attempt (default 100; -1 = never reconnect).
    public static var reconnectInterval: Self { .int32(ZMQ_RECONNECT_IVL, name: "ZMQ_RECONNECT_IVL") }
    /// Upper bound in milliseconds of the exponential reconnection backoff (0 = no backoff).
    public static var reconnectIntervalMax: Self { .int32(ZMQ_RECONNECT_IVL_MAX, name: "ZMQ_RECONNECT_IVL_MAX") }
    /// Milliseconds a blocking send waits before it returns `false` (-1 = forever).
    public static var sendTimeout: Self { .int32(ZMQ_SNDTIMEO, name: "ZMQ_SNDTIMEO") }
    /// Milliseconds a blocking receive waits before it returns `nil` (-1 = forever).
    public static var receiveTimeout: Self { .int32(ZMQ_RCVTIMEO, name: "ZMQ_RCVTIMEO") }
    /// Milliseconds a ZMTP handshake (including CURVE) may take before the connection is dropped (0 = no limit).
    public static var handshakeInterval: Self { .int32(ZMQ_HANDSHAKE_IVL, name: "ZMQ_HANDSHAKE_IVL") }
    /// Length of the queue of pending TCP connections.
    public static var backlog: Self { .int32(ZMQ_BACKLOG, name: "ZMQ_BACKLOG") }
    /// `SO_RCVBUF` of the socket's TCP connections, in bytes (0: the system's default).
    public static var receiveBuffer: Self { .int32(ZMQ_RCVBUF, name: "ZMQ_RCVBUF") }
    /// Milliseconds a TCP connect may take (0 = the system's default).
    public static var connectTimeout: Self { .int32(ZMQ_CONNECT_TIMEOUT, name: "ZMQ_CONNECT_TIMEOUT") }
    /// `ZMQ_EVENTS`: the socket's current readiness, as ``PollEvents`` raw bits (read only).
    public static var events: Self { .int32(ZMQ_EVENTS, name: "ZMQ_EVENTS") }
}

extension SocketOption where Value == Int64 {
    /// Largest accepted inbound frame in bytes (-1 = unlimited, the default). A peer sending a larger frame
    /// is disconnected and its message silently lost: the sender is not told.
    public static var maxMessageSize: Self { .int64(ZMQ_MAXMSGSIZE, name: "ZMQ_MAXMSGSIZE") }
}

extension SocketOption where Value == Bool {
    /// ROUTER: sending to an unknown routing id fails with `EHOSTUNREACH` instead of being dropped silently.
    public static var routerMandatory: Self { .flag(ZMQ_ROUTER_MANDATORY, name: "ZMQ_ROUTER_MANDATORY") }
    /// ROUTER: a new connection claiming a routing id in use takes it over (the old one is dropped).
    public static var routerHandover: Self { .flag(ZMQ_ROUTER_HANDOVER, name: "ZMQ_ROUTER_HANDOVER") }
    /// Queue messages only to completed connections (no queueing for peers that are not there yet).
    public static var immediate: Self { .flag(ZMQ_IMMEDIATE, name: "ZMQ_IMMEDIATE") }
    /// Allow IPv6 in TCP endpoints.
    public static var ipv6: Self { .flag(ZMQ_IPV6, name: "ZMQ_IPV6") }
    /// Act as a CURVE server (needs ``curveSecretKey``).
    public static var curveServer: Self { .flag(ZMQ_CURVE_SERVER, name: "ZMQ_CURVE_SERVER") }
    /// Refuse every handshake when no ZAP handler answers for this socket's domain. Without it a CURVE server
    /// with no ZAP handler accepts any client key. (Draft option 93, accepted by the stable libzmq 4.3.)
    public static var zapEnforceDomain: Self { .flag(ZMQ_ZAP_ENFORCE_DOMAIN, name: "ZMQ_ZAP_ENFORCE_DOMAIN") }
}

extension SocketOption where Value == [UInt8] {
    /// The identity a DEALER/REQ/ROUTER presents to a ROUTER peer (1-255 bytes, first byte not 0).
    public static var routingID: Self { .bytes(ZMQ_ROUTING_ID, name: "ZMQ_ROUTING_ID") }
    /// SUB: receive messages whose first frame starts with these bytes (empty = everything). Write only.
    public static var subscribe: Self { .bytes(ZMQ_SUBSCRIBE, name: "ZMQ_SUBSCRIBE") }
    /// SUB: remove a subscription made with ``subscribe``. Write only.
    public static var unsubscribe: Self { .bytes(ZMQ_UNSUBSCRIBE, name: "ZMQ_UNSUBSCRIBE") }
}

extension SocketOption where Value == String {
    /// The ZAP domain the socket's connections are authenticated in.
    public static var zapDomain: Self { .string(ZMQ_ZAP_DOMAIN, name: "ZMQ_ZAP_DOMAIN") }
    /// The resolved endpoint of the last bind or connect (read only).
    public static var lastEndpoint: Self { .string(ZMQ_LAST_ENDPOINT, name: "ZMQ_LAST_ENDPOINT") }
    /// This socket's long-term CURVE public key, Z85.
    public static var curvePublicKey: Self { .z85Key(ZMQ_CURVE_PUBLICKEY, name: "ZMQ_CURVE_PUBLICKEY") }
    /// This socket's long-term CURVE secret key, Z85.
    public static var curveSecretKey: Self { .z85Key(ZMQ_CURVE_SECRETKEY, name: "ZMQ_CURVE_SECRETKEY") }
    /// Client: the public key of the server to connect to, Z85. Setting it makes the socket a CURVE client.
    public static var curveServerKey: Self { .z85Key(ZMQ_CURVE_SERVERKEY, name: "ZMQ_CURVE_SERVERKEY") }
}
