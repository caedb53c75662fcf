/// Counts events per second over the last minute, to report rates over sliding windows.
///
/// Invariant: `buckets[i]` holds the count of the second `second` with `second % buckets.count == i`, for the
/// seconds within the window ending at `latestSecond`; older buckets are zeroed as time moves on.
public struct ThroughputMeter: Sendable {
    private var buckets: [UInt64]
    private var latestSecond: Int64 = 0
    public private(set) var total: UInt64 = 0

    /// - Parameter window: the longest window in seconds a rate can be asked for.
    public init(window: Int = 60) {
        buckets = Array(repeating: 0, count: max(window, 1) + 1)
    }

    /// Records `count` events at `nanoseconds` (a monotonic clock reading).
    public mutating func record(_ count: UInt64 = 1, atNanoseconds nanoseconds: UInt64) {
        advance(to: Int64(nanoseconds / 1_000_000_000))
        buckets[Int(latestSecond % Int64(buckets.count))] += count
        total += count
    }

    /// Events per second over the `seconds` full seconds before `nanoseconds` (the current second excluded).
    public mutating func rate(overLast seconds: Int, atNanoseconds nanoseconds: UInt64) -> Double {
        advance(to: Int64(nanoseconds / 1_000_000_000))
        let span = min(max(seconds, 1), buckets.count - 1)
        var sum: UInt64 = 0
        for back in 1...span {
            let second = latestSecond - Int64(back)
            if second < 0 { break }
            sum += buckets[Int(second % Int64(buckets.count))]
        }
        return Double(sum) / Double(span)
    }

    private mutating func advance(to second: Int64) {
        guard second > latestSecond else { return }
        let steps = min(second - latestSecond, Int64(buckets.count))
        for step in 1...steps {
            buckets[Int((latestSecond + step) % Int64(buckets.count))] = 0
        }
        latestSecond = second
    }
}
