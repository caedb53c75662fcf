import ArgumentParser
import Dispatch
import Foundation
import Logging
import MirsadCore
import MirsadServices
import ZeroMQ

/// The keys of a service that binds (dispatcher, collector): its own CURVE key pair, the allowlist of the keys
/// that may connect, the lease key, or `--insecure`.
struct ServerKeyOptions: ParsableArguments {
    @Option(name: .customLong("key"), help: ArgumentHelp(
        "This service's secret certificate (NAME.key_secret from `mirsad keys generate`): turns CURVE on.",
        valueName: "file"))
    var keyFile: String?
    @Option(name: .customLong("allow"), help: ArgumentHelp(
        "The allowlist: a directory with a subdirectory per role (producer, worker, collector, status, operator) of public certificates. Re-read when it changes, and on SIGHUP.",
        valueName: "dir"))
    var allowDirectory: String?
    @Option(name: .customLong("lease-key"), help: ArgumentHelp(
        "The lease key shared by the dispatcher and the collectors (`mirsad keys generate --role lease`): binds each result to its delivery.",
        valueName: "file"))
    var leaseKeyFile: String?
    @Flag(help: "Serve without keys on a non-loopback address: any peer that can connect may act in every role.")
    var insecure = false

    func validate() throws {
        if keyFile != nil, allowDirectory == nil { throw ValidationError("--key needs --allow DIR (the keys that may connect)") }
        if allowDirectory != nil, keyFile == nil { throw ValidationError("--allow needs --key FILE (this service's secret certificate)") }
        if keyFile != nil, leaseKeyFile == nil {
            throw ValidationError("--key needs --lease-key FILE, so that results are bound to their delivery (make one with `mirsad keys generate --role lease`)")
        }
        if keyFile != nil, insecure { throw ValidationError("--insecure and --key exclude each other") }
    }

    /// The CURVE server side, nil without `--key`.
    func security() throws -> ServerSecurity? {
        guard let keyFile, let allowDirectory else { return nil }
        do {
            return ServerSecurity(
                certificate: try KeyFiles.certificate(at: keyFile, needSecret: true),
                allowlist: try KeyAllowlist(directory: allowDirectory))
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// The lease key, nil without `--lease-key`.
    func leaseKey() throws -> LeaseKey? {
        guard let leaseKeyFile else { return nil }
        do {
            return try KeyFiles.leaseKey(at: leaseKeyFile)
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// Refuses a non-loopback `endpoint` without keys (unless `--insecure`), naming the fix.
    func checkBind(service: String, endpoint: String, extraFlags: String = "") throws {
        do {
            try BindPolicy.check(
                service: service, endpoint: endpoint, secured: keyFile != nil, insecure: insecure,
                keyFlags: "--key FILE --allow DIR --lease-key FILE\(extraFlags)")
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

/// A client's keys for the dispatcher: its own key pair and the dispatcher's public certificate.
struct ClientKeyOptions: ParsableArguments {
    @Option(name: .customLong("key"), help: ArgumentHelp(
        "This client's secret certificate (NAME.key_secret from `mirsad keys generate`): connects over CURVE.",
        valueName: "file"))
    var keyFile: String?
    @Option(name: .customLong("dispatcher-key"), help: ArgumentHelp(
        "The dispatcher's public certificate (its NAME.key), needed with --key.", valueName: "file"))
    var dispatcherKeyFile: String?

    func validate() throws {
        if (keyFile == nil) != (dispatcherKeyFile == nil) {
            throw ValidationError("--key and --dispatcher-key go together")
        }
    }

    /// CURVE to the dispatcher, nil without keys.
    func dispatcherSecurity() throws -> ClientSecurity? {
        try security(serverKeyFile: dispatcherKeyFile)
    }

    /// CURVE to another server whose public certificate is `serverKeyFile`, with this client's key.
    func security(serverKeyFile: String?) throws -> ClientSecurity? {
        try Self.security(keyFile: keyFile, serverKeyFile: serverKeyFile)
    }

    /// CURVE with the secret certificate `keyFile` to the server whose public certificate is `serverKeyFile`.
    static func security(keyFile: String?, serverKeyFile: String?) throws -> ClientSecurity? {
        guard let keyFile, let serverKeyFile else { return nil }
        do {
            return ClientSecurity(
                certificate: try KeyFiles.certificate(at: keyFile, needSecret: true),
                serverKey: try KeyFiles.certificate(at: serverKeyFile, needSecret: false).publicKey)
        } catch {
            throw CommandFailure("\(error)")
        }
    }
}

/// Re-reads an allowlist on SIGHUP while the returned source is kept.
func reloadOnHangup(_ allowlist: KeyAllowlist?, logger: Logger) -> (any DispatchSourceSignal)? {
    guard let allowlist else { return nil }
    signal(SIGHUP, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
    source.setEventHandler {
        allowlist.reload()
        logger.notice("SIGHUP: allowlist \(allowlist.directory) re-read, \(allowlist.count) keys allowed")
    }
    source.resume()
    return source
}
