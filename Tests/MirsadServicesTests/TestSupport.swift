import Foundation
import Logging
import MirsadCore
import ServiceLifecycle

/// A value written by one thread and read by another.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }

    var current: Value { withLock { $0 } }
}

/// Waits up to `seconds` for `condition`, checking every few milliseconds.
func eventually(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}

/// Keeps every log line, so a test can see what a component logged.
struct CapturingLogHandler: LogHandler {
    let lines: Locked<[String]>
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level): \(event.message)") }
    }
}

/// A logger whose lines land in `lines`.
func capturingLogger(_ lines: Locked<[String]>) -> Logger {
    Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
}

/// A logger that drops everything.
let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// A service run in this process, in a group of its own that traps no signal, until `stop()`: the way a test
/// starts one service alone and stops it alone.
final class ServiceRun<S: Service & Sendable>: Sendable {
    struct NotReady: Error, CustomStringConvertible {
        var description: String { "the service ended before it was ready" }
    }

    let service: S
    /// What the service passed to its `ready` callback (its bound endpoint, or its id).
    let readyValue: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(service: S, readyValue: String, group: ServiceGroup, task: Task<Void, any Error>) {
        self.service = service
        self.readyValue = readyValue
        self.group = group
        self.task = task
    }

    /// Starts the service `make` builds around the `ready` callback it is given, and returns once that was called;
    /// throws what the service threw if it ended first.
    static func start(
        logger: Logger = quietLogger, _ make: (@escaping @Sendable (String) -> Void) throws -> S
    ) async throws -> ServiceRun<S> {
        let (values, continuation) = AsyncStream.makeStream(of: String.self)
        let service = try make { continuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        for await value in values {
            return ServiceRun(service: service, readyValue: value, group: group, task: task)
        }
        try await task.value
        throw NotReady()
    }

    /// Shuts the service down gracefully and waits until its `run` has returned; rethrows what it threw.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// Waits until the service's `run` returns by itself; rethrows what it threw.
    func finished() async throws {
        try await task.value
    }
}
