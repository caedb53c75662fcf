import Foundation

/// Secure by default: a service binds a non-loopback endpoint only with CURVE keys, unless told `--insecure`.
public enum BindPolicy {
    /// A refused bind, saying how to fix it.
    public struct Refused: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Whether `endpoint` is reachable from this machine only: `inproc://`, `ipc://`, or TCP on 127.0.0.0/8,
    /// `localhost` or `[::1]`. A wildcard (`*`, `0.0.0.0`), another address, or an interface name is not.
    public static func isLoopback(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("inproc://") || endpoint.hasPrefix("ipc://") { return true }
        guard endpoint.hasPrefix("tcp://") else { return false }
        var host = String(endpoint.dropFirst("tcp://".count))
        if let semicolon = host.firstIndex(of: ";") { host = String(host[host.index(after: semicolon)...]) }  // source;dest
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            return host[host.index(after: host.startIndex)..<close] == "::1"
        }
        let name = host.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        if name == "localhost" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// Throws `Refused` when `service` would bind `endpoint` off loopback without keys and without `insecure`.
    /// `keyFlags` names the options that give the service its keys.
    public static func check(
        service: String, endpoint: String, secured: Bool, insecure: Bool, keyFlags: String
    ) throws(Refused) {
        guard !secured, !insecure, !isLoopback(endpoint) else { return }
        throw Refused(description: """
            refusing to bind the \(service) to \(endpoint) without CURVE keys: anyone who can reach it could submit, \
            take, hold or forge jobs. Give it keys (\(keyFlags); make them with `mirsad keys generate --role ROLE`), \
            bind a loopback address such as tcp://127.0.0.1:PORT, or pass --insecure on a network you trust.
            """)
    }
}
