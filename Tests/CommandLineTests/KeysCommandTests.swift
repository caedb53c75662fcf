import Foundation
import MirsadCore
import MirsadServices
import Testing
@testable import mirsad

/// `mirsad keys generate` and the services' refusal to bind off loopback without keys.
@Suite struct KeysCommandTests {
    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-keys-\(UUID().uuidString)").path
    }

    @Test func generateWritesAPublicAndASecretCertificateAndTheSecretIsPrivate() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try KeysGenerateCommand.parse(["--role", "worker", "--output", directory, "--name", "worker-a"]).run()
        let publicPath = "\(directory)/worker-a.key", secretPath = "\(directory)/worker-a.key_secret"
        let secret = try KeyFiles.certificate(at: secretPath, needSecret: true)
        let published = try KeyFiles.certificate(at: publicPath, needSecret: false)
        #expect(published.publicKey == secret.publicKey && published.secretKey == nil)
        #expect(secret.metadata("role") == "worker" && secret.metadata("name") == "worker-a")
        let mode = try FileManager.default.attributesOfItem(atPath: secretPath)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(throws: (any Error).self, "an existing key is not overwritten") {
            try KeysGenerateCommand.parse(["--role", "worker", "--output", directory, "--name", "worker-a"]).run()
        }
        #expect(throws: (any Error).self) { try KeyFiles.certificate(at: publicPath, needSecret: true) }
    }

    @Test func generateMakesALeaseKeyTheServicesRead() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try KeysGenerateCommand.parse(["--role", "lease", "--output", directory]).run()
        let key = try KeyFiles.leaseKey(at: "\(directory)/lease.lease")
        #expect(key.isValid(key.lease(jobID: "b:0", attempt: 1, workerID: "w", workerKey: "")))
        #expect(throws: (any Error).self) { try KeysGenerateCommand.parse(["--role", "admin"]) }
    }

    /// The dispatcher and the collector refuse a non-loopback bind without keys, naming the fix.
    @Test func aServiceAskedToBindOffLoopbackWithoutKeysSaysHowToFixIt() async throws {
        let dispatcher = try DispatcherCommand.parse(["--bind", "tcp://0.0.0.0:5999", "--journal", ":memory:"])
        do {
            try await dispatcher.run()
            Issue.record("the dispatcher started")
        } catch let failure as CommandFailure {
            #expect(failure.description.contains("--insecure"))
            #expect(failure.description.contains("--key FILE --allow DIR --lease-key FILE"))
        }
        let collector = try CollectorCommand.parse(["--bind", "tcp://*:5998", "--store", "/nonexistent/r.sqlite"])
        await #expect(throws: CommandFailure.self) { try await collector.run() }
        #expect(throws: (any Error).self, "--key needs its allowlist and lease key") {
            try DispatcherCommand.parse(["--key", "k.key_secret"])
        }
    }
}
