import Foundation
import Logging
import MirsadCore
import MirsadWire
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `mirsad worker` without `--no-supervise`: a small process that runs the real worker as its child, restarts it
/// when it dies, and tells the new child what became of the old one (see `WorkerSupervisorState`). It does no
/// analysis and holds no sockets.
///
/// The child's standard error is the supervisor's; its standard output is read for its `READY <id>` line, which
/// the supervisor passes on (to `ready`) the first time only; any other line is passed through. Graceful shutdown
/// (or cancellation) stops the child: SIGTERM, then SIGKILL if it has not stopped within `shutdownGrace`; the
/// supervisor then ends with the child's status (`exitStatus`). A shutdown during a restart's backoff ends it with 0.
public final class WorkerSupervisor: Service, Sendable {
    public struct Configuration: Sendable {
        /// The executable to run as the child (normally this one).
        public var executable: String
        /// The child's arguments (normally this process's, plus the hidden flag that makes it the real worker).
        public var arguments: [String]
        public var timing = WorkerSupervisorState.Timing()
        /// How long a child may take to stop after SIGTERM before it is killed.
        public var shutdownGrace: Duration = .seconds(60)
        /// Where crash report files are made.
        public var scratchDirectory: String = FileManager.default.temporaryDirectory.path

        public init(executable: String, arguments: [String]) {
            self.executable = executable
            self.arguments = arguments
        }
    }

    /// The child being watched, and whether a shutdown was asked for: set together, so a child started as the
    /// shutdown arrives is stopped by one side or the other.
    private struct Watch {
        var child: ManagedProcess?
        var shutdownRequested = false
    }

    private let configuration: Configuration
    private let logger: Logger
    private let ready: @Sendable (String) -> Void
    private let watch = Mutex(Watch())
    private let announced = Atomic<Bool>(false)
    private let status = Mutex<Int32?>(nil)

    public init(configuration: Configuration, logger: Logger, ready: @escaping @Sendable (String) -> Void) {
        self.configuration = configuration
        self.logger = logger
        self.ready = ready
    }

    /// The status to exit with, once `run()` has returned.
    public var exitStatus: Int32? { status.withLock { $0 } }

    /// Runs children until one stops cleanly or shutdown is requested.
    public func run() async throws {
        let ended = try await withTaskCancellationOrGracefulShutdownHandler {
            try await self.superviseChildren()
        } onCancelOrGracefulShutdown: {
            let child = self.watch.withLock { watch in
                watch.shutdownRequested = true
                return watch.child
            }
            child?.requestStop()
        }
        status.withLock { $0 = ended }
    }

    private var shutdownRequested: Bool { watch.withLock { $0.shutdownRequested } }

    private func superviseChildren() async throws -> Int32 {
        var state = WorkerSupervisorState(timing: configuration.timing)
        var replaces = ""
        var crashed: [Mirsad_V1_JobFailure] = []
        var generation = 0
        let supervisorPID = getpid()
        let stale = Self.removeStaleCrashReports(in: configuration.scratchDirectory)
        if stale > 0 { logger.info("removed \(stale) crash report files left by supervisors that were killed") }
        while true {
            generation += 1
            let id = WorkerService.makeID(pid: supervisorPID)
            let reportPath = "\(configuration.scratchDirectory)/mirsad-worker-\(supervisorPID)-\(generation).crash"
            let handover = WorkerHandover(
                workerID: id, replaces: replaces, crashed: crashed, crashReportPath: reportPath, supervisorPID: supervisorPID)
            guard FileManager.default.createFile(atPath: reportPath, contents: nil) else {
                throw WorkerHandover.HandoverError(description: "cannot create the crash report file \(reportPath)")
            }
            defer { try? FileManager.default.removeItem(atPath: reportPath) }
            var launch = ManagedProcess.Configuration(executable: configuration.executable, arguments: configuration.arguments)
            launch.environment = handover.environment
            if ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil {
                // The worker process's loop notifies systemd (READY=1, WATCHDOG=1) for this supervisor.
                launch.environment["WATCHDOG_PID"] = SystemdNotifier.childMarker(parent: supervisorPID)
            }
            launch.stopGrace = configuration.shutdownGrace
            let child = try await ManagedProcess.start("worker process", launch) { [self] line in
                self.take(line, from: id)
            }
            state.childStarted(id: id, crashed: crashed, at: MonotonicInstant.now())
            logger.info("worker process \(child.processIdentifier) started as \(id)\(replaces.isEmpty ? "" : ", replacing \(replaces)")")
            let stopAtOnce = watch.withLock { watch in
                watch.child = child
                return watch.shutdownRequested
            }
            if stopAtOnce { child.requestStop() }

            let ending = await child.waitForExit()
            watch.withLock { $0.child = nil }
            if child.outputLines.contains(where: { $0.hasPrefix("READY") }) { state.childBecameReady() }
            let reports = CrashReport.parse((try? Array(Data(contentsOf: URL(fileURLWithPath: reportPath)))) ?? [])
            // Read: its reports are logged below and handed to the next process; the file has served.
            try? FileManager.default.removeItem(atPath: reportPath)
            for report in reports {
                logger.error("worker process \(child.processIdentifier) crashed with \(SignalName.of(report.signal)) \(report.jobID.map { "while analysing \($0)" } ?? "outside any analysis")")
            }
            if ending.wasKilled && shutdownRequested {
                logger.error("worker process \(child.processIdentifier) did not stop within \(configuration.shutdownGrace) of SIGTERM; it was killed")
            }
            let decision = state.childEnded(
                ending, crashReports: reports, at: MonotonicInstant.now(), shutdownRequested: shutdownRequested)
            switch decision {
            case .exit(let status):
                logger.info("worker process \(child.processIdentifier) \(ending); supervisor exits with status \(status)")
                return status
            case .restart(let delay, let previous, let jobs):
                logger.warning("worker process \(child.processIdentifier) \(ending); restarting in \(delay.inSeconds) s (\(jobs.count) jobs reported crashed)")
                replaces = previous
                crashed = jobs
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
                } catch {
                    if shutdownRequested || Task.isCancelled { return 0 }
                    throw error
                }
                if shutdownRequested { return 0 }
            }
        }
    }

    /// Removes the crash report files (`mirsad-worker-<pid>-<generation>.crash`) in `directory` whose supervisor
    /// process no longer exists: a supervisor removes its own files, unless it was killed. Returns how many.
    @discardableResult
    static func removeStaleCrashReports(in directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed = 0
        for name in names where name.hasPrefix("mirsad-worker-") && name.hasSuffix(".crash") {
            let parts = name.dropFirst("mirsad-worker-".count).dropLast(".crash".count).split(separator: "-")
            guard parts.count == 2, let pid = Int32(parts[0]), pid > 0, Int(parts[1]) != nil else { continue }
            // ESRCH: no such process. A process of another user (EPERM) is alive.
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            if (try? FileManager.default.removeItem(atPath: "\(directory)/\(name)")) != nil { removed += 1 }
        }
        return removed
    }

    /// A line of the child's standard output: its first READY line ever is passed on, later ones are logged, any
    /// other line is passed through.
    private func take(_ line: String, from id: String) {
        guard line.hasPrefix("READY") else {
            print(line)
            fflush(nil)
            return
        }
        if announced.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
            ready(String(line.dropFirst("READY".count)).trimmingCharacters(in: .whitespaces))
        } else {
            logger.info("restarted worker \(id) is ready")
        }
    }
}
