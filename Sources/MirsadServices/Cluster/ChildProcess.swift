import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A service started as a child process of `mirsad run`, with its standard output read for its ready line and
/// its standard error written to a log file.
public final class ChildProcess {
    public let name: String
    public let logPath: String
    private let process: Process
    /// The pipe end is kept open (as a handle) for `output` to read.
    private let stdout: FileHandle
    private var output: OutputLines

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(name: String, executable: String, arguments: [String], logPath: String) throws {
        self.name = name
        self.logPath = logPath
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else {
            throw StartError(description: "cannot write the log file \(logPath)")
        }
        process.standardError = log
        stdout = pipe.fileHandleForReading
        output = OutputLines(descriptor: stdout.fileDescriptor)
        try process.run()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Reads standard output until a line starting with `prefix` and returns the rest of that line.
    /// Fails if the child exits or says nothing within `timeoutSeconds`.
    public func awaitLine(prefix: String, timeoutSeconds: Double) throws -> String {
        let deadline = MonotonicClock.now() + UInt64(timeoutSeconds * 1e9)
        while true {
            while let line = output.nextLine() {
                if line.hasPrefix(prefix) { return String(line.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) }
            }
            guard output.isOpen else {
                throw StartError(description: "\(name) exited before it was ready (see \(logPath))")
            }
            let now = MonotonicClock.now()
            guard now < deadline else {
                throw StartError(description: "\(name) did not report ready within \(Int(timeoutSeconds)) s (see \(logPath))")
            }
            output.read(waitingMilliseconds: Int32(min((deadline - now) / 1_000_000, 500)))
        }
    }

    /// Sends SIGTERM, waits up to `graceSeconds`, then SIGKILL.
    public func stop(graceSeconds: Double = 10) {
        Self.stop([self], graceSeconds: graceSeconds)
    }

    /// Sends SIGTERM to every child at once, waits up to `graceSeconds` for all of them, then SIGKILLs those
    /// still running and waits for them. Returns the names of the children that had to be killed.
    @discardableResult
    public static func stop(_ children: [ChildProcess], graceSeconds: Double = 10) -> [String] {
        let running = children.filter(\.process.isRunning)
        for child in running { kill(child.process.processIdentifier, SIGTERM) }
        let deadline = MonotonicClock.now() + UInt64(max(0, graceSeconds) * 1e9)
        while running.contains(where: \.process.isRunning) && MonotonicClock.now() < deadline {
            usleep(20_000)
        }
        var killed: [String] = []
        for child in running where child.process.isRunning {
            kill(child.process.processIdentifier, SIGKILL)
            child.process.waitUntilExit()
            killed.append(child.name)
        }
        return killed
    }

    /// The exit status once the child has exited (the signal number when a signal ended it); nil while it runs.
    public var exitStatus: Int32? { process.isRunning ? nil : process.terminationStatus }

    /// The path of the running executable, so children run the same build as their parent.
    public static func currentExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
