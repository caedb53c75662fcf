/// Events per second over the last minute or less, in one-second buckets. Time is passed in, never read.
///
/// Invariant: bucket `i` counts events of the second `seconds[i]`, and only seconds with `second % 60 == i` land
/// there, so a bucket older than 60 s is recognised by its second and ignored.
public struct RateWindow: Sendable, Hashable {
    public static let spanSeconds = 60
    private var counts = [UInt64](repeating: 0, count: spanSeconds)
    private var seconds = [UInt64](repeating: .max, count: spanSeconds)

    public init() {}

    public mutating func record(_ events: UInt64 = 1, atNanos now: UInt64) {
        let second = now / 1_000_000_000
        let i = Int(second % UInt64(Self.spanSeconds))
        if seconds[i] != second {
            seconds[i] = second
            counts[i] = 0
        }
        counts[i] += events
    }

    /// Events per second over the `window` seconds ending with the current one (1 ... 60).
    public func rate(overSeconds window: Int, atNanos now: UInt64) -> Double {
        let window = UInt64(min(max(window, 1), Self.spanSeconds))
        let current = now / 1_000_000_000
        var total: UInt64 = 0
        for (i, second) in seconds.enumerated() where second != .max && second <= current && current - second < window {
            total += counts[i]
        }
        return Double(total) / Double(window)
    }
}
