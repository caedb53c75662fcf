import Foundation
import MirsadServices
import Testing

/// `Deploy/mirsad.yaml` as the operator's guide uses it: keys made and laid out as `Deploy/README.md` says, the
/// shipped file with the guide's address and paths replaced, every role started with `--config` only (the worker's
/// own key named in its environment, as the guide suggests), a batch submitted with the producer key, and `status`
/// read with the operator key, over CURVE on loopback.
@Suite struct DeployConfigurationTests {
    @Test func theShippedConfigurationRunsASecuredCluster() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        func mirsad(_ arguments: [String]) async throws -> CommandResult {
            let result = try await runMirsad(arguments, directory: directory)
            #expect(result.status == 0, "mirsad \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        // Step 2 of the guide: the keys and the allowlist.
        for (role, name) in [("dispatcher", "dispatcher"), ("collector", "collector"), ("worker", "worker-b"),
                             ("producer", "producer"), ("operator", "alice"), ("lease", "lease")] {
            _ = try await mirsad(["keys", "generate", "--role", role, "--output", "keys", "--name", name])
        }
        for (role, key) in [("collector", "collector"), ("worker", "worker-b"), ("producer", "producer"), ("operator", "alice"),
                            ("status", nil)] as [(String, String?)] {
            try FileManager.default.createDirectory(atPath: path("allow/\(role)"), withIntermediateDirectories: true)
            if let key { try FileManager.default.copyItem(atPath: path("keys/\(key).key"), toPath: path("allow/\(role)/\(key).key")) }
        }
        // Step 4: the shipped file, on loopback ports of this test's own and with this directory's paths.
        let ports = try (0..<6).map { _ in try freeLoopbackPort() }
        var text = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("Deploy/mirsad.yaml"), encoding: .utf8)
        for (old, new) in [
            ("/etc/mirsad/", path("") + "/"), ("/var/lib/mirsad", path("state")),
            ("tcp://0.0.0.0:5570", "tcp://127.0.0.1:\(ports[0])"), ("tcp://0.0.0.0:5571", "tcp://127.0.0.1:\(ports[1])"),
            ("tcp://10.0.0.1:5570", "tcp://127.0.0.1:\(ports[0])"), ("tcp://10.0.0.1:5571", "tcp://127.0.0.1:\(ports[1])"),
            ("0.0.0.0:9570", "127.0.0.1:\(ports[2])"), ("0.0.0.0:9571", "127.0.0.1:\(ports[3])"),
            ("0.0.0.0:9572", "127.0.0.1:\(ports[4])"), ("0.0.0.0:9573", "127.0.0.1:\(ports[5])"), ("0.0.0.0:8080", "127.0.0.1:0"),
        ] {
            text = text.replacingOccurrences(of: old, with: new)
        }
        let settings = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
        #expect(!settings.contains("0.0.0.0") && !settings.contains("10.0.0.1") && !settings.contains("/etc/"), "\(settings)")
        try text.write(toFile: path("mirsad.yaml"), atomically: true, encoding: .utf8)
        _ = try await mirsad(["config", "check", path("mirsad.yaml")])

        // Step 5: every role from the file alone.
        var children: [ManagedProcess] = []
        func start(_ name: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> String {
            var launch = ManagedProcess.Configuration(executable: TestPaths.mirsad, arguments: arguments + ["--config", path("mirsad.yaml")])
            launch.environment = environment.merging(["STATE_DIRECTORY": path("state")]) { a, _ in a }
            launch.errorLogPath = path("\(name).log")
            let child = try await ManagedProcess.start(name, launch)
            children.append(child)
            return try await child.awaitLine(prefix: "READY", timeout: .seconds(60))
        }
        try FileManager.default.createDirectory(atPath: path("state"), withIntermediateDirectories: true)
        do {
            _ = try await start("dispatcher", ["dispatcher"])
            _ = try await start("collector", ["collector"])
            let worker = try await start("worker", ["worker", "--threads", "1"], environment: ["MIRSAD_WORKER_KEY": path("keys/worker-b.key_secret")])

            // Step 6: submit with the producer key, read status with the operator key.
            let client = ["--dispatcher", "tcp://127.0.0.1:\(ports[0])", "--dispatcher-key", path("keys/dispatcher.key")]
            let submitted = try await mirsad(["submit", TestPaths.samples.path, "--wait", "--json", "--key", path("keys/producer.key_secret")] + client)
            let stored = try decodeJSON(submitted.stdout)["stored"] as? Int
            #expect(stored != nil && stored! > 0)
            let status = try decodeJSON(try await mirsad(["status", "--json", "--key", path("keys/alice.key_secret")] + client).stdout)
            let workers = status["workers"] as? [[String: Any]] ?? []
            #expect(workers.map { $0["id"] as? String } == [worker])
            #expect(workers.first?["version"] as? String == Defaults.version)
            #expect(workers.first?["clock_offset_ms"] is Int, "the worker's clock offset is known")
            #expect((status["collector_sessions"] as? [[String: Any]])?.count == 1)
            #expect(status["stored"] as? Int == stored)
            // The metrics follow the status within a quarter of a second.
            let counted = try await waitUntil(timeout: .seconds(5)) {
                try await httpGet("http://127.0.0.1:\(ports[2])/metrics").body.contains("mirsad_jobs{state=\"stored\"} \(stored ?? -1).0")
            }
            #expect(counted)
            // A key without a role in the allowlist gets nothing: the producer's key reads no dead letters.
            let refused = try await runMirsad(["dlq", "list", "--key", path("keys/producer.key_secret")] + client)
            #expect(refused.status != 0)
        } catch {
            await ManagedProcess.stop(children.reversed())
            throw error
        }
        await ManagedProcess.stop(children.reversed())
    }
}
