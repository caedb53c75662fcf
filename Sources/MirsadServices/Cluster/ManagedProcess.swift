import Foundation
import MirsadCore
import Subprocess
import Synchronization
#if canImport(System)
import System
#else
import SystemPackage
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process run through swift-subprocess, from `start` until it ends: its standard output read line by line
/// as it comes (so a child never blocks on a full pipe), its standard error inherited or appended to a log file.
///
/// Stopping is swift-subprocess's teardown: SIGTERM, then SIGKILL once `stopGrace` has passed. `stop()` (or dropping
/// the last reference) starts it; the process is reaped by its host task only, so its pid stays valid for `signal`
/// until `ending` is set.
///
/// Invariant: `outputLines` holds every line of standard output received so far, in order (the services print one
/// ready line; this is not for chatty children). Once a stop is asked for, what the child still prints may go unread.
public final class ManagedProcess: Sendable {
    public struct Configuration: Sendable {
        public var executable: String
        public var arguments: [String]
        /// Set in the child on top of this process's environment.
        public var environment: [String: String] = [:]
        /// Where the child's standard error goes: nil for this process's standard error, else a file it is
        /// appended to (created if missing).
        public var errorLogPath: String? = nil
        public var workingDirectory: String? = nil
        /// How long the child has between SIGTERM and SIGKILL when stopped.
        public var stopGrace: Duration = .seconds(10)
        /// Starts the child as the leader of a process group of its own, so a signal to `-pid` reaches what it
        /// starts in turn (unless that leaves the group).
        public var ownProcessGroup = false

        public init(executable: String, arguments: [String]) {
            self.executable = executable
            self.arguments = arguments
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let name: String
    public let processIdentifier: pid_t
    public let configuration: Configuration
    private let record: ProcessRecord
    private let host: Task<Void, Never>

    private init(name: String, processIdentifier: pid_t, configuration: Configuration, record: ProcessRecord,
                 host: Task<Void, Never>) {
        self.name = name
        self.processIdentifier = processIdentifier
        self.configuration = configuration
        self.record = record
        self.host = host
    }

    deinit { host.cancel() }

    /// Starts the child; returns once it runs. `onLine` sees each line of standard output as it arrives (before it
    /// is added to `outputLines`).
    public static func start(
        _ name: String, _ configuration: Configuration, onLine: (@Sendable (String) -> Void)? = nil
    ) async throws -> ManagedProcess {
        let errorOutput: FileDescriptor
        if let path = configuration.errorLogPath {
            do {
                errorOutput = try FileDescriptor.open(
                    FilePath(path), .writeOnly, options: [.create, .append], permissions: [.ownerReadWrite, .groupRead, .otherRead])
            } catch {
                throw Failure(description: "cannot write the log file \(path) of \(name): \(error)")
            }
        } else {
            errorOutput = .standardError
        }
        var platformOptions = PlatformOptions()
        platformOptions.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: configuration.stopGrace)]
        if configuration.ownProcessGroup { platformOptions.processGroupID = 0 }
        var environment: [Environment.Key: String?] = [:]
        for (key, value) in configuration.environment {
            if let key = Environment.Key(rawValue: key) { environment[key] = value }
        }

        let record = ProcessRecord()
        let host = Task.detached {
            do {
                let result = try await Subprocess.run(
                    .path(FilePath(configuration.executable)),
                    arguments: Arguments(configuration.arguments),
                    environment: .inherit.updating(environment),
                    workingDirectory: configuration.workingDirectory.map { FilePath($0) },
                    platformOptions: platformOptions,
                    input: .none,
                    output: .sequence,
                    error: .fileDescriptor(errorOutput, closeAfterSpawningProcess: configuration.errorLogPath != nil)
                ) { execution in
                    record.started(execution.processIdentifier.value)
                    do {
                        for try await line in execution.standardOutput.strings() {
                            onLine?(line)
                            record.update { $0.lines.append(line) }
                        }
                    } catch {
                        // Cancelled (a stop) or the pipe failed: the process is still reaped below.
                    }
                    record.update { $0.outputEnded = true }
                }
                record.ended(ProcessEnding(result.terminationStatus))
            } catch {
                record.failed(error)
            }
        }
        do {
            let pid = try await record.awaitStart()
            return ManagedProcess(name: name, processIdentifier: pid, configuration: configuration, record: record, host: host)
        } catch {
            throw Failure(description: "cannot start \(name) (\(configuration.executable)): \(error)")
        }
    }

    /// Every line of standard output received so far.
    public var outputLines: [String] { record.state.withLock { $0.lines } }

    /// How the process ended; nil while it runs.
    public var ending: ProcessEnding? { record.state.withLock { $0.ending } }

    public var isRunning: Bool { ending == nil }

