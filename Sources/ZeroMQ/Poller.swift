import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Readiness of a polled socket.
public struct PollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// A whole message can be received without blocking.
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// A message can be sent without blocking.
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// An error condition (only for raw file descriptors in libzmq; never set for sockets).
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// A poll set (`zmq_poll`) over sockets the calling thread owns.
///
/// Like ``Socket``, it is not `Sendable`: it must be used by the thread that owns the sockets registered in
/// it. It keeps them alive; a socket closed while registered makes ``poll(timeoutMilliseconds:)`` throw
/// `ENOTSOCK` instead of polling a dangling handle.
public struct Poller {
    private var sockets: [Socket] = []
    private var items: [zmq_pollitem_t] = []

    public init() {}

    /// The number of registered sockets.
    public var count: Int { sockets.count }

    /// Adds a socket; returns its index in the result of ``poll(timeoutMilliseconds:)``.
    @discardableResult
    public mutating func register(_ socket: Socket, for events: PollEvents = .readable) -> Int {
        sockets.append(socket)
        items.append(zmq_pollitem_t(socket: nil, fd: 0, events: events.rawValue, revents: 0))
        return sockets.count - 1
    }

    /// Changes the events polled for the socket at `index` (as returned by ``register(_:for:)``).
    public mutating func update(_ index: Int, for events: PollEvents) throws {
        guard items.indices.contains(index) else {
            throw ZMQError(code: EINVAL, call: "Poller.update: no socket registered at index \(index)")
        }
        items[index].events = events.rawValue
    }

    /// Waits until a registered socket is ready or `timeoutMilliseconds` pass (-1: forever, 0: just look).
    /// Returns the ready events per registered index, in registration order (empty sets when it timed out).
    /// An interrupted wait (`EINTR`) resumes with the time that is left, unless the first registered socket with a
    /// ``Socket/stopCondition`` says stop: then it returns at once with nothing ready. Throws `ETERM` after
    /// ``ZMQContext/shutdown()``.
    public mutating func poll(timeoutMilliseconds: Int) throws -> [PollEvents] {
        for index in sockets.indices {
            items[index].socket = try sockets[index].openHandle("zmq_poll (socket \(index) is closed)")
            items[index].revents = 0
        }
        let deadline = timeoutMilliseconds > 0 ? Self.nowMilliseconds() + timeoutMilliseconds : nil
        let count = Int32(items.count)
        let stop = sockets.lazy.compactMap(\.stopCondition).first
        let outcome = try items.withUnsafeMutableBufferPointer { buffer throws(ZMQError) in
            // The funnel repeats this closure after EINTR, so each later attempt waits only for the time left (the
            // first waits the whole timeout: a millisecond clock that ticks meanwhile must not shorten it).
            var attempts = 0
            return try libzmq("zmq_poll", stop: stop) {
                defer { attempts += 1 }
                let timeout = attempts == 0 ? timeoutMilliseconds
                    : deadline.map { max(0, $0 - Self.nowMilliseconds()) } ?? timeoutMilliseconds
                return zmq_poll(buffer.baseAddress, count, timeout)
            }
        }
        switch outcome {
        case .completed: return items.map { PollEvents(rawValue: $0.revents) }
        // Stopping: the wait ends early with nothing ready, and the caller's loop reaches its stop check.
        case .interrupted: return items.map { _ in PollEvents() }
        case .wouldBlock: throw ZMQError(code: EAGAIN, call: "zmq_poll")
        }
    }

    /// ``poll(timeoutMilliseconds:)`` for `timeout` (zero or less: just look), rounded up to whole milliseconds, the
    /// resolution of `zmq_poll`, so a wait never ends before `timeout` has passed.
    public mutating func poll(timeout: Duration) throws -> [PollEvents] {
        let (seconds, attoseconds) = timeout.components
        guard seconds > 0 || (seconds == 0 && attoseconds > 0) else { return try poll(timeoutMilliseconds: 0) }
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        let rest = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        let total = milliseconds.overflow ? Int64(Int32.max) : min(milliseconds.partialValue + rest, Int64(Int32.max))
        return try poll(timeoutMilliseconds: Int(total))
    }

    private static func nowMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000
    }
}

@available(*, unavailable)
extension Poller: Sendable {}
