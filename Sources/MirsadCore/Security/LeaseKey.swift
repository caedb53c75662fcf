import Crypto
import Foundation
import MirsadWire

/// The secret the dispatcher and the collectors share to make and check lease tokens (protocol section 11.8.3).
///
/// A token is HMAC-SHA256 over a length-prefixed encoding of the lease's job id, attempt, worker id and worker key,
/// so that no two different leases encode alike. Invariants: only a holder of the key can make a valid token; a
/// token is valid for exactly the fields it was made for; checking compares in constant time.
public struct LeaseKey: Sendable, Hashable, CustomStringConvertible {
    /// The key's length in bytes.
    public static let byteCount = 32
    private let bytes: [UInt8]

    /// Throws when `bytes` is not `byteCount` long.
    public init(bytes: [UInt8]) throws(LeaseKeyError) {
        guard bytes.count == Self.byteCount else { throw LeaseKeyError(byteCount: bytes.count) }
        self.bytes = bytes
    }

    /// A fresh random key.
    public static func generate() -> LeaseKey {
        let key = SymmetricKey(size: .bits256)
        return try! LeaseKey(bytes: key.withUnsafeBytes { Array($0) })  // 32 bytes by construction
    }

    /// The key's bytes, to be written to the key file.
    public var rawBytes: [UInt8] { bytes }

    /// Never the key itself.
    public var description: String { "LeaseKey(\(Self.byteCount) bytes)" }

    /// The lease for one dispatch of `jobID`, its token made.
    public func lease(jobID: String, attempt: Int, workerID: String, workerKey: String) -> Mirsad_V1_Lease {
        var lease = Mirsad_V1_Lease()
        lease.jobID = jobID
        lease.attempt = UInt32(clamping: attempt)
        lease.workerID = workerID
        lease.workerKey = workerKey
        lease.token = Data(HMAC<SHA256>.authenticationCode(for: Self.message(lease), using: symmetricKey))
        return lease
    }

    /// Whether `lease.token` was made with this key for the lease's other fields.
    public func isValid(_ lease: Mirsad_V1_Lease) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(lease.token, authenticating: Self.message(lease), using: symmetricKey)
    }

    private var symmetricKey: SymmetricKey { SymmetricKey(data: bytes) }

    /// A domain tag, then each field as a 4-byte big-endian length and its UTF-8 bytes (the attempt as decimal).
    private static func message(_ lease: Mirsad_V1_Lease) -> [UInt8] {
        var out = Array("mirsad-lease-v1".utf8)
        for field in [lease.jobID, String(lease.attempt), lease.workerID, lease.workerKey] {
            let utf8 = Array(field.utf8)
            withUnsafeBytes(of: UInt32(clamping: utf8.count).bigEndian) { out += $0 }
            out += utf8
        }
        return out
    }
}

/// A lease key of the wrong length.
public struct LeaseKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var byteCount: Int
    public var description: String { "a lease key has \(LeaseKey.byteCount) bytes, not \(byteCount)" }
}
