/// Messages (or entries of messages) refused for security reasons, counted by kind, for STATUS_REPLY
/// `security_refusals` and the collector's statistics.
///
/// Invariant: each refusal is counted once, under one kind, by the component that decided it; the counts only grow.
public struct SecurityRefusals: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// An allowlisted key sent a command its roles do not allow.
        case forbiddenByRole = "forbidden by role"
        /// An authenticated key that the allowlist does not list (removed since it connected).
        case unknownKey = "unknown key"
        /// A result whose lease token is missing or not valid for its job, attempt and sender.
        case forgedToken = "forged token"
        /// A STORED entry for a job that is not awaiting store, without a valid lease.
        case forgedStored = "forged STORED"
        /// A DONE entry for a job the sending worker does not hold.
        case doneNotHeld = "DONE not held"
        /// A session command from a key other than the one that opened the session.
        case sessionKeyMismatch = "session key mismatch"
    }

    public private(set) var counts: [Kind: UInt64] = [:]

    public init() {}

    public mutating func count(_ kind: Kind, _ amount: Int = 1) {
        guard amount > 0 else { return }
        counts[kind, default: 0] += UInt64(amount)
    }

    public subscript(kind: Kind) -> UInt64 { counts[kind] ?? 0 }

    /// The counts as STATUS_REPLY carries them: by the kind's text, only kinds seen.
    public var wire: [String: UInt64] {
        Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })
    }

    public var total: UInt64 { counts.values.reduce(0, +) }
}
