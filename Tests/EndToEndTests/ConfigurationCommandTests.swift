import Foundation
import MirsadServices
import Testing

/// The configuration file, its environment overrides and the flags on top, as real commands read them.
@Suite struct ConfigurationCommandTests {
    @Test func aServiceTakesTheFileTheEnvironmentAndTheFlagsInThatOrder() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (filePort, environmentPort, metricsPort) = (try freeLoopbackPort(), try freeLoopbackPort(), try freeLoopbackPort())
        let config = directory.appendingPathComponent("mirsad.yaml").path
        try """
            dispatcher:
              bind: tcp://127.0.0.1:\(filePort)
              journal: ":memory:"
              max_attempts: 0
              metrics: 127.0.0.1:\(metricsPort)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        // max_attempts 0 is wrong: the check says where, and the service does not start.
        let check = try await runMirsad(["config", "check", config])
        #expect(check.status == 1)
        #expect(check.stderr.contains("\(config):4:17: dispatcher.max_attempts: 0 is not in 1...1000"))
        let refused = try await runMirsad(["dispatcher", "--config", config])
        #expect(refused.status == 1 && refused.stderr.contains("dispatcher.max_attempts"))

        try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "max_attempts: 0", with: "max_attempts: 2")
            .write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try await runMirsad(["config", "check", config]).status == 0)

        // The environment beats the file (bind), a flag beats the environment (log level), and the file's metrics
        // address is served.
        var launch = ManagedProcess.Configuration(
            executable: TestPaths.mirsad, arguments: ["dispatcher", "--log-level", "info"])
        launch.environment = [
            "MIRSAD_CONFIG": config,
            "MIRSAD_DISPATCHER_BIND": "tcp://127.0.0.1:\(environmentPort)",
            "MIRSAD_DISPATCHER_LOG_LEVEL": "error",
        ]
        launch.errorLogPath = directory.appendingPathComponent("dispatcher.log").path
        let dispatcher = try await ManagedProcess.start("dispatcher", launch)
        let endpoint = try await dispatcher.awaitLine(prefix: "READY", timeout: .seconds(30))
        #expect(endpoint == "tcp://127.0.0.1:\(environmentPort)")
        // READY waits for the metrics server too: a scrape right after it is answered.
        let page = try await httpGet("http://127.0.0.1:\(metricsPort)/metrics")
        #expect(page.body.contains("mirsad_build_info{"))
        await dispatcher.stop()
        let log = try String(contentsOfFile: directory.appendingPathComponent("dispatcher.log").path, encoding: .utf8)
        #expect(log.contains("dispatcher listening on"), "--log-level info given as a flag wins over MIRSAD_DISPATCHER_LOG_LEVEL=error")
    }
}
