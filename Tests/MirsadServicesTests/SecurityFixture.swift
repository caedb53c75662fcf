import Foundation
import MirsadCore
import MirsadWire
import ZeroMQ
@testable import MirsadServices

/// A secured cluster's keys in a temporary directory: a key pair per role, the dispatcher's and collector's server
/// keys, an allowlist with each role's public certificate, and a lease key.
final class SecurityFixture: Sendable {
    let directory: String
    let allowDirectory: String
    let leaseKey: LeaseKey
    let dispatcher: CurveCertificate
    let collector: CurveCertificate
    let keys: [SecurityRole: CurveCertificate]

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-keys-\(UUID().uuidString)").path
        allowDirectory = (directory as NSString).appendingPathComponent("allow")
        for role in SecurityRole.allCases {
            try FileManager.default.createDirectory(
                atPath: (allowDirectory as NSString).appendingPathComponent(role.rawValue), withIntermediateDirectories: true)
        }
        dispatcher = try CurveCertificate.generate(metadata: [("name", "dispatcher")])
        var keys: [SecurityRole: CurveCertificate] = [:]
        for role in SecurityRole.allCases {
            keys[role] = try CurveCertificate.generate(metadata: [("name", role.rawValue)])
        }
        collector = keys[.collector]!  // the collector serves workers and connects to the dispatcher with one key
        self.keys = keys
        leaseKey = LeaseKey.generate()
        for role in SecurityRole.allCases { try allow(keys[role]!, as: role) }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Puts `certificate`'s public part in the allowlist of `role`.
    func allow(_ certificate: CurveCertificate, as role: SecurityRole, name: String? = nil) throws {
        let roleDirectory = (allowDirectory as NSString).appendingPathComponent(role.rawValue)
        _ = try KeyFiles.write(certificate.publicOnly, directory: roleDirectory, name: name ?? certificate.metadata("name") ?? "key")
    }

    /// Takes `name`'s certificate out of the allowlist of `role`.
    func disallow(name: String, as role: SecurityRole) throws {
        let path = ((allowDirectory as NSString).appendingPathComponent(role.rawValue) as NSString)
            .appendingPathComponent("\(name).key")
        try FileManager.default.removeItem(atPath: path)
    }

    func serverSecurity(_ certificate: CurveCertificate) throws -> ServerSecurity {
        ServerSecurity(certificate: certificate, allowlist: try KeyAllowlist(directory: allowDirectory))
    }

    /// A client of `role` connecting to the dispatcher.
    func client(_ role: SecurityRole) -> ClientSecurity {
        ClientSecurity(certificate: keys[role]!, serverKey: dispatcher.publicKey)
    }

    func dispatcherConfiguration() throws -> DispatcherService.Configuration {
        var protocolConfiguration = DispatcherConfiguration()
        protocolConfiguration.leaseKey = leaseKey
        var configuration = DispatcherService.Configuration(
            bindEndpoint: "tcp://127.0.0.1:*", protocolConfiguration: protocolConfiguration)
        configuration.security = try serverSecurity(dispatcher)
        return configuration
    }
}

/// A DEALER over CURVE (or plain, without `curve`) with a monitor attached before it connects, so that the
/// outcome of its handshake can be read. Owned by the test that made it.
final class CurvePeer {
    let socket: Socket
    let monitor: SocketMonitor
    private var inbox: [MirsadMessage] = []

    init(endpoint: String, curve: ClientSecurity?, identity: String? = nil) throws {
        socket = try Socket(context: try ZMQContext(), type: .dealer)
        try socket.set(.reconnectIntervalMax, 1_000)
        if let identity { try socket.set(.routingID, Array(identity.utf8)) }
        if let curve {
            try socket.set(.curvePublicKey, curve.certificate.publicKey)
            try socket.set(.curveSecretKey, curve.certificate.secretKey!)
            try socket.set(.curveServerKey, curve.serverKey)
        }
        monitor = try SocketMonitor(socket, events: [.handshakeSucceeded, .handshakeFailedAuth, .handshakeFailedProtocol])
        try socket.connect(endpoint)
    }

    deinit {
        monitor.close()
        socket.close()
    }

    /// The first handshake outcome (succeeded, or failed by the ZAP handler or the protocol); nil when none came
    /// within `seconds`.
    func handshake(seconds: Double = 10) throws -> SocketEventKind? {
        try monitor.eventSocket.set(.receiveTimeout, Int32(seconds * 1_000))
        return try monitor.receive()?.kind
    }

    func send(_ message: MirsadMessage) throws {
        _ = try socket.send(FrameCodec.encode(message))
    }

    /// Sends `message` and returns the next message received within `seconds`, nil when none came.
    func request(_ message: MirsadMessage, seconds: Double = 10) throws -> MirsadMessage? {
        try send(message)
        return try next(seconds: seconds)
    }

    /// The next message received within `seconds` (HEARTBEATs skipped), nil when none came.
    func next(seconds: Double = 10) throws -> MirsadMessage? {
        if !inbox.isEmpty { return inbox.removeFirst() }
        var poller = Poller()
        poller.register(socket)
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            guard try poller.poll(timeoutMilliseconds: 20)[0].contains(.readable) else { continue }
            while let message = try socket.receive(dontWait: true) {
                if let decoded = try? FrameCodec.decode(message.frames, reading: .passThrough) {
                    if case .heartbeat = decoded { continue }
                    inbox.append(decoded)
                }
            }
            if !inbox.isEmpty { return inbox.removeFirst() }
        }
        return nil
    }
}
