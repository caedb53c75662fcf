import Foundation

/// A task executor that is one thread of its own: the PostgreSQL store's async work (every call's task) runs here,
/// never on Swift's cooperative pool.
///
/// Why: the store's interface is synchronous and its callers block (the collector's loop thread, a command's main
/// thread) until the async call they started has finished. If that call ran on the cooperative pool, a caller that
/// is itself on the pool would hold one of its few threads while waiting for another, and enough such callers
/// would wait forever. With the work on this thread, a blocked caller only ever waits for this thread, which never
/// blocks on a caller. Tests use it too, to block without holding a thread of the pool (`offTheCooperativePool`).
///
/// `@unchecked Sendable`: `jobs`, `stopped` and `thread` are read and written only under `condition`'s lock.
public final class PostgresExecutorThread: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false
    private var thread: pthread_t?

    public init(name: String) {
        let thread = Thread { [self] in self.serve(name: name) }
        thread.name = name
        thread.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Whether the caller runs on this executor's thread.
    var isCurrentThread: Bool {
        condition.lock()
        defer { condition.unlock() }
        guard let thread else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    /// Ends the thread once the jobs already queued have run; jobs enqueued later never run.
    public func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func serve(name: String) {
        // The name the kernel shows (top -H, perf, /proc): Foundation keeps `Thread.name` to itself on Linux, and a
        // new thread inherits its creator's, often a thread of the cooperative pool.
        try? Data(name.utf8.prefix(15)).write(to: URL(fileURLWithPath: "/proc/thread-self/comm"))
        condition.lock()
        thread = pthread_self()
        condition.unlock()
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty && stopped {
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}
