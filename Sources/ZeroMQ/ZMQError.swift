import CZeroMQ

/// A failed libzmq call: the `errno` libzmq reported and the call that reported it.
///
/// `code` is libzmq's own value (`zmq_errno()` read immediately after the call), so it can be compared with
/// the C constants (`EADDRINUSE`, `EHOSTUNREACH`, ...) or with the named constants in ``ZMQError/Code``.
public struct ZMQError: Error, Equatable, CustomStringConvertible {
    /// libzmq's error number (a POSIX errno, or one of libzmq's own such as `ETERM`).
    public let code: Int32
    /// The C function that failed, with the option name where there is one, e.g. `zmq_setsockopt(ZMQ_LINGER)`.
    public let call: String

    public init(code: Int32, call: String) {
        self.code = code
        self.call = call
    }

    /// `"zmq_bind: Address already in use (EADDRINUSE, 98)"`.
    public var description: String {
        "\(call): \(String(cString: zmq_strerror(code))) (\(Code.symbol(for: code)), \(code))"
    }

    /// The context was shut down or terminated: the socket's owner should close it and stop.
    public var isContextTerminated: Bool { code == Code.contextTerminated }

    /// A signal interrupted the call while its socket's ``Socket/stopCondition`` was set: the owner is stopping.
    public var isInterrupted: Bool { code == Code.interrupted }
}

extension ZMQError {
    /// Error numbers libzmq reports, named. The values are the platform's (libzmq's own for `ETERM` & co).
    public enum Code {
        public static let again: Int32 = EAGAIN
        public static let interrupted: Int32 = EINTR
        public static let invalidArgument: Int32 = EINVAL
        public static let addressInUse: Int32 = EADDRINUSE
        public static let addressNotAvailable: Int32 = EADDRNOTAVAIL
        public static let hostUnreachable: Int32 = EHOSTUNREACH
        public static let protocolNotSupported: Int32 = EPROTONOSUPPORT
        public static let notSupported: Int32 = ENOTSUP
        public static let notSocket: Int32 = ENOTSOCK
        public static let noDevice: Int32 = ENODEV
        public static let contextTerminated: Int32 = ETERM
        public static let wrongState: Int32 = EFSM
        public static let noCompatibleProtocol: Int32 = ENOCOMPATPROTO
        public static let noThread: Int32 = EMTHREAD

        private static let symbols: [Int32: String] = [
            EAGAIN: "EAGAIN", EINTR: "EINTR", EINVAL: "EINVAL", EFAULT: "EFAULT", ENOMEM: "ENOMEM",
            ENOENT: "ENOENT", EACCES: "EACCES", EMFILE: "EMFILE", ENODEV: "ENODEV",
            EADDRINUSE: "EADDRINUSE", EADDRNOTAVAIL: "EADDRNOTAVAIL", EHOSTUNREACH: "EHOSTUNREACH",
            EPROTONOSUPPORT: "EPROTONOSUPPORT", ENOTSUP: "ENOTSUP", ENOBUFS: "ENOBUFS", ENETDOWN: "ENETDOWN",
            ECONNREFUSED: "ECONNREFUSED", EINPROGRESS: "EINPROGRESS", ENOTSOCK: "ENOTSOCK",
            EMSGSIZE: "EMSGSIZE", EAFNOSUPPORT: "EAFNOSUPPORT", ENETUNREACH: "ENETUNREACH",
            ECONNABORTED: "ECONNABORTED", ECONNRESET: "ECONNRESET", ENOTCONN: "ENOTCONN",
            ETIMEDOUT: "ETIMEDOUT", ETERM: "ETERM", EFSM: "EFSM", ENOCOMPATPROTO: "ENOCOMPATPROTO",
            EMTHREAD: "EMTHREAD",
        ]

        /// The C name of an error number (`"EADDRINUSE"`), or `"errno"` when it has none here.
        public static func symbol(for code: Int32) -> String { symbols[code] ?? "errno" }
    }
}

/// A received message had more frames than the caller allows.
///
/// Thrown by ``Socket/receive(dontWait:maxFrames:)`` only after every frame of the offending message was read
/// and discarded, so the socket is positioned at the start of the next message and stays usable.
public struct MessageTooManyFrames: Error, Equatable, CustomStringConvertible {
    /// The `maxFrames` the receive was called with.
    public let limit: Int
    /// How many frames the dropped message had.
    public let frameCount: Int

    public init(limit: Int, frameCount: Int) {
        self.limit = limit
        self.frameCount = frameCount
    }

    public var description: String {
        "zmq_msg_recv: message of \(frameCount) frames exceeds the limit of \(limit); it was drained and dropped"
    }
}

/// A received message had more bytes (all frames together) than the caller allows.
///
/// Thrown by ``Socket/receive(dontWait:maxFrames:maxBytes:)`` only after every frame of the offending message was
/// read and released, so the socket is positioned at the start of the next message and stays usable.
public struct MessageTooManyBytes: Error, Equatable, CustomStringConvertible {
    /// The `maxBytes` the receive was called with.
    public let limit: Int
    /// The bytes of the dropped message, and its frames.
    public let byteCount: Int
    public let frameCount: Int

    public init(limit: Int, byteCount: Int, frameCount: Int) {
        self.limit = limit
        self.byteCount = byteCount
        self.frameCount = frameCount
    }

    public var description: String {
        "zmq_msg_recv: message of \(byteCount) bytes in \(frameCount) frames exceeds the limit of \(limit) bytes; it was drained and dropped"
    }
}
