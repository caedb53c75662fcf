import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// The outcome of one bridged call.
///
/// `@unchecked Sendable`: written once by the task before it signals the semaphore, read by the caller only after
/// its wait on that semaphore returned, which orders the write before the read.
private final class Handover<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

/// The PostgreSQL store's connections for synchronous callers: `wait` hands async work to the store's executor
/// thread (`PostgresExecutorThread`) and blocks the calling thread on a semaphore until it has finished there.
///
/// Invariants: the work runs on `executor` and NIO's event loops only (`PostgresConnections` starts no task of its
/// own), so a blocked caller waits for threads that never wait for a caller, wherever the caller runs, a thread of
/// Swift's cooperative pool included; `wait` refuses to run on the executor thread itself, which would wait for
/// itself.
final class PostgresBridge: Sendable {
    let connections: PostgresConnections
    private let executor: PostgresExecutorThread
    private let closed = Mutex(false)

    init(configuration: PostgresConnection.Configuration, logger: Logger) {
        executor = PostgresExecutorThread(name: "mirsad.postgres")
        connections = PostgresConnections(configuration: configuration, logger: logger)
    }

    /// Runs `body` on the executor thread and blocks until it returns or throws.
    func wait<T: Sendable>(_ body: @escaping @Sendable (PostgresConnections) async throws -> T) throws -> T {
        precondition(!executor.isCurrentThread, "a PostgreSQL store call from inside another one would wait for itself")
        let handover = Handover<T>()
        let done = DispatchSemaphore(value: 0)
        let connections = self.connections
        Task(executorPreference: executor) {
            do {
                handover.result = .success(try await body(connections))
            } catch {
                handover.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return try handover.result!.get()
    }

    /// Closes the connections and ends the executor thread once the work already handed over has run. Waits for
    /// the idle connections to close unless called on the event loop that closes them. Later calls do nothing.
    func shutDown() {
        guard closed.withLock({ wasClosed in
            defer { wasClosed = true }
            return !wasClosed
        }) else { return }
        let closing = connections.close()
        if !closing.eventLoop.inEventLoop { try? closing.wait() }
        executor.stop()
    }
}
