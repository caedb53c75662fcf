import Foundation

/// Runs `body` in the calling task on a thread of its own, so that a test calling the PostgreSQL store's blocking
/// interface (or waiting for a `mirsad` process) holds that thread and not one of the cooperative pool's, which on a
/// two-core machine are two and run every other test.
///
/// The body stays in the calling task (`withTaskExecutorPreference`), so the test's task-locals, and with them the
/// attribution of `#expect` failures to the running test, are kept.
public func offTheCooperativePool<T>(_ body: () throws -> T) async throws -> T {
    let thread = OwnThreadExecutor()
    defer { thread.stop() }
    return try await withTaskExecutorPreference(thread) { try body() }
}

/// A task executor that is one thread, ended by `stop` once the jobs already enqueued have run.
///
/// `@unchecked Sendable`: `jobs` and `stopped` are read and written only under `condition`'s lock.
final class OwnThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false

    init() {
        let thread = Thread { [self] in serve() }
        thread.name = "test.off-pool"
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func serve() {
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
