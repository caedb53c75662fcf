import Histogram

/// Submit-to-stored latencies, in microseconds, with percentiles from an HdrHistogram.
public struct LatencyRecorder: Sendable {
    private var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)

    public init() {}

    public mutating func record(nanoseconds: UInt64) {
        let micros = max(nanoseconds / 1_000, 1)
        _ = histogram.record(min(micros, 3_600_000_000))
    }

    public var count: UInt64 { histogram.totalCount }

    /// The latency at `percentile` (0...100) in milliseconds; 0 when nothing was recorded.
    public func milliseconds(atPercentile percentile: Double) -> Double {
        guard histogram.totalCount > 0 else { return 0 }
        return Double(histogram.valueAtPercentile(percentile)) / 1_000
    }
}
