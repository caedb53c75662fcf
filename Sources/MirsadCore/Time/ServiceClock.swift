import Synchronization

/// The two clocks a service reads, injected so that tests choose the time: `monotonic` for every timer and timeout,
/// `wall` for what is written down or shown. Pure state machines never read a clock; the loop around each reads
/// this one and passes the time in with each event.
public struct ServiceClock: Sendable {
    public var monotonic: @Sendable () -> MonotonicInstant
    public var wall: @Sendable () -> UnixTime

    public init(monotonic: @escaping @Sendable () -> MonotonicInstant, wall: @escaping @Sendable () -> UnixTime) {
        self.monotonic = monotonic
        self.wall = wall
    }

    /// The machine's clocks.
    public static let system = ServiceClock(monotonic: { MonotonicInstant.now() }, wall: { UnixTime.now() })
}

/// A clock that moves only when told: the monotonic time starts at `MonotonicInstant.origin` and the wall time at
/// `wallStart`, and both advance together by `advance(by:)`. For tests of the loops around the state machines.
public final class ManualClock: Sendable {
    private let elapsed = Mutex(Duration.zero)
    private let wallStart: UnixTime

    public init(wallStart: UnixTime = UnixTime(milliseconds: 1_800_000_000_000)) {
        self.wallStart = wallStart
    }

    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "a monotonic clock never goes back")
        elapsed.withLock { $0 += duration }
    }

    public var monotonicNow: MonotonicInstant { MonotonicInstant.origin.advanced(by: elapsed.withLock { $0 }) }
    public var wallNow: UnixTime { wallStart.advanced(by: elapsed.withLock { $0 }) }

    /// This clock as a service's clocks.
    public var serviceClock: ServiceClock {
        ServiceClock(monotonic: { self.monotonicNow }, wall: { self.wallNow })
    }
}
