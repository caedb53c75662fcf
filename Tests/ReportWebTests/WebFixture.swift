import Foundation
import Testing

/// A report store filled by `mirsad run` from real ANT articles, and `mirsad web` processes serving it.
enum WebFixture {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var shared: URL? {
        let url = ProcessInfo.processInfo.environment["MIRSAD_SHARED"].map(URL.init(fileURLWithPath:))
            ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("corpus/ant/sample-500.jsonl").path) ? url : nil
    }

    /// Whether the tests that need the corpus run: when it is there, and always with MIRSAD_REQUIRE_SHARED=1 (CI), where
    /// a missing corpus fails them (`store` throws naming it) instead of skipping them.
    static var corpusTestsRun: Bool {
        shared != nil || ProcessInfo.processInfo.environment["MIRSAD_REQUIRE_SHARED"] == "1"
    }

    /// How many articles of the ANT sample the store holds: enough for several outlets, days and stories.
    static let articles = 300

    /// One store for every test: the first `articles` lines of `corpus/ant/sample-500.jsonl` through `mirsad run`.
    static let store: Result<String, any Error> = Result {
        guard let shared else { throw WebTestFailure("no ../shared/corpus/ant/sample-500.jsonl") }
        let directory = try temporaryDirectory()
        let lines = try String(contentsOf: shared.appendingPathComponent("corpus/ant/sample-500.jsonl"), encoding: .utf8)
            .split(separator: "\n").prefix(articles)
        let input = directory.appendingPathComponent("ant.jsonl")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: input)
        let path = directory.appendingPathComponent("ant.sqlite").path
        let run = try runMirsad(["run", input.path, "--store", path, "--workers", "1", "--log-level", "error"])
        guard run.status == 0 else { throw WebTestFailure("mirsad run exited \(run.status): \(run.stderr)") }
        return path
    }

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

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct WebTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct CommandOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` to its end with `arguments`, its output in files (no pipe to fill), killed after `timeout`.
func runProcess(_ executable: String, _ arguments: [String], timeout: TimeInterval = 300) throws -> CommandOutput {
    let scratch = try WebFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if process.isRunning {
        process.terminate()
        process.waitUntilExit()
        throw WebTestFailure("\(executable) \(arguments.joined(separator: " ")) ran over \(Int(timeout)) s")
    }
    return CommandOutput(
        status: process.terminationStatus,
        stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}

func runMirsad(_ arguments: [String]) throws -> CommandOutput { try runProcess(WebFixture.mirsad, arguments) }

/// A `mirsad web` (or any service printing `READY VALUE`) process, stopped with SIGTERM by `stop()`.
final class ServiceProcess {
    let process = Process()
    let ready: String
    private let stderrURL: URL

    init(_ arguments: [String], timeout: TimeInterval = 60) throws {
        let scratch = try WebFixture.temporaryDirectory()
        stderrURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: WebFixture.mirsad)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(timeout)
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty {
                guard process.isRunning, Date() < deadline else {
                    process.terminate()
                    throw WebTestFailure("mirsad \(arguments.joined(separator: " ")) did not get ready: \((try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")")
                }
                Thread.sleep(forTimeInterval: 0.02)
                continue
            }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        guard line.hasPrefix("READY ") else {
            process.terminate()
            throw WebTestFailure("mirsad \(arguments.first ?? "") printed \(line) instead of READY")
        }
        ready = String(line.dropFirst("READY ".count))
    }

    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// SIGTERM, then the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate(); process.waitUntilExit() } }
}
