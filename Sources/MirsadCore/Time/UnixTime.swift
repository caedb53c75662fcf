#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point on the wall clock, as the time since 1970-01-01 UTC: what is written down, shown to people and sent to
/// other machines (submission times, dead-letter times, result timings). It may jump either way, so no timer is
/// measured on it.
public struct UnixTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var sinceEpoch: Duration

    public init(sinceEpoch: Duration) {
        self.sinceEpoch = sinceEpoch
    }

    public init(milliseconds: UInt64) {
        sinceEpoch = .milliseconds(Int64(clamping: milliseconds))
    }

    /// Now, read from `CLOCK_REALTIME`.
    public static func now() -> UnixTime {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UnixTime(sinceEpoch: .seconds(ts.tv_sec) + .nanoseconds(ts.tv_nsec))
    }

    /// Whole milliseconds since the epoch, as the protocol carries them (0 before 1970).
    public var milliseconds: UInt64 {
        UInt64(max(sinceEpoch.wholeMilliseconds, 0))
    }

    public func advanced(by duration: Duration) -> UnixTime {
        UnixTime(sinceEpoch: sinceEpoch + duration)
    }

    public static func < (lhs: UnixTime, rhs: UnixTime) -> Bool { lhs.sinceEpoch < rhs.sinceEpoch }

    public var description: String { "unix \(milliseconds) ms" }
}
