/// Who sent a message, as far as authentication can tell: the basis of every authorisation by role.
///
/// A service without CURVE keys (loopback, or `--insecure`) sees every peer as `.trusted`: it may act in every role,
/// as before authentication existed. A service with keys sees `.key`: the sender's CURVE public key as its ZAP
/// handler admitted it (the message's `User-Id`) and the roles that key holds in the allowlist *now*, read per
/// message, so that a key removed from the allowlist loses its rights on connections already open.
public enum PeerAuthority: Sendable, Hashable {
    case trusted
    /// `key` is Z85 (40 characters), or empty when a message came without a User-Id (then `roles` is empty).
    case key(String, roles: Set<SecurityRole>)

    /// Whether the sender holds one of `roles`.
    public func holdsAny(of roles: Set<SecurityRole>) -> Bool {
        switch self {
        case .trusted: true
        case .key(_, let held): !held.isDisjoint(with: roles)
        }
    }

    /// The sender's public key in Z85; empty for `.trusted`. Lease tokens are bound to it.
    public var keyText: String {
        switch self {
        case .trusted: ""
        case .key(let key, _): key
        }
    }

    /// An authenticated key the allowlist no longer (or never) lists.
    public var isUnknownKey: Bool {
        if case .key(_, let roles) = self { return roles.isEmpty }
        return false
    }
}
