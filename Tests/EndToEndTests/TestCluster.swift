import Foundation
import MirsadServices

/// Paths shared by the end-to-end tests.
enum TestPaths {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `mirsad` executable built beside the test bundle (or MIRSAD_BINARY).
    static var mirsad: String {
        if let path = ProcessInfo.processInfo.environment["MIRSAD_BINARY"] { return path }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for directory in [beside, beside.deletingLastPathComponent()] {
            let candidate = directory.appendingPathComponent("mirsad").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/mirsad").path
    }

    static let samples = repositoryRoot.appendingPathComponent("Samples")

    /// `../shared` beside the repository (or MIRSAD_SHARED), when present.
    static var shared: URL? {
        let url = ProcessInfo.processInfo.environment["MIRSAD_SHARED"].map(URL.init(fileURLWithPath:))
            ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A dispatcher, a collector and workers as separate `mirsad` processes on TCP loopback.
final class TestCluster {
    let directory: URL
    let storePath: String
    private(set) var dispatcherEndpoint = ""
    private(set) var collectorEndpoint = ""
    private var children: [ChildProcess] = []

    init(workers: Int, threads: Int = 1) throws {
        directory = try TestPaths.temporaryDirectory()
        storePath = directory.appendingPathComponent("reports.sqlite").path
        do {
            // A journal of its own: never the default file in the working directory, shared by every run.
            let journal = directory.appendingPathComponent("journal.sqlite").path
            let dispatcher = try start("dispatcher", ["dispatcher", "--bind", "tcp://127.0.0.1:*", "--journal", journal])
            dispatcherEndpoint = try dispatcher.awaitLine(prefix: "READY", timeoutSeconds: 30)
            let collector = try start("collector", [
                "collector", "--bind", "tcp://127.0.0.1:*", "--dispatcher", dispatcherEndpoint, "--store", storePath])
            collectorEndpoint = try collector.awaitLine(prefix: "READY", timeoutSeconds: 30)
            for index in 0..<workers {
                let worker = try start("worker-\(index)", [
                    "worker", "--dispatcher", dispatcherEndpoint, "--collector", collectorEndpoint, "--threads", String(threads)])
                _ = try worker.awaitLine(prefix: "READY", timeoutSeconds: 60)
            }
        } catch {
            stop()
            throw error
        }
    }

    private func start(_ name: String, _ arguments: [String]) throws -> ChildProcess {
        let child = try ChildProcess(
            name: name, executable: TestPaths.mirsad, arguments: arguments + ["--log-level", "debug"],
            logPath: directory.appendingPathComponent("\(name).log").path)
        children.append(child)
        return child
    }

    func stop() {
        for child in children.reversed() { child.stop() }
        children.removeAll()
    }

    deinit { stop() }

    func log(_ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
    }
}

/// The outcome of running `mirsad` as a command.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `mirsad ARGUMENTS` to completion (standard input from `stdin` when given).
///
/// Output goes to files rather than pipes, so a chatty child never blocks on a full pipe and no read is
/// interrupted by the signals that process handling brings.
func runMirsad(_ arguments: [String], stdin: Data? = nil, directory: URL? = nil) throws -> CommandResult {
    let scratch = try TestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: TestPaths.mirsad)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    if let stdin {
        let inURL = scratch.appendingPathComponent("stdin")
        try stdin.write(to: inURL)
        process.standardInput = try FileHandle(forReadingFrom: inURL)
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus,
        stdout: try String(contentsOf: outURL, encoding: .utf8),
        stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}

/// Decodes the JSON a command printed.
func decodeJSON(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw CocoaError(.coderInvalidValue)
    }
    return object
}
