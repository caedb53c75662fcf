import ArgumentParser
import Foundation
import MirsadCore
import MirsadServices
import ZeroMQ

/// `mirsad keys`: the keys of a secured cluster.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Make the CURVE key pairs and the lease key of a secured cluster.",
        subcommands: [KeysGenerateCommand.self])
}

struct KeysGenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a key pair (NAME.key public, NAME.key_secret secret) in ZeroMQ's certificate format, or a lease key (NAME.lease).",
        discussion: """
            Roles: producer, worker, collector, status and operator are the roles of the allowlists (copy NAME.key \
            into ALLOW/ROLE/ of the dispatcher, and for workers of the collector); dispatcher makes a server's key \
            pair; lease makes the key the dispatcher and the collectors share (give it to no one else).
            """)

    static let roles = SecurityRole.allCases.map(\.rawValue) + ["dispatcher", "lease"]

    @Option(help: ArgumentHelp("The key's role: \(KeysGenerateCommand.roles.joined(separator: ", ")).", valueName: "role"))
    var role: String
    @Option(help: ArgumentHelp("Directory to write into (created if missing).", valueName: "dir"))
    var output: String = "."
    @Option(help: ArgumentHelp("The files' name and the certificate's `name` (default: the role).", valueName: "name"))
    var name: String?

    func validate() throws {
        guard Self.roles.contains(role) else {
            throw ValidationError("--role must be one of \(Self.roles.joined(separator: ", ")), not '\(role)'")
        }
        if let name, name.isEmpty || name.contains("/") { throw ValidationError("--name must be a file name") }
    }

    func run() throws {
        let name = self.name ?? role
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("cannot create \(output): \(error.localizedDescription)")
        }
        do {
            if role == "lease" {
                print(try KeyFiles.write(LeaseKey.generate(), directory: output, name: name))
                return
            }
            let certificate = try CurveCertificate.generate(metadata: [("name", name), ("role", role)])
            for path in try KeyFiles.write(certificate, directory: output, name: name) { print(path) }
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}
