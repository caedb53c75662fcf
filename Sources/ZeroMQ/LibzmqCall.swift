import CZeroMQ

/// What a libzmq call came to, once `EINTR` was dealt with.
enum LibzmqOutcome {
    /// The call succeeded and returned this (non-negative) value.
    case completed(Int32)
    /// The call failed with `EAGAIN`: nothing was done (non-blocking call, or a send/receive timeout elapsed).
    case wouldBlock
    /// A signal interrupted the call (`EINTR`) while its caller's ``StopCondition`` was set: it was not tried again.
    case interrupted

    /// The value, treating `EAGAIN` and an interruption as errors for calls where they are not expected outcomes.
    func value(call: @autoclosure () -> String) throws(ZMQError) -> Int32 {
        switch self {
        case .completed(let value): return value
        case .wouldBlock: throw ZMQError(code: EAGAIN, call: call())
        case .interrupted: throw ZMQError(code: EINTR, call: call())
        }
    }
}

/// Says whether the thread that owns a socket is to stop. Asked only when a signal interrupts a libzmq call
/// (`EINTR`): a call is tried again after an interruption while the answer is no, and given up once it is yes, so a
/// loop blocked in libzmq when it is told to stop gets back to its stop check instead of waiting on.
public protocol StopCondition: Sendable {
    var isStopRequested: Bool { get }
}

/// The one funnel through which every libzmq return code passes.
///
/// Invariants: `zmq_errno()` is read in the same expression as the call, before any other code could run
/// (and change the thread's errno); `EINTR` is retried while `stop` is absent or not set, and ends the call with
/// ``LibzmqOutcome/interrupted`` once it is (never retried forever while the service is stopping); `EAGAIN` becomes
/// ``LibzmqOutcome/wouldBlock``; every other failure is thrown as a ``ZMQError`` carrying libzmq's code and the
/// call's name. `body` must be safe to repeat after an `EINTR` (libzmq leaves its arguments intact on failure).
@inline(never)
func libzmq(
    _ call: @autoclosure () -> String, stop: (any StopCondition)? = nil, _ body: () -> Int32
) throws(ZMQError) -> LibzmqOutcome {
    while true {
        let result = body()
        if result != -1 { return .completed(result) }
        let errorNumber = zmq_errno()  // first thing after the call: nothing may run in between
        switch errorNumber {
        case EINTR:
            if stop?.isStopRequested == true { return .interrupted }
            continue
        case EAGAIN: return .wouldBlock
        default: throw ZMQError(code: errorNumber, call: call())
        }
    }
}

/// ``libzmq(_:stop:_:)`` for calls where `EAGAIN` and an interruption are errors too.
@inline(__always)
@discardableResult
func libzmqChecked(
    _ call: @autoclosure () -> String, stop: (any StopCondition)? = nil, _ body: () -> Int32
) throws(ZMQError) -> Int32 {
    try libzmq(call(), stop: stop, body).value(call: call())
}
