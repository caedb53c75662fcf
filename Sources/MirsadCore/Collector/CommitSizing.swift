/// How many results the collector's next commit takes: as many as fit in `target` at the cost per result the last
/// commits took, between `minimum` and `maximum`.
///
/// A commit's size is the latency it adds: results that arrive while one runs wait for its end. Sized by time, a
/// commit of cheap results (no analysis to index) still takes thousands, and one of results with aggregates to keep
/// takes few enough that a small batch behind a large one is not held up long.
///
/// The cost per result is a moving average over commits, each weighted by its results, so one slow commit (a
/// checkpoint, a busy disk) moves it only partly. Before the first commit the size is `minimum`: the first
/// commit measures the cost, and cheap results reach `maximum` at the second.
public struct CommitSizing: Sendable, Hashable {
    public let target: Duration
    public let minimum: Int
    public let maximum: Int
    /// Seconds per result, nil before the first commit.
    private var secondsPerResult: Double?

    public init(target: Duration, minimum: Int, maximum: Int) {
        self.target = target
        self.minimum = max(1, min(minimum, maximum))
        self.maximum = max(maximum, 1)
    }

    /// The size of the next commit.
    public var next: Int {
        guard let secondsPerResult, secondsPerResult > 0 else { return minimum }
        let fitting = target.inSeconds / secondsPerResult
        guard fitting.isFinite, fitting < Double(maximum) else { return maximum }
        return max(minimum, Int(fitting))
    }

    /// A commit of `results` results took `duration`.
    public mutating func committed(_ results: Int, in duration: Duration) {
        guard results > 0 else { return }
        let cost = max(duration.inSeconds, 0) / Double(results)
        guard let old = secondsPerResult else {
            secondsPerResult = cost
            return
        }
        // The new commit's weight grows with its size, up to a half.
        let weight = min(0.5, Double(results) / Double(2 * max(next, 1)))
        secondsPerResult = old + (cost - old) * weight
    }
}
