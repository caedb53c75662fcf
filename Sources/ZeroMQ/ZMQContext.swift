import CZeroMQ

/// A libzmq context: the I/O threads and the `inproc://` namespace shared by all sockets of a process.
///
/// Thread-safe (libzmq guarantees it for contexts), so it is `Sendable` and one instance is meant to be shared.
/// Every ``Socket`` keeps its context alive, so the context is terminated (in `deinit`) only after all of its
/// sockets have been closed; with ``Socket``'s default `LINGER` of 0 that termination never waits on unsent messages.
public final class ZMQContext: Sendable {
    /// The `void *` from `zmq_ctx_new`; valid until `deinit`. libzmq makes concurrent use of it safe.
    nonisolated(unsafe) let handle: UnsafeMutableRawPointer

    /// - Parameter ioThreads: libzmq's background I/O threads (`ZMQ_IO_THREADS`); 1 suffices below ~1 GB/s.
    public init(ioThreads: Int32 = 1) throws {
        guard let handle = zmq_ctx_new() else {
            throw ZMQError(code: zmq_errno(), call: "zmq_ctx_new")
        }
        self.handle = handle
        do {
            try libzmqChecked("zmq_ctx_set(ZMQ_IO_THREADS)") { zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) }
        } catch {
            zmq_ctx_term(handle)
            throw error
        }
    }

    /// Shuts the context down: every blocking or later call on its sockets (from any thread) fails with
    /// `ETERM` (``ZMQError/isContextTerminated``), which tells each socket's owner to close its socket and stop.
    /// Idempotent. The context itself is released in `deinit` once its sockets are gone.
    public func shutdown() {
        _ = zmq_ctx_shutdown(handle)
    }

    deinit {
        // Sockets retain their context, so none is open here and zmq_ctx_term cannot block on one.
        while zmq_ctx_term(handle) == -1 && zmq_errno() == EINTR {}
    }
}
