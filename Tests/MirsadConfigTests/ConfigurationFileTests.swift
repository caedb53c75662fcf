import Foundation
import MirsadConfig
import Testing

@Suite struct ConfigurationFileTests {
    @Test func readsEverySectionAndKey() throws {
        let file = try ConfigurationFile(text: """
            # the dispatcher host
            dispatcher:
              bind: tcp://0.0.0.0:5570
              lease_timeout: 45s
              insecure: true
            worker:
              threads: 8
            web:
            """, path: "mirsad.yaml")
        #expect(file.values[ConfigurationSchema.key(.dispatcher, "bind")!]?.text == "tcp://0.0.0.0:5570")
        #expect(file.values[ConfigurationSchema.key(.dispatcher, "lease_timeout")!]?.line == 4)
        #expect(file.values.count == 4)
    }

    @Test func saysWhatIsWrongWhere() {
        do {
            _ = try ConfigurationFile(text: """
                dispatcher:
                  bind: 127.0.0.1:5570
                  lease-timeout: 30
                  max_attempts: 0
                workers:
                  threads: 2
                collector:
                  store: [a, b]
                """, path: "bad.yaml")
            Issue.record("a bad file was accepted")
        } catch {
            let lines = error.problems.map(\.description)
            #expect(lines == [
                "bad.yaml:2:9: dispatcher.bind: '127.0.0.1:5570' is not an endpoint (tcp://HOST:PORT)",
                "bad.yaml:3:3: dispatcher.lease-timeout: unknown key; did you mean lease_timeout?; the keys of dispatcher are \(ConfigurationSchema.keys.filter { $0.section == .dispatcher }.map(\.name).joined(separator: ", "))",
                "bad.yaml:4:17: dispatcher.max_attempts: 0 is not in 1...1000",
                "bad.yaml:5:1: workers: unknown section; the sections are dispatcher, worker, collector, web, client",
                "bad.yaml:8:10: collector.store: the value must be a single value, not a list or mapping",
            ])
        }
    }

    @Test func invalidYAMLNamesItsLine() {
        do {
            _ = try ConfigurationFile(text: "dispatcher:\n  bind: tcp://a:1\n  journal: [unclosed\n", path: "broken.yaml")
            Issue.record("broken YAML was accepted")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems[0].line >= 3)
            #expect(error.problems[0].message.hasPrefix("not valid YAML"))
        }
    }

    @Test func aKeyGivenTwiceIsAProblem() {
        #expect(throws: ConfigurationProblems.self) {
            try ConfigurationFile(text: "worker:\n  threads: 2\n  threads: 3\n", path: "twice.yaml")
        }
    }

    @Test func flagsGoBeforeTheOnesGivenAndTheEnvironmentBeatsTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("mirsad.yaml").path
        try """
            dispatcher:
              bind: tcp://0.0.0.0:5570
              lease_timeout: 2m
              max_attempts: 3
              insecure: true
            client:
              dispatcher: tcp://10.0.0.1:5570
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let arguments = try ConfigurationLayers.apply(
            to: ["dispatcher", "--config", path, "--max-attempts", "7"],
            environment: ["MIRSAD_DISPATCHER_LEASE_TIMEOUT": "500ms"])
        #expect(arguments == [
            "dispatcher", "--bind", "tcp://0.0.0.0:5570", "--max-attempts", "3", "--lease-timeout", "0.5", "--insecure",
            "--max-attempts", "7",
        ])
        let client = try ConfigurationLayers.apply(to: ["dlq", "list", "--json"], environment: ["MIRSAD_CONFIG": path])
        #expect(client == ["dlq", "list", "--dispatcher", "tcp://10.0.0.1:5570", "--json"])
        // A command that reads no section is left alone.
        #expect(try ConfigurationLayers.apply(to: ["analyze", "x.txt"], environment: ["MIRSAD_CONFIG": path]) == ["analyze", "x.txt"])
    }

    @Test func aWrongEnvironmentValueNamesTheVariable() {
        do {
            _ = try ConfigurationLayers.apply(to: ["worker"], environment: ["MIRSAD_WORKER_THREADS": "lots"])
            Issue.record("a bad variable was accepted")
        } catch {
            #expect(error.description == "environment: MIRSAD_WORKER_THREADS: 'lots' is not a whole number")
        }
    }

    @Test func durations() {
        #expect(ConfigurationValueKind.seconds("90") == 90)
        #expect(ConfigurationValueKind.seconds("250ms") == 0.25)
        #expect(ConfigurationValueKind.seconds("5m") == 300)
        #expect(ConfigurationValueKind.seconds("1d") == 86_400)
        #expect(ConfigurationValueKind.seconds("soon") == nil)
        #expect(ConfigurationValueKind.duration.problem("24h") == nil)
        #expect(ConfigurationValueKind.duration.problem("24") != nil)
    }

    /// Every key is documented, with its default, in Deploy/CONFIGURATION.md.
    @Test func everyKeyIsDocumented() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let document = try String(contentsOf: root.appendingPathComponent("Deploy/CONFIGURATION.md"), encoding: .utf8)
        for key in ConfigurationSchema.keys {
            let row = document.split(separator: "\n").first { $0.hasPrefix("| `\(key.path)` |") }
            #expect(row != nil, "\(key.path) is not documented")
            if let row, !key.defaultText.isEmpty {
                #expect(row.contains(key.defaultText), "\(key.path): the default \(key.defaultText) is not in its row")
            }
        }
    }
}
