import Foundation
import MirsadCore
import Synchronization
import ZeroMQ

/// The public keys allowed to connect, by role: a directory with a subdirectory per role (`producer/`, `worker/`,
/// `collector/`, `status/`, `operator/`), each holding the public certificates (`*.key`) of that role's keys. A key
/// whose certificate is in several subdirectories holds each of those roles.
///
/// Reloadable while the service runs: `reloadIfChanged()` (the ZAP handler calls it about once a second) reads the
/// directory again when a file or subdirectory changed, and `reload()` does so at once (SIGHUP). A reload that finds
/// a certificate unreadable keeps the others and reports it in `problems`.
///
/// Invariant: `roles(of:)` answers from one complete reading of the directory, never a partial one. Safe from any
/// thread (the ZAP handler's and the service loop's read it, the signal handler reloads it).
public final class KeyAllowlist: Sendable {
    public let directory: String

    private struct Snapshot: Sendable {
        var roles: [String: Set<SecurityRole>] = [:]
        var names: [String: String] = [:]
        var fingerprint: [String] = []
        var problems: [String] = []
    }

    private let state = Mutex(Snapshot())

    /// Reads `directory`; throws when it is not a directory.
    public init(directory: String) throws(KeyFiles.Problem) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw KeyFiles.Problem(description: """
                the allowlist \(directory) is not a directory (it holds one subdirectory per role: \
                \(SecurityRole.allCases.map(\.rawValue).joined(separator: ", ")))
                """)
        }
        self.directory = directory
        reload()
    }

    /// The roles `key` (Z85) holds now; empty for a key not listed.
    public func roles(of key: String) -> Set<SecurityRole> {
        state.withLock { $0.roles[key] ?? [] }
    }

    /// The name a key's certificate gives (metadata `name`, else its file name), for logs.
    public func name(of key: String) -> String? {
        state.withLock { $0.names[key] }
    }

    /// How many keys are listed.
    public var count: Int { state.withLock { $0.roles.count } }

    /// Certificates the last reading could not use, with why.
    public var problems: [String] { state.withLock { $0.problems } }

    /// Reads the directory again, whether or not it changed.
    public func reload() {
        let fingerprint = Self.fingerprint(directory)
        let snapshot = Self.read(directory, fingerprint: fingerprint)
        state.withLock { $0 = snapshot }
    }

    /// Reads the directory again when a certificate or role subdirectory changed since the last reading; returns
    /// whether it did.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        let fingerprint = Self.fingerprint(directory)
        guard state.withLock({ $0.fingerprint != fingerprint }) else { return false }
        let snapshot = Self.read(directory, fingerprint: fingerprint)
        state.withLock { $0 = snapshot }
        return true
    }

    private static func certificateFiles(_ directory: String, role: SecurityRole) -> [String] {
        let roleDirectory = (directory as NSString).appendingPathComponent(role.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: roleDirectory)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(KeyFiles.secretSuffix) }.sorted()
            .map { (roleDirectory as NSString).appendingPathComponent($0) }
    }

    /// Every certificate file with its size and modification time: a change of any is a change of the list.
    private static func fingerprint(_ directory: String) -> [String] {
        SecurityRole.allCases.flatMap { role in
            certificateFiles(directory, role: role).map { path in
                let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
                return "\(path)|\(size)|\(modified)"
            }
        }
    }

    private static func read(_ directory: String, fingerprint: [String]) -> Snapshot {
        var snapshot = Snapshot()
        snapshot.fingerprint = fingerprint
        for role in SecurityRole.allCases {
            for path in certificateFiles(directory, role: role) {
                do {
                    let certificate = try KeyFiles.certificate(at: path, needSecret: false)
                    snapshot.roles[certificate.publicKey, default: []].insert(role)
                    snapshot.names[certificate.publicKey] = certificate.metadata("name")
                        ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
                } catch {
                    snapshot.problems.append("\(error)")
                }
            }
        }
        return snapshot
    }
}
