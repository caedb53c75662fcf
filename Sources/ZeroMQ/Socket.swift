import CZeroMQ

/// A ZeroMQ socket.
///
/// ## Ownership
/// A libzmq socket is not thread-safe. A `Socket` therefore belongs to exactly one thread at a time: the thread
/// that uses it must be the only one touching it, and it is deliberately not `Sendable` (sharing it across
/// concurrency domains is a compile error). The usual shape is one thread per socket loop: create the socket
/// on that thread (or hand it over once, before the loop starts, through a full memory barrier such as a
/// thread start or a lock), and let the loop close it. To stop a loop blocked in ``receive(dontWait:maxFrames:)``
/// or ``Poller/poll(timeoutMilliseconds:)`` from elsewhere, call ``ZMQContext/shutdown()``: the blocked call
/// throws a ``ZMQError`` with ``ZMQError/isContextTerminated``.
///
/// ## Defaults
/// The initialiser sets `ZMQ_LINGER` to 0 (libzmq's default of -1 makes a close, and so context termination,
/// wait forever for unsent messages to a peer that may never come). Delivery must rest on application
/// acknowledgements anyway. Set ``SocketOption/linger`` to keep a grace period.
///
/// A socket keeps its ``ZMQContext`` alive; it is closed by ``close()`` or on `deinit`.
public final class Socket {
    /// The `void *` from `zmq_socket`; nil once closed.
    private(set) var handle: UnsafeMutableRawPointer?
    /// The context this socket lives in; retained so the context outlives its sockets.
    public let context: ZMQContext
    /// The pattern this socket implements.
    public let type: SocketType
    /// Asked when a signal interrupts a blocking call on this socket (or a poll over it): while it is set, the call
    /// is not tried again (see ``StopCondition``). Nil: interrupted calls are always tried again.
    public var stopCondition: (any StopCondition)?

    /// Creates a socket with `LINGER` 0 (see the type's documentation).
    public init(context: ZMQContext, type: SocketType) throws {
        guard let handle = zmq_socket(context.handle, type.libzmqValue) else {
            throw ZMQError(code: zmq_errno(), call: "zmq_socket")
        }
        self.handle = handle
        self.context = context
        self.type = type
        try set(.linger, 0)
    }

    deinit { close() }

    /// Closes the socket, discarding unsent messages beyond the linger period. Idempotent; any later call on
    /// the socket throws `ENOTSOCK`.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        _ = zmq_close(handle)
    }

    /// Whether ``close()`` has not been called yet.
    public var isOpen: Bool { handle != nil }

    /// The live handle, or `ENOTSOCK` naming `call` when the socket was closed.
    func openHandle(_ call: @autoclosure () -> String) throws(ZMQError) -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(code: ENOTSOCK, call: call()) }
        return handle
    }

    /// Binds to a local endpoint, e.g. `tcp://127.0.0.1:*` (ephemeral port, see ``lastEndpoint``),
    /// `inproc://name`, `ipc:///path`.
    public func bind(_ endpoint: String) throws {
        let handle = try openHandle("zmq_bind")
        try libzmqChecked("zmq_bind(\(endpoint))") { zmq_bind(handle, endpoint) }
    }

    /// Stops listening on an endpoint bound before (the resolved one for wildcard binds).
    public func unbind(_ endpoint: String) throws {
        let handle = try openHandle("zmq_unbind")
        try libzmqChecked("zmq_unbind(\(endpoint))") { zmq_unbind(handle, endpoint) }
    }

    /// Connects to a remote endpoint. Asynchronous: it succeeds before the peer exists, and libzmq reconnects.
    public func connect(_ endpoint: String) throws {
        let handle = try openHandle("zmq_connect")
        try libzmqChecked("zmq_connect(\(endpoint))") { zmq_connect(handle, endpoint) }
    }

    /// Drops a connection made with ``connect(_:)``.
    public func disconnect(_ endpoint: String) throws {
        let handle = try openHandle("zmq_disconnect")
        try libzmqChecked("zmq_disconnect(\(endpoint))") { zmq_disconnect(handle, endpoint) }
    }

    /// The endpoint of the last bind or connect, resolved: `tcp://127.0.0.1:41234` after a bind to
    /// `tcp://127.0.0.1:*`. Empty before any.
    public var lastEndpoint: String {
        get throws { try get(.lastEndpoint) }
    }

    // MARK: Options

    /// Sets a typed option. Errors name the option, e.g. `zmq_setsockopt(ZMQ_LINGER): Invalid argument`.
    public func set<Value>(_ option: SocketOption<Value>, _ value: Value) throws {
        try option.write(value, self)
    }

    /// Reads a typed option.
    public func get<Value>(_ option: SocketOption<Value>) throws -> Value {
        try option.read(self)
    }

    /// `zmq_setsockopt` with raw bytes.
    func setOption(_ code: Int32, name: String, bytes: UnsafeRawBufferPointer) throws(ZMQError) {
        let handle = try openHandle("zmq_setsockopt(\(name))")
        try libzmqChecked("zmq_setsockopt(\(name))") { zmq_setsockopt(handle, code, bytes.baseAddress, bytes.count) }
    }

    /// `zmq_getsockopt` into `buffer`; returns the length libzmq reported.
    func getOption(_ code: Int32, name: String, into buffer: UnsafeMutableRawBufferPointer) throws(ZMQError) -> Int {
        let handle = try openHandle("zmq_getsockopt(\(name))")
        var length = buffer.count
        try libzmqChecked("zmq_getsockopt(\(name))") { zmq_getsockopt(handle, code, buffer.baseAddress, &length) }
        return length
    }
}

/// Sockets must not cross threads without a hand-over (see ``Socket``), so `Sendable` is ruled out.
@available(*, unavailable)
extension Socket: Sendable {}
