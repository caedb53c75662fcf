/// Events per second over the last minute or less, in one-second buckets of the monotonic clock. Time is passed in,
/// never read.
///
/// Invariant: bucket `i` counts events of the second `seconds[i]` (whole seconds since the clock's origin; instants
/// before it count as second 0), and only seconds with `second % 60 == i` land there, so a bucket older than 60 s is
/// recognised by its second and ignored.
public struct RateWindow: Sendable, Hashable {
    public static let spanSeconds = 60
    private var counts = [UInt64](repeating: 0, count: spanSeconds)
    private var seconds = [UInt64](repeating: .max, count: spanSeconds)

    public init() {}

    public mutating func record(_ events: UInt64 = 1, at now: MonotonicInstant) {
        let second = Self.second(of: now)
        let i = Int(second % UInt64(Self.spanSeconds))
        if seconds[i] != second {
            seconds[i] = second
            counts[i] = 0
        }
        counts[i] += events
    }

    /// Events per second over the `window` seconds ending with the current one (1 ... 60).
    public func rate(overSeconds window: Int, at now: MonotonicInstant) -> Double {
        let window = UInt64(min(max(window, 1), Self.spanSeconds))
        let current = Self.second(of: now)
        var total: UInt64 = 0
        for (i, second) in seconds.enumerated() where second != .max && second <= current && current - second < window {
            total += counts[i]
        }
        return Double(total) / Double(window)
    }

    /// The whole second since the clock's origin that `instant` falls in.
    private static func second(of instant: MonotonicInstant) -> UInt64 {
        UInt64(clamping: instant.sinceOrigin.wholeNanoseconds / 1_000_000_000)
    }
}
