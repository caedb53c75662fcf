import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Kinds of socket events `zmq_socket_monitor` reports (`ZMQ_EVENT_*`); a set of them selects what to watch.
public struct SocketEventKind: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let connected = Self(rawValue: ZMQ_EVENT_CONNECTED)
    public static let connectDelayed = Self(rawValue: ZMQ_EVENT_CONNECT_DELAYED)
    public static let connectRetried = Self(rawValue: ZMQ_EVENT_CONNECT_RETRIED)
    public static let listening = Self(rawValue: ZMQ_EVENT_LISTENING)
    public static let bindFailed = Self(rawValue: ZMQ_EVENT_BIND_FAILED)
    public static let accepted = Self(rawValue: ZMQ_EVENT_ACCEPTED)
    public static let acceptFailed = Self(rawValue: ZMQ_EVENT_ACCEPT_FAILED)
    public static let closed = Self(rawValue: ZMQ_EVENT_CLOSED)
    public static let closeFailed = Self(rawValue: ZMQ_EVENT_CLOSE_FAILED)
    public static let disconnected = Self(rawValue: ZMQ_EVENT_DISCONNECTED)
    public static let monitorStopped = Self(rawValue: ZMQ_EVENT_MONITOR_STOPPED)
    /// The handshake failed for a reason other than protocol or authentication (value: errno).
    public static let handshakeFailedNoDetail = Self(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    public static let handshakeSucceeded = Self(rawValue: ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
    /// A ZMTP or mechanism protocol error, e.g. a CURVE client holding the wrong server key
    /// (value: a `ZMQ_PROTOCOL_ERROR_*` code).
    public static let handshakeFailedProtocol = Self(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
    /// The ZAP handler refused the peer (value: the ZAP status code, e.g. 400).
    public static let handshakeFailedAuth = Self(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
    /// Every event.
    public static let all = Self(rawValue: ZMQ_EVENT_ALL)
    /// Connections coming and going and failed handshakes: what a service usually logs.
    public static let lifecycle: Self = [
        .connected, .accepted, .disconnected, .handshakeFailedNoDetail, .handshakeFailedProtocol,
        .handshakeFailedAuth,
    ]

    private static let names: [(Self, String)] = [
        (.connected, "connected"), (.connectDelayed, "connectDelayed"), (.connectRetried, "connectRetried"),
        (.listening, "listening"), (.bindFailed, "bindFailed"), (.accepted, "accepted"),
        (.acceptFailed, "acceptFailed"), (.closed, "closed"), (.closeFailed, "closeFailed"),
        (.disconnected, "disconnected"), (.monitorStopped, "monitorStopped"),
        (.handshakeFailedNoDetail, "handshakeFailedNoDetail"), (.handshakeSucceeded, "handshakeSucceeded"),
        (.handshakeFailedProtocol, "handshakeFailedProtocol"), (.handshakeFailedAuth, "handshakeFailedAuth"),
    ]

    public var description: String {
        let known = Self.names.filter { contains($0.0) }.map(\.1)
        return known.isEmpty ? "event(0x\(String(rawValue, radix: 16)))" : known.joined(separator: "|")
    }
}

/// One event about a monitored socket.
public struct SocketEvent: Sendable, Equatable, CustomStringConvertible {
    /// Exactly one kind.
    public let kind: SocketEventKind
    /// The event's number: a file descriptor, an errno, a reconnect interval, or a handshake status, by kind.
    public let value: UInt32
    /// The endpoint the event concerns, e.g. `tcp://127.0.0.1:5555`.
    public let endpoint: String

    public init(kind: SocketEventKind, value: UInt32, endpoint: String) {
        self.kind = kind
        self.value = value
        self.endpoint = endpoint
    }

    public var description: String { "\(kind) \(endpoint) (\(value))" }
}

/// Watches a socket's connection events (`zmq_socket_monitor`).
///
/// libzmq publishes the events on an inproc PAIR endpoint; the monitor connects its own PAIR socket,
/// ``eventSocket``, to it. Like the socket it watches, a monitor belongs to one thread: create it on the
/// monitored socket's owner thread and read it there (e.g. register ``eventSocket`` in the same ``Poller``).
/// A socket has at most one monitor at a time.
public final class SocketMonitor {
    /// The PAIR socket events arrive on; readable when ``receive(dontWait:)`` has an event.
    public let eventSocket: Socket
    private let monitored: Socket

    /// Starts monitoring `socket` for `events`.
    public init(_ socket: Socket, events: SocketEventKind = .lifecycle) throws {
        let endpoint = "inproc://zeromq.monitor.\(UInt64.random(in: 0 ... .max))"
        let handle = try socket.openHandle("zmq_socket_monitor")
        try libzmqChecked("zmq_socket_monitor(\(endpoint))") { zmq_socket_monitor(handle, endpoint, events.rawValue) }
        monitored = socket
        do {
            eventSocket = try Socket(context: socket.context, type: .pair)
            try eventSocket.connect(endpoint)
        } catch {
            _ = zmq_socket_monitor(handle, nil, 0)
            throw error
        }
    }

    deinit { close() }

    /// The next event; `nil` when `dontWait` and none is queued (or a ``SocketOption/receiveTimeout`` on
    /// ``eventSocket`` elapsed).
    public func receive(dontWait: Bool = false) throws -> SocketEvent? {
        guard let message = try eventSocket.receive(dontWait: dontWait, maxFrames: 2) else { return nil }
        return try Self.decode(message)
    }

    /// Stops monitoring (when the monitored socket is still open) and closes ``eventSocket``. Idempotent.
    public func close() {
        if eventSocket.isOpen, let handle = monitored.handle {
            _ = zmq_socket_monitor(handle, nil, 0)
        }
        eventSocket.close()
    }

    /// Decodes libzmq's two-frame event message: 2 bytes kind and 4 bytes value (host order), then the endpoint.
    static func decode(_ message: Message) throws -> SocketEvent {
        guard message.frames.count == 2, message.frames[0].count == 6 else {
            throw ZMQError(
                code: EPROTO,
                call: "zmq_socket_monitor: malformed event of \(message.frames.map(\.count)) bytes per frame")
        }
        let header = message.frames[0]
        let kind = header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt16.self) }
        let value = header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self) }
        return SocketEvent(
            kind: SocketEventKind(rawValue: Int32(kind)), value: value,
            endpoint: String(decoding: message.frames[1], as: UTF8.self))
    }
}

@available(*, unavailable)
extension SocketMonitor: Sendable {}
