/// How long a failed job waits before its next attempt: exponential backoff with jitter.
///
/// After the `n`-th failed attempt the ceiling is `min(base * 2^(n-1), max)`; the delay is drawn uniformly from
/// `[ceiling/2, ceiling]`, so jobs that failed together (a worker that crashed with many jobs) do not come back
/// together. The random source is seeded, so one seed gives one sequence of delays (tests are deterministic).
public struct RetryBackoff: Sendable, Hashable {
    public let baseNanos: UInt64
    public let maxNanos: UInt64
    private var random: SeededRandom

    public init(baseNanos: UInt64, maxNanos: UInt64, seed: UInt64) {
        self.baseNanos = baseNanos
        self.maxNanos = max(maxNanos, baseNanos)
        self.random = SeededRandom(seed: seed)
    }

    /// The largest delay after `failures` failed attempts (1 or more): `min(base * 2^(failures-1), max)`.
    public func ceilingNanos(afterFailures failures: Int) -> UInt64 {
        let doublings = max(failures - 1, 0)
        guard doublings < 64 else { return maxNanos }
        let (scaled, overflow) = baseNanos.multipliedReportingOverflow(by: 1 << UInt64(doublings))
        return overflow ? maxNanos : min(scaled, maxNanos)
    }

    /// A delay in `[ceiling/2, ceiling]` after `failures` failed attempts; advances the random source.
    public mutating func delayNanos(afterFailures failures: Int) -> UInt64 {
        let ceiling = ceilingNanos(afterFailures: failures)
        let floor = ceiling / 2
        return floor + UInt64.random(in: 0...(ceiling - floor), using: &random)
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
