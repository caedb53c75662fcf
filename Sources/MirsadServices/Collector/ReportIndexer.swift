import Foundation
import Logging
import MirsadCore
import ReportStore
import ServiceLifecycle
import Synchronization

/// Moves the results a collector has committed to its store's inbox into the tables reports read (articles,
/// aggregates, stories), in large batches, on a thread of its own at a lower scheduling priority than analysis,
/// pausing between batches while the cores are busy (`IndexingPace`).
///
/// The collector acknowledges a result once its row is in the inbox; indexing it costs more CPU than the row
/// (about 160 B-tree entries an article), so it is done here, where it neither delays an acknowledgement nor, on
/// a machine whose cores the workers keep busy, takes their time: it yields to them and catches up when they
/// idle. Reports count what is indexed and say how many results wait (`ReportSummary.notYetIndexed`).
///
/// Invariants: the store's indexing is one transaction a batch and records where it stopped in the same
/// transaction, so a stop or a crash at any moment loses nothing and indexes nothing twice; a failing batch
/// (a full disk) is retried after `retryAfter`, logged at most once per `retryAfter`.
public final class ReportIndexer: Service, Sendable {
    public struct Configuration: Sendable {
        /// The most results one transaction moves: large enough to share the aggregates' updates, small enough
        /// that a graceful stop, which waits for the batch in progress, is not held up on busy cores.
        public var batchSize = 256
        /// The most results one transaction moves once a look has seen the cores idle: the look that follows every
        /// paced batch (`look`) then costs a smaller part of catching up (200 ms after about 1.3 s of work instead of
        /// after 0.3 s). A batch that outlasts the idle cores is paid back by a longer pause.
        public var idleBatchSize = 1_024
        /// How often an idle indexer looks in the inbox for results this process did not commit (it is told of
        /// its own collector's at once: `SQLiteReportStore.inboxCommits`).
        public var idleInterval: Duration = .seconds(1)
        /// How long after a failed batch the next is tried.
        public var retryAfter: Duration = .seconds(1)
        /// The indexing thread's nice value (0 to 19, higher yields more); nil leaves it as the process's.
        ///
        /// Linux's scheduler weighs a nice-10 thread at 110 against 1,024 for nice 0: beside busy workers it gets
        /// about a tenth of a core, and all of an idle one. Not 19 (weight 15): a batch holds the store's write lock
        /// and a graceful stop waits for it, so a thread starved for seconds would hold up both.
        public var niceness: Int32? = 10
        /// The share of one core indexing takes while the cores it may run on are busy (`IndexingPace`); nil for
        /// no pauses (the scheduler alone decides). The nice value does not reach across scheduling groups: see
        /// `IndexingPace`.
        public var busyShare: Double? = 0.1
        /// How long one look at the cores lasts during a pause.
        public var look: Duration = .milliseconds(200)
        /// The longest pause owed at once (`IndexingPace.longestPause`).
        public var longestPause: Duration = .seconds(10)
        /// What every look sees instead of the cores' idle time from `/proc/stat` (for tests); nil reads the cores.
        public var idleCoresSeen: Double?

        public init() {}
    }

    /// What the indexer has done since it started.
    public struct Statistics: Sendable, Hashable {
        public var indexed: UInt64 = 0
        /// Inbox rows that no longer read as results, passed over.
        public var skipped: UInt64 = 0
        public var failures: UInt64 = 0
    }

    private let store: SQLiteReportStore
    private let configuration: Configuration
    private let logger: Logger
    private let stop = StopRequest()
    private let counters = Mutex(Statistics())

