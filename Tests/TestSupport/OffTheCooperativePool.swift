import ReportStore
import Testing

/// Runs `body` in the calling task on a thread of its own, so that a test calling the PostgreSQL store's blocking
/// interface (or waiting for a `mirsad` process) holds that thread and not one of the cooperative pool's, which on a
/// two-core machine are two and run every other test.
///
/// The body stays in the calling task (`withTaskExecutorPreference`), so the test's task-locals, and with them the
/// attribution of `#expect` failures to the running test, are kept.
public func offTheCooperativePool<T>(_ body: () throws -> T) async throws -> T {
    try await onThreadOfItsOwn { try body() }
}

/// Runs `body` in the calling task, on a thread made for it and ended after it.
private func onThreadOfItsOwn<T>(_ body: () async throws -> T) async throws -> T {
    let thread = PostgresExecutorThread(name: "test.off-pool")
    defer { thread.stop() }
    return try await withTaskExecutorPreference(thread) { try await body() }
}

/// Runs each test (each case of a parameterised one) of the suite or test it marks on a thread of its own, as
/// `offTheCooperativePool` does, for tests that block: wait for a process, for a lazily built fixture, or compute for
/// seconds. Blocked in the cooperative pool, two such tests on a two-core machine leave no thread for the others, whose
/// waits and timings then run late by as long.
///
/// The test's child tasks prefer the same thread, so they run one at a time: for tests whose children do not wait
/// for one another.
public struct OffTheCooperativePoolTrait: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await onThreadOfItsOwn(function)
    }
}

extension Trait where Self == OffTheCooperativePoolTrait {
    /// Each test on a thread of its own, off the cooperative pool (see `OffTheCooperativePoolTrait`).
    public static var offTheCooperativePool: Self { Self() }
}
