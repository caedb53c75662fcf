/// A moment as the dispatcher sees it, on two clocks.
///
/// - `monotonicNanos` drives every timer: liveness, leases, heartbeats, rates. Callers pass values that never
///   decrease from one event to the next.
/// - `unixMillis` (the wall clock) is what gets written down and compared with what was written down: a retry's
///   not-before time, a dead letter's time, the latency from a job's submission (the submission time is kept by the
///   journal, across restarts). A wall clock that jumps back only delays retries; latencies never go negative.
///
/// The state machine never reads a clock: tests pass moments they choose.
public struct DispatcherTime: Sendable, Hashable, CustomStringConvertible {
    public var monotonicNanos: UInt64
    public var unixMillis: UInt64

    public init(monotonicNanos: UInt64, unixMillis: UInt64) {
        self.monotonicNanos = monotonicNanos
        self.unixMillis = unixMillis
    }

    /// This moment `nanos` later, on both clocks.
    public func advanced(byNanos nanos: UInt64) -> DispatcherTime {
        DispatcherTime(monotonicNanos: monotonicNanos &+ nanos, unixMillis: unixMillis &+ nanos / 1_000_000)
    }

    public var description: String { "\(monotonicNanos) ns (unix \(unixMillis) ms)" }
}
