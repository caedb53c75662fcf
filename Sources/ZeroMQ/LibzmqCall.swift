import CZeroMQ

/// What a libzmq call came to, once `EINTR` was retried.
enum LibzmqOutcome {
    /// The call succeeded and returned this (non-negative) value.
    case completed(Int32)
    /// The call failed with `EAGAIN`: nothing was done (non-blocking call, or a send/receive timeout elapsed).
    case wouldBlock

    /// The value, treating `EAGAIN` as an error for calls where it is not an expected outcome.
    func value(call: @autoclosure () -> String) throws(ZMQError) -> Int32 {
        switch self {
        case .completed(let value): return value
        case .wouldBlock: throw ZMQError(code: EAGAIN, call: call())
        }
    }
}

/// The one funnel through which every libzmq return code passes.
///
/// Invariants: `zmq_errno()` is read in the same expression as the call, before any other code could run
/// (and change the thread's errno); `EINTR` is retried; `EAGAIN` becomes ``LibzmqOutcome/wouldBlock``; every other
/// failure is thrown as a ``ZMQError`` carrying libzmq's code and the call's name. `body` must be safe to
/// repeat after an `EINTR` (libzmq leaves its arguments intact on failure).
@inline(never)
func libzmq(_ call: @autoclosure () -> String, _ body: () -> Int32) throws(ZMQError) -> LibzmqOutcome {
    while true {
        let result = body()
        if result != -1 { return .completed(result) }
        let errorNumber = zmq_errno()  // first thing after the call: nothing may run in between
        switch errorNumber {
        case EINTR: continue
        case EAGAIN: return .wouldBlock
        default: throw ZMQError(code: errorNumber, call: call())
        }
    }
}

/// ``libzmq(_:_:)`` for calls where `EAGAIN` is an error too.
@inline(__always)
@discardableResult
func libzmqChecked(_ call: @autoclosure () -> String, _ body: () -> Int32) throws(ZMQError) -> Int32 {
    try libzmq(call(), body).value(call: call())
}
