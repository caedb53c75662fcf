import MirsadCore

/// How long the indexer pauses after a batch so that, while the cores it may run on are busy, it takes about
/// `busyShare` of one core, and none of a pause once they idle. Events in (a batch's CPU time, what a pause saw of
/// the cores), a decision out; no clock, no I/O.
///
/// Why not leave this to the scheduler: a nice value only weighs threads against others of the same scheduling
/// group, and Linux groups by session (autogroup) or by systemd unit (cgroup). A collector started in a terminal of
/// its own, or as a unit of its own, is weighed against each worker as an equal whatever its indexing thread's nice
/// value, and the indexer, costing more CPU than an article's analysis, took a third of a shared core.
///
/// Invariants: the pause owed after a batch is its CPU time × (1 − share) / share, at most `longestPause`; a
/// pause ends at once when the cores are seen idle (`idleCoresToResume` or more on average over a look), so
/// indexing never waits on idle cores; the owed pause only shrinks by the busy time actually observed.
public struct IndexingPace: Sendable, Hashable {
    /// The share of one core the indexer takes while the cores are busy, in (0, 1].
    public let busyShare: Double
    /// Idle cores (averaged over a look) at which a pause ends.
    public let idleCoresToResume: Double
    /// The longest pause owed at once, so that a long batch does not leave reports stale for long.
    public let longestPause: Duration
    /// The pause still owed.
    public private(set) var owed: Duration = .zero
    /// Whether the last look saw the cores idle (false before any look).
    public private(set) var coresSeenIdle = false

    public init(busyShare: Double, idleCoresToResume: Double = 0.5, longestPause: Duration = .seconds(10)) {
        precondition(busyShare > 0 && busyShare <= 1, "busyShare must be in (0, 1]")
        self.busyShare = busyShare
        self.idleCoresToResume = idleCoresToResume
        self.longestPause = longestPause
    }

    /// A batch took `cpu` of the indexing thread's time.
    public mutating func indexed(cpu: Duration) {
        let pause = cpu.inSeconds * (1 - busyShare) / busyShare
        owed = min(owed + .seconds(exactly: pause), longestPause)
    }

    /// Whether the indexer should look at the cores (pause) before its next batch.
    public var pausing: Bool { owed > .zero }

    /// A look of `duration` during the pause saw `idleCores` idle on average (nil: unknown, counted as busy).
    public mutating func looked(for duration: Duration, idleCores: Double?) {
        if let idleCores, idleCores >= idleCoresToResume {
            owed = .zero
            coresSeenIdle = true
        } else {
            owed = max(owed - duration, .zero)
            coresSeenIdle = false
        }
    }
}