    public init(store: SQLiteReportStore, configuration: Configuration = .init(), logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    public var statistics: Statistics { counters.withLock { $0 } }

    /// Indexes until graceful shutdown or cancellation; the batch in progress is finished (what waits is indexed
    /// by the next run, or by `mirsad run` before its summary).
    public func run() async throws {
        try await runOnLoopThread(name: "indexer", stop: stop) { [self] in loop() }
    }

    public func stopGracefully() { stop.request() }

    private func loop() {
        #if os(Linux)
        // The name `top -H` and /proc show (`mirsad benchmark collector` reads this thread's CPU by it); the C call
        // that sets it is not visible to Swift here, the file it writes is.
        try? Data("indexer".utf8).write(to: URL(fileURLWithPath: "/proc/thread-self/comm"))
        #endif
        if let niceness = configuration.niceness { Self.lowerPriority(of: "indexer", to: niceness, logger: logger) }
        var lastFailureLog: ContinuousClock.Instant?
        let look = configuration.busyShare == nil ? nil : lookAtCores()
        var pace = look == nil ? nil : configuration.busyShare.map {
            IndexingPace(busyShare: $0, longestPause: configuration.longestPause)
        }
        // Idle, the thread wakes every 50 ms to compare a counter, and reads the files once per `idleInterval`.
        var commitsSeen = store.inboxCommits
        var lastLook: ContinuousClock.Instant?
        while !stop.isRequested {
            let commits = store.inboxCommits
            let now = ContinuousClock.now
            guard commits != commitsSeen || lastLook.map({ now - $0 >= configuration.idleInterval }) ?? true else {
                Thread.sleep(forTimeInterval: 0.05)
                continue
            }
            if var paused = pace, let look, paused.pausing {
                while paused.pausing, !stop.isRequested { paused.looked(for: configuration.look, idleCores: look()) }
                pace = paused
                continue
            }
            do {
                let started = Duration.currentThreadCPUTime()
                let limit = pace?.coresSeenIdle == true ? configuration.idleBatchSize : configuration.batchSize
                let (moved, skipped) = try store.indexPending(limit: limit)
                if moved > 0 { pace?.indexed(cpu: Duration.currentThreadCPUTime() - started) }
                counters.withLock {
                    $0.indexed += UInt64(moved - skipped)
                    $0.skipped += UInt64(skipped)
                }
                if skipped > 0 {
                    logger.warning("\(skipped) results in the inbox no longer read as results; passed over unindexed")
                }
                if moved == 0 {
                    // Everything committed up to `commits` is indexed.
                    commitsSeen = commits
                    lastLook = now
                }
            } catch {
                counters.withLock { $0.failures += 1 }
                let now = ContinuousClock.now
                if lastFailureLog.map({ now - $0 >= configuration.retryAfter }) ?? true {
                    lastFailureLog = now
                    logger.error("indexing stored results failed (retried every \(configuration.retryAfter)): \(error)")
                }
                sleep(configuration.retryAfter)
            }
        }
    }

    /// One look at the cores during a pause: sleeps `configuration.look` (less on a stop) and says how many cores
    /// were idle meanwhile. Nil without a view of the cores (not Linux): a pace could not tell idle cores from busy
    /// ones, so the nice value alone applies.
    private func lookAtCores() -> (() -> Double?)? {
        if let seen = configuration.idleCoresSeen {
            return { [self] in
                sleep(configuration.look)
                return seen
            }
        }
        guard let meter = CPUIdleMeter() else { return nil }
        return { [self] in
            let before = meter.sample()
            sleep(configuration.look)
            guard let before, let after = meter.sample() else { return nil }
            return meter.idleCores(from: before, to: after)
        }
    }

    /// Sleeps `duration`, waking early when a stop is requested.
    private func sleep(_ duration: Duration) {
        let step = Duration.milliseconds(10)
        var left = duration
        while left > .zero, !stop.isRequested {
            let nap = min(step, left)
            let (seconds, attoseconds) = nap.components
            Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
            left -= nap
        }
    }

    /// Gives the calling thread `niceness`. On Linux, which schedules threads, `setpriority` of "process 0" sets
    /// the calling thread's alone and leaves the process's other threads as they are. A thread cannot take
    /// priority back without privileges: it is set once, for the thread's life.
    static func lowerPriority(of name: String, to niceness: Int32, logger: Logger) {
        #if os(Linux)
        if setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) != 0 {
            logger.notice("the \(name) thread keeps its priority: setpriority failed (errno \(errno))")
        }
        #endif
    }
}
