import Foundation
import Logging
import MirsadProtocol
#if canImport(Glibc)
import Glibc
#endif

/// `mirsad worker` without `--no-supervise`: a small process that runs the real worker as its child, restarts it
/// when it dies, and tells the new child what became of the old one (see `WorkerSupervisorState`). It does no
/// analysis and holds no sockets.
///
/// The child's standard error is the supervisor's; its standard output is read for its `READY <id>` line, which
/// the supervisor passes on (to `ready`) the first time only. SIGTERM/SIGINT to the supervisor are forwarded to
/// the child as SIGTERM; the supervisor then exits with the child's status (SIGKILLing it if it has not stopped
/// within `shutdownKillAfterNanoseconds`).
public final class WorkerSupervisor {
    public struct Configuration: Sendable {
        /// The executable to run as the child (normally this one).
        public var executable: String
        /// The child's arguments (normally this process's, plus the hidden flag that makes it the real worker).
        public var arguments: [String]
        public var timing = WorkerSupervisorState.Timing()
        /// How long a child may take to stop after SIGTERM before it is killed.
        public var shutdownKillAfterNanoseconds: UInt64 = 60_000_000_000
        /// Where crash report files are made.
        public var scratchDirectory: String = FileManager.default.temporaryDirectory.path

        public init(executable: String, arguments: [String]) {
            self.executable = executable
            self.arguments = arguments
        }
    }

    private let configuration: Configuration
    private let logger: Logger

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs children until one stops cleanly or shutdown is requested; returns the status to exit with.
    public func run(ready: (String) -> Void) throws -> Int32 {
        var state = WorkerSupervisorState(timing: configuration.timing)
        var replaces = ""
        var crashed: [Mirsad_V1_JobFailure] = []
        var announced = false
        var generation = 0
        while true {
            generation += 1
            let id = WorkerService.makeID(pid: getpid())
            let reportPath = "\(configuration.scratchDirectory)/mirsad-worker-\(getpid())-\(generation).crash"
            let handover = WorkerHandover(
                workerID: id, replaces: replaces, crashed: crashed, crashReportPath: reportPath, supervisorPID: getpid())
            guard FileManager.default.createFile(atPath: reportPath, contents: nil) else {
                throw WorkerHandover.HandoverError(description: "cannot create the crash report file \(reportPath)")
            }
            defer { try? FileManager.default.removeItem(atPath: reportPath) }
            let child = try SupervisedChild(executable: configuration.executable, arguments: configuration.arguments, environment: handover.environment)
            state.childStarted(id: id, crashed: crashed, at: MonotonicClock.now())
            logger.info("worker process \(child.pid) started as \(id)\(replaces.isEmpty ? "" : ", replacing \(replaces)")")

            var forwardedAt: UInt64? = nil
            var killed = false
            func take(_ lines: [String]) {
                for line in lines {
                    guard line.hasPrefix("READY") else {
                        print(line)
                        fflush(nil)
                        continue
                    }
                    state.childBecameReady()
                    if !announced {
                        announced = true
                        ready(String(line.dropFirst("READY".count)).trimmingCharacters(in: .whitespaces))
                    } else {
                        logger.info("restarted worker \(id) is ready")
                    }
                }
            }
            while child.isRunning {
                let now = MonotonicClock.now()
                if ShutdownSignal.isRequested && forwardedAt == nil {
                    forwardedAt = now
                    child.signal(SIGTERM)
                } else if let since = forwardedAt, !killed, now - since > configuration.shutdownKillAfterNanoseconds {
                    logger.error("worker process \(child.pid) did not stop within \(configuration.shutdownKillAfterNanoseconds / 1_000_000_000) s of SIGTERM; killing it")
                    child.signal(SIGKILL)
                    killed = true
                }
                take(child.readLines(waitingMilliseconds: 100))
            }
            let ending = child.waitForEnding()
            take(child.readLines(waitingMilliseconds: 0))
            let reports = CrashReport.parse((try? Array(Data(contentsOf: URL(fileURLWithPath: reportPath)))) ?? [])
            for report in reports {
                logger.error("worker process \(child.pid) crashed with \(SignalName.of(report.signal)) \(report.jobID.map { "while analysing \($0)" } ?? "outside any analysis")")
            }
            let decision = state.childEnded(
                ending, crashReports: reports, at: MonotonicClock.now(), shutdownRequested: ShutdownSignal.isRequested)
            switch decision {
            case .exit(let status):
                logger.info("worker process \(child.pid) \(ending); supervisor exits with status \(status)")
                return status
            case .restart(let delay, let previous, let jobs):
                logger.warning("worker process \(child.pid) \(ending); restarting in \(Double(delay) / 1e9) s (\(jobs.count) jobs reported crashed)")
                replaces = previous
                crashed = jobs
                let until = MonotonicClock.now() + delay
                while MonotonicClock.now() < until {
                    if ShutdownSignal.isRequested { return 0 }
                    usleep(20_000)
                }
            }
        }
    }
}

/// One child process of the supervisor: standard output read line by line without blocking, standard error and
/// the rest inherited.
private final class SupervisedChild {
    private let process = Process()
    private let outputHandle: FileHandle
    private var output: OutputLines

    init(executable: String, arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        process.standardError = FileHandle.standardError
        outputHandle = pipe.fileHandleForReading
        output = OutputLines(descriptor: outputHandle.fileDescriptor)
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Complete lines that arrived, after waiting up to `waitingMilliseconds` for some.
    func readLines(waitingMilliseconds: Int32) -> [String] {
        if output.isOpen {
            output.read(waitingMilliseconds: waitingMilliseconds)
        } else if waitingMilliseconds > 0 {
            usleep(UInt32(waitingMilliseconds) * 1_000)
        }
        var lines: [String] = []
        while let line = output.nextLine() { lines.append(line) }
        return lines
    }

    func waitForEnding() -> WorkerSupervisorState.Ending {
        process.waitUntilExit()
        // Whatever the child wrote last is still in the pipe; read it without waiting (a process the child started
        // could keep the pipe open).
        while output.read(waitingMilliseconds: 0) {}
        try? outputHandle.close()
        switch process.terminationReason {
        case .uncaughtSignal: return .signalled(process.terminationStatus)
        default: return .exited(process.terminationStatus)
        }
    }
}
