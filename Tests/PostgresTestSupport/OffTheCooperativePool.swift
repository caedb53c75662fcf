import ReportStore

/// Runs `body` in the calling task on a thread of its own, so that a test calling the PostgreSQL store's blocking
/// interface (or waiting for a `mirsad` process) holds that thread and not one of the cooperative pool's, which on a
/// two-core machine are two and run every other test.
///
/// The body stays in the calling task (`withTaskExecutorPreference`), so the test's task-locals, and with them the
/// attribution of `#expect` failures to the running test, are kept.
public func offTheCooperativePool<T>(_ body: () throws -> T) async throws -> T {
    let thread = PostgresExecutorThread(name: "test.off-pool")
    defer { thread.stop() }
    return try await withTaskExecutorPreference(thread) { try body() }
}
