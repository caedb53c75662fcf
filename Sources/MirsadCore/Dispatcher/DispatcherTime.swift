/// A moment as the dispatcher sees it, on two clocks.
///
/// - `monotonic` drives every timer: liveness, leases, heartbeats, rates. Callers pass values that never decrease
///   from one event to the next.
/// - `wall` is what gets written down and compared with what was written down: a retry's not-before time, a dead
///   letter's time, the latency from a job's submission (the submission time is kept by the journal, across
///   restarts). A wall clock that jumps back only delays retries; latencies never go negative.
///
/// The state machine never reads a clock: tests pass moments they choose, the service reads its `ServiceClock`.
public struct DispatcherTime: Sendable, Hashable, CustomStringConvertible {
    public var monotonic: MonotonicInstant
    public var wall: UnixTime

    public init(monotonic: MonotonicInstant, wall: UnixTime) {
        self.monotonic = monotonic
        self.wall = wall
    }

    /// Now, on both of `clock`'s clocks.
    public init(_ clock: ServiceClock) {
        self.init(monotonic: clock.monotonic(), wall: clock.wall())
    }

    /// This moment `duration` later, on both clocks.
    public func advanced(by duration: Duration) -> DispatcherTime {
        DispatcherTime(monotonic: monotonic.advanced(by: duration), wall: wall.advanced(by: duration))
    }

    public var description: String { "\(monotonic) (\(wall))" }
}
