/// How long a failed job waits before its next attempt: exponential backoff with jitter.
///
/// After the `n`-th failed attempt the ceiling is `min(base * 2^(n-1), maximum)`; the delay is drawn uniformly from
/// `[ceiling/2, ceiling]`, so jobs that failed together (a worker that crashed with many jobs) do not come back
/// together. The random source is seeded, so one seed gives one sequence of delays (tests are deterministic).
public struct RetryBackoff: Sendable, Hashable {
    /// Invariant: `0 <= baseNanos <= maximumNanos <= Int64.max` (negative durations count as zero). The draws are
    /// made in whole nanoseconds, so a seed gives the same delays whatever unit the caller thinks in.
    private let baseNanos: UInt64
    private let maximumNanos: UInt64
    private var random: SeededRandom

    /// A backoff from `base`, doubling up to `maximum` (at least `base`).
    public init(base: Duration, maximum: Duration, seed: UInt64) {
        self.baseNanos = UInt64(clamping: base.wholeNanoseconds)
        self.maximumNanos = max(UInt64(clamping: maximum.wholeNanoseconds), baseNanos)
        self.random = SeededRandom(seed: seed)
    }

    /// The delay after the first failed attempt.
    public var base: Duration { .nanoseconds(Int64(baseNanos)) }
    /// The longest delay.
    public var maximum: Duration { .nanoseconds(Int64(maximumNanos)) }

    /// The largest delay after `failures` failed attempts (1 or more): `min(base * 2^(failures-1), maximum)`.
    public func ceiling(afterFailures failures: Int) -> Duration {
        .nanoseconds(Int64(ceilingNanos(afterFailures: failures)))
    }

    /// A delay in `[ceiling/2, ceiling]` (whole nanoseconds) after `failures` failed attempts; advances the random
    /// source.
    public mutating func delay(afterFailures failures: Int) -> Duration {
        let ceiling = ceilingNanos(afterFailures: failures)
        let floor = ceiling / 2
        return .nanoseconds(Int64(floor + UInt64.random(in: 0...(ceiling - floor), using: &random)))
    }

    private func ceilingNanos(afterFailures failures: Int) -> UInt64 {
        let doublings = max(failures - 1, 0)
        guard doublings < 64 else { return maximumNanos }
        let (scaled, overflow) = baseNanos.multipliedReportingOverflow(by: 1 << UInt64(doublings))
        return overflow ? maximumNanos : min(scaled, maximumNanos)
    }
}

/// SplitMix64: a small, fast generator with a 64-bit seed; every seed gives a full-period sequence, so a run
/// driven by it (the dispatcher's jitter, randomised and fault tests) replays from its seed.
public struct SeededRandom: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
