import Foundation
import MirsadCore
import ZeroMQ

/// Reading and writing Mirsad's key files: CURVE certificates (ZeroMQ's `zcert` text format, `NAME.key` public and
/// `NAME.key_secret` secret, as CZMQ names them) and lease keys (`NAME.lease`).
///
/// Invariant: every file holding a secret (a secret certificate, a lease key) is created readable by its owner only
/// (mode 0600).
public enum KeyFiles {
    /// The suffix of a secret certificate's file after its public one's name.
    public static let secretSuffix = "_secret"

    /// Why a key file could not be used.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Reads a certificate file; `needSecret` when the caller must hold the secret key (its own key pair).
    public static func certificate(at path: String, needSecret: Bool) throws(Problem) -> CurveCertificate {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Problem(description: "cannot read the key file \(path): \(error.localizedDescription)")
        }
        let certificate: CurveCertificate
        do {
            certificate = try CurveCertificate(text: text)
        } catch {
            throw Problem(description: "\(path) is not a ZeroMQ certificate: \(error)")
        }
        if needSecret, certificate.secretKey == nil {
            throw Problem(description: """
                \(path) holds no secret key: give the secret certificate (the file ending in \(secretSuffix)), \
                made with `mirsad keys generate`
                """)
        }
        return certificate
    }

    /// Writes `certificate` as `DIR/NAME.key` (public) and, when it has a secret, `DIR/NAME.key_secret` (0600).
    /// Refuses to overwrite. Returns the paths written.
    public static func write(_ certificate: CurveCertificate, directory: String, name: String) throws(Problem) -> [String] {
        let publicPath = (directory as NSString).appendingPathComponent("\(name).key")
        var written = [try create(publicPath, certificate.publicOnly.text, secret: false)]
        if certificate.secretKey != nil {
            written.append(try create(publicPath + secretSuffix, certificate.text, secret: true))
        }
        return written
    }

    /// Writes a lease key as `DIR/NAME.lease` (0600), Z85 in a `lease` section. Refuses to overwrite.
    public static func write(_ key: LeaseKey, directory: String, name: String) throws(Problem) -> String {
        let path = (directory as NSString).appendingPathComponent("\(name).lease")
        let z85 = (try? Z85.encode(key.rawBytes)) ?? ""
        let text = """
            #   Mirsad lease key: makes and checks the tokens that bind results to their delivery.
            #   Give it to the dispatcher and the collectors only; never to workers or clients.

            lease
                key = "\(z85)"

            """
        return try create(path, text, secret: true)
    }

    /// Reads a lease key file.
    public static func leaseKey(at path: String) throws(Problem) -> LeaseKey {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Problem(description: "cannot read the lease key file \(path): \(error.localizedDescription)")
        }
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("key"), let equals = trimmed.firstIndex(of: "=") else { continue }
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            guard let bytes = try? Z85.decode(value), let key = try? LeaseKey(bytes: bytes) else {
                throw Problem(description: "\(path): the lease key is not \(LeaseKey.byteCount) bytes in Z85")
            }
            return key
        }
        throw Problem(description: "\(path) holds no `key = ...` line (make one with `mirsad keys generate --role lease`)")
    }

    private static func create(_ path: String, _ text: String, secret: Bool) throws(Problem) -> String {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw Problem(description: "\(path) exists; not overwritten")
        }
        let attributes: [FileAttributeKey: Any] = [.posixPermissions: secret ? 0o600 : 0o644]
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: attributes) else {
            throw Problem(description: "cannot create \(path)")
        }
        return path
    }
}