    /// Waits for a line of standard output starting with `prefix` (the first such line, even if it came earlier)
    /// and returns the rest of it, trimmed. Fails when the child's output ends first or after `timeout`.
    public func awaitLine(prefix: String, timeout: Duration) async throws -> String {
        let found = await record.wait(until: .now + timeout) { state -> LineSearch? in
            if let line = state.lines.first(where: { $0.hasPrefix(prefix) }) {
                return .found(String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces))
            }
            return state.outputEnded ? .outputEnded : nil
        }
        switch found {
        case .found(let value):
            return value
        case .outputEnded:
            // A child whose output ended is exiting; its status is worth waiting for (the reaping is seen late on a
            // loaded machine), but not forever: one that closed its output and lives on is reported without it.
            let ending = await waitForExit(timeout: .seconds(30))
            throw Failure(description: "\(name) exited before it was ready (\(ending?.description ?? "its output ended"))\(logReference)")
        case nil:
            try Task.checkCancellation()
            throw Failure(description: "\(name) did not report ready within \(timeout)\(logReference)")
        }
    }

    private enum LineSearch: Sendable {
        case found(String)
        case outputEnded
    }

    private var logReference: String { configuration.errorLogPath.map { "; see \($0)" } ?? "" }

    /// Sends `signal` to the process while it runs (its pid is not reaped before `ending` is set).
    public func signal(_ signal: Int32) {
        guard isRunning else { return }
        kill(processIdentifier, signal)
    }

    /// Starts the teardown (SIGTERM, SIGKILL after `stopGrace`) without waiting for it.
    public func requestStop() { host.cancel() }

    /// Waits until the process has ended and been reaped.
    @discardableResult
    public func waitForExit() async -> ProcessEnding {
        await host.value
        return ending ?? .exited(-1)
    }

    /// Waits up to `timeout` for the process to end; nil if it still runs (or the caller is cancelled).
    @discardableResult
    public func waitForExit(timeout: Duration) async -> ProcessEnding? {
        await record.wait(until: .now + timeout) { $0.ending }
    }

    /// SIGTERM, up to `stopGrace` for the process to end, then SIGKILL; returns how it ended. Completes even when
    /// the caller is cancelled.
    @discardableResult
    public func stop() async -> ProcessEnding {
        requestStop()
        return await waitForExit()
    }

    /// Stops every process at once (the grace runs for all of them together); returns the names of those that had
    /// to be killed.
    @discardableResult
    public static func stop(_ processes: [ManagedProcess]) async -> [String] {
        let running = processes.filter(\.isRunning)
        for process in running { process.requestStop() }
        var killed: [String] = []
        for process in running where await process.waitForExit().wasKilled {
            killed.append(process.name)
        }
        return killed
    }

    /// The path of the running executable, so children run the same build as their parent.
    public static func currentExecutable() -> String {
        #if os(Linux)
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        #else
        Bundle.main.executablePath ?? CommandLine.arguments[0]
        #endif
    }
}

extension ProcessEnding {
    init(_ status: TerminationStatus) {
        switch status {
        case .exited(let code): self = .exited(Int32(code))
        #if !os(Windows)
        case .signaled(let signal): self = .signalled(Int32(signal))
        #endif
        }
    }
}

/// What is known of one child process, written by its host task and read by its owner; waiters are woken on every
/// change.
private final class ProcessRecord: Sendable {
    struct State {
        var processIdentifier: pid_t?
        var startFailure: (any Error)?
        var startWaiter: CheckedContinuation<pid_t, any Error>?
        var lines: [String] = []
        var outputEnded = false
        var ending: ProcessEnding?
        /// Bumped by every change, so a waiter that registers after a change it did not see is woken at once.
        var version = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var cancelledWaiters: Set<Int> = []
        var nextWaiter = 0
    }

    let state = Mutex(State())

    func update(_ change: (inout State) -> Void) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            change(&state)
            state.version += 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    func started(_ pid: pid_t) {
        let waiter = state.withLock { state in
            state.processIdentifier = pid
            defer { state.startWaiter = nil }
            return state.startWaiter
        }
        waiter?.resume(returning: pid)
    }

    func ended(_ ending: ProcessEnding) {
        update {
            $0.outputEnded = true
            $0.ending = ending
        }
    }

    /// The launch (or the watch over the process) failed.
    func failed(_ error: any Error) {
        let waiter = state.withLock { state in
            state.startFailure = error
            defer { state.startWaiter = nil }
            return state.startWaiter
        }
        waiter?.resume(throwing: error)
        update {
            $0.outputEnded = true
            if $0.processIdentifier != nil && $0.ending == nil { $0.ending = .exited(-1) }
        }
    }

    func awaitStart() async throws -> pid_t {
        try await withCheckedThrowingContinuation { continuation in
            let known = state.withLock { state -> Result<pid_t, any Error>? in
                if let pid = state.processIdentifier { return .success(pid) }
                if let failure = state.startFailure { return .failure(failure) }
                state.startWaiter = continuation
                return nil
            }
            if let known { continuation.resume(with: known) }
        }
    }

    /// Waits until `condition` gives a value; nil after `deadline` or when the caller is cancelled.
    func wait<Value: Sendable>(until deadline: ContinuousClock.Instant, _ condition: (State) -> Value?) async -> Value? {
        while true {
            let (value, version) = state.withLock { (condition($0), $0.version) }
            if let value { return value }
            if Task.isCancelled || ContinuousClock.now >= deadline { return nil }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.change(after: version) }
                group.addTask { try? await Task.sleep(until: deadline) }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Returns after the next change past `version` (at once if there was one), or when cancelled.
    private func change(after version: Int) async {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.version != version || state.cancelledWaiters.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                if state.nextWaiter >= id && state.version == version { state.cancelledWaiters.insert(id) }
                return nil
            }
            waiter?.resume()
        }
    }
}
