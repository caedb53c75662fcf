import MirsadCore
import ZeroMQ

/// A service's CURVE server side: its key pair and the allowlist its ZAP handler admits keys from.
public struct ServerSecurity: Sendable {
    /// The ZAP domain of every guarded socket (`ZMQ_ZAP_DOMAIN`).
    public static let zapDomain = "mirsad"

    /// The service's own certificate, with its secret key.
    public var certificate: CurveCertificate
    public var allowlist: KeyAllowlist

    public init(certificate: CurveCertificate, allowlist: KeyAllowlist) {
        self.certificate = certificate
        self.allowlist = allowlist
    }

    /// Who sent `message`: its `User-Id` is the sender's public key (the ZAP handler answers it), and its roles are
    /// the allowlist's for that key now.
    public func authority(of message: Message) -> PeerAuthority {
        guard let key = message.userID, !key.isEmpty else { return .key("", roles: []) }
        return .key(key, roles: allowlist.roles(of: key))
    }
}

/// A client's CURVE side of one connection: its own certificate and the public key of the server it connects to.
public struct ClientSecurity: Sendable {
    public var certificate: CurveCertificate
    /// The server's public key, Z85.
    public var serverKey: String

    public init(certificate: CurveCertificate, serverKey: String) {
        self.certificate = certificate
        self.serverKey = serverKey
    }
}

extension Optional where Wrapped == ServerSecurity {
    /// `.trusted` without server security (loopback, `--insecure`).
    func authority(of message: Message) -> PeerAuthority {
        self?.authority(of: message) ?? .trusted
    }
}
