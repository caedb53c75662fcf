import Foundation
import MirsadServices
import Subprocess
import Testing
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// A test's own failure, with what went wrong in words.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
}

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

/// The shared data folder (`../shared`: the ANT corpus, ANERcorp) that some tests need.
///
/// A test that needs it is enabled by `isExpected` and takes the folder with `try #require(TestPaths.shared)`: where
/// the folder is missing the test shows as skipped, unless MIRSAD_REQUIRE_SHARED=1 (as in CI), where it runs and
/// fails.
enum SharedData {
    static let isExpected = TestPaths.shared != nil || ProcessInfo.processInfo.environment["MIRSAD_REQUIRE_SHARED"] == "1"
    static let reason: Comment = "needs ../shared (or MIRSAD_SHARED); with MIRSAD_REQUIRE_SHARED=1 its absence fails"
}

/// A dispatcher, a collector and workers as separate `mirsad` processes on TCP loopback.
final class TestCluster {
    let directory: URL
    let storePath: String
    let dispatcherEndpoint: String
    let collectorEndpoint: String
    private let children: [ManagedProcess]

    private init(directory: URL, storePath: String, dispatcherEndpoint: String, collectorEndpoint: String,
                 children: [ManagedProcess]) {
        self.directory = directory
        self.storePath = storePath
        self.dispatcherEndpoint = dispatcherEndpoint
        self.collectorEndpoint = collectorEndpoint
        self.children = children
    }

    static func start(workers: Int, threads: Int = 1) async throws -> TestCluster {
        let directory = try TestPaths.temporaryDirectory()
        let storePath = directory.appendingPathComponent("reports.sqlite").path
        var children: [ManagedProcess] = []
        func start(_ name: String, _ arguments: [String]) async throws -> ManagedProcess {
            var launch = ManagedProcess.Configuration(executable: TestPaths.mirsad, arguments: arguments + ["--log-level", "debug"])
            launch.errorLogPath = directory.appendingPathComponent("\(name).log").path
            let child = try await ManagedProcess.start(name, launch)
            children.append(child)
            return child
        }
        do {
            // A journal of its own: never the default file in the working directory, shared by every run.
            let journal = directory.appendingPathComponent("journal.sqlite").path
            let dispatcher = try await start("dispatcher", ["dispatcher", "--bind", "tcp://127.0.0.1:*", "--journal", journal])
            let dispatcherEndpoint = try await dispatcher.awaitLine(prefix: "READY", timeout: .seconds(30))
            let collector = try await start("collector", [
                "collector", "--bind", "tcp://127.0.0.1:*", "--dispatcher", dispatcherEndpoint, "--store", storePath])
            let collectorEndpoint = try await collector.awaitLine(prefix: "READY", timeout: .seconds(30))
            for index in 0..<workers {
                let worker = try await start("worker-\(index)", [
                    "worker", "--dispatcher", dispatcherEndpoint, "--collector", collectorEndpoint, "--threads", String(threads)])
                _ = try await worker.awaitLine(prefix: "READY", timeout: .seconds(60))
            }
            return TestCluster(directory: directory, storePath: storePath, dispatcherEndpoint: dispatcherEndpoint,
                               collectorEndpoint: collectorEndpoint, children: children)
        } catch {
            await ManagedProcess.stop(children.reversed())
            throw error
        }
    }

    /// Runs `body` with a cluster of `workers` started for it, and stops the cluster after, whether `body` threw
    /// or not.
    static func with<Result>(workers: Int, threads: Int = 1, _ body: (TestCluster) async throws -> Result) async throws -> Result {
        let cluster = try await start(workers: workers, threads: threads)
        do {
            let result = try await body(cluster)
            await cluster.stop()
            return result
        } catch {
            await cluster.stop()
            throw error
        }
    }

    /// Stops the workers, then the collector, then the dispatcher.
    func stop() async {
        for child in children.reversed() { await child.stop() }
    }

    /// The child process started as `name` ("dispatcher", "collector", "worker-0", ...).
    func process(_ name: String) -> ManagedProcess? {
        children.first { $0.name == name }
    }

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
func runMirsad(_ arguments: [String], stdin: Data? = nil, directory: URL? = nil) async throws -> CommandResult {
    let result = try await Subprocess.run(
        .path(FilePath(TestPaths.mirsad)), arguments: Arguments(arguments),
        workingDirectory: directory.map { FilePath($0.path) },
        input: .array(Array(stdin ?? Data())), output: .string(limit: 256 << 20), error: .string(limit: 64 << 20))
    let status: Int32 = switch result.terminationStatus {
    case .exited(let code): Int32(code)
    case .signaled(let signal): 128 + Int32(signal)
    }
    return CommandResult(status: status, stdout: result.standardOutput, stderr: result.standardError)
}

/// Runs `/bin/sh -c COMMAND` to completion; its exit status.
func runShell(_ command: String) async throws -> Int32 {
    let result = try await Subprocess.run(
        .path("/bin/sh"), arguments: ["-c", command], output: .discarded, error: .discarded)
    return switch result.terminationStatus {
    case .exited(let code): Int32(code)
    case .signaled(let signal): 128 + Int32(signal)
    }
}

/// Decodes the JSON a command printed.
func decodeJSON(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw CocoaError(.coderInvalidValue)
    }
    return object
}
