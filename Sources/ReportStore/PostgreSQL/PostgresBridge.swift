import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The outcome of one bridged call.
///
/// `@unchecked Sendable`: written once by the task before it signals the semaphore, read by the caller only after
/// its wait on that semaphore returned, which orders the write before the read.
private final class Handover<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

/// A `PostgresClient` for synchronous callers: the client runs on its own executor thread
/// (`PostgresExecutorThread`), and `wait` blocks the calling thread on a semaphore until the async work it hands
/// over has finished there.
///
/// Invariant: every task that touches the client prefers `executor`, so a caller blocked in `wait` never holds a
/// thread the work needs. Callers must not be the executor thread itself.
final class PostgresBridge: Sendable {
    let client: PostgresClient
    let logger: Logger
    private let executor: PostgresExecutorThread
    private let running: Task<Void, Never>
    private let closed = Mutex(false)

    init(configuration: PostgresClient.Configuration, logger: Logger) {
        let executor = PostgresExecutorThread(name: "mirsad.postgres")
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.executor = executor
        self.client = client
        self.logger = logger
        running = Task(executorPreference: executor) { await client.run() }
    }

    /// Runs `body` on the executor thread and blocks until it returns or throws.
    func wait<T: Sendable>(_ body: @escaping @Sendable (PostgresClient) async throws -> T) throws -> T {
        let handover = Handover<T>()
        let done = DispatchSemaphore(value: 0)
        let client = self.client
        Task(executorPreference: executor) {
            do {
                handover.result = .success(try await body(client))
            } catch {
                handover.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return try handover.result!.get()
    }

    /// Closes the client's connections and ends its thread; blocks until the client has stopped. Later calls do
    /// nothing.
    func shutDown() {
        guard closed.withLock({ wasClosed in
            defer { wasClosed = true }
            return !wasClosed
        }) else { return }
        running.cancel()
        let done = DispatchSemaphore(value: 0)
        let running = self.running
        Task(executorPreference: executor) {
            await running.value
            done.signal()
        }
        done.wait()
        executor.stop()
    }
}
