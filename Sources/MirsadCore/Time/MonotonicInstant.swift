#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point on the monotonic clock, as the time since its (arbitrary, per-boot) origin: what every timer, timeout,
/// lease and rate in the services is measured against. It never goes back, so the difference of two instants read
/// in order is never negative; it means nothing to another machine or after a reboot, so it is never written down.
public struct MonotonicInstant: InstantProtocol, Sendable, Hashable, CustomStringConvertible {
    public var sinceOrigin: Duration

    public init(sinceOrigin: Duration) {
        self.sinceOrigin = sinceOrigin
    }

    /// The clock's origin; a harness starts its time here.
    public static let origin = MonotonicInstant(sinceOrigin: .zero)

    /// Now, read from `CLOCK_MONOTONIC`.
    public static func now() -> MonotonicInstant {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicInstant(sinceOrigin: .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec))
    }

    public func advanced(by duration: Duration) -> MonotonicInstant {
        MonotonicInstant(sinceOrigin: sinceOrigin + duration)
    }

    public func duration(to other: MonotonicInstant) -> Duration {
        other.sinceOrigin - sinceOrigin
    }

    public static func + (lhs: MonotonicInstant, rhs: Duration) -> MonotonicInstant { lhs.advanced(by: rhs) }

    /// The time from `rhs` to `lhs` (negative when `lhs` is earlier).
    public static func - (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Duration { rhs.duration(to: lhs) }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.sinceOrigin < rhs.sinceOrigin
    }

    public var description: String { "monotonic \(sinceOrigin)" }
}
