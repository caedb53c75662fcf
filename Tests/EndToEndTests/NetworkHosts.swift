import Foundation
import Testing

/// Hosts for a test, made of Linux network namespaces on this machine: each host is a namespace with one veth
/// link to a bridge in the root namespace, an address `10.201.<net>.<n>/24` on it, and its own loopback. Processes
/// run on a host through `ip netns exec`; the filesystem is shared, the network is not.
///
/// A host's link can be taken down from the root side (`cut`), which is what a pulled cable or a dead switch port
/// looks like to both ends: no FIN, no RST, packets simply stop. Everything made is removed by `remove`, and names
/// carry a per-run tag so that runs never collide.
final class NetworkHosts: Sendable {
    let tag: String
    let net: Int
    let names: [String]

    /// Whether hosts can be made here: root, and `ip netns` working. CI runs as root; elsewhere the test skips.
    static let isAvailable: Bool = {
        guard geteuid() == 0, let ip = ipPath else { return false }
        let probe = "mirsad-probe-\(getpid())"
        guard run(ip, ["netns", "add", probe]) == 0 else { return false }
        _ = run(ip, ["netns", "del", probe])
        return true
    }()
    static let isRequired = ProcessInfo.processInfo.environment["MIRSAD_REQUIRE_NETNS"] == "1"
    static let skipReason: Comment =
        "skipped: needs root and `ip netns` (iproute2) to make hosts of network namespaces; with MIRSAD_REQUIRE_NETNS=1 its absence fails"

    static let ipPath: String? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Makes `names.count` hosts on a fresh bridge.
    init(_ names: [String]) throws {
        guard let ip = Self.ipPath else { throw TestFailure(description: "no `ip` command (iproute2)") }
        tag = String(format: "%04x", UInt16.random(in: 0...UInt16.max))
        net = Int.random(in: 1...250)
        self.names = names
        var commands: [[String]] = [["link", "add", bridge, "type", "bridge"], ["link", "set", bridge, "up"]]
        for (index, name) in names.enumerated() {
            let (outer, inner) = vethNames(index)
            commands += [
                ["netns", "add", namespace(name)],
                ["link", "add", outer, "type", "veth", "peer", "name", inner],
                ["link", "set", inner, "netns", namespace(name)],
                ["link", "set", outer, "master", bridge],
                ["link", "set", outer, "up"],
                ["-n", namespace(name), "addr", "add", "\(address(name))/24", "dev", inner],
                ["-n", namespace(name), "link", "set", inner, "up"],
                ["-n", namespace(name), "link", "set", "lo", "up"],
            ]
        }
        for command in commands where Self.run(ip, command) != 0 {
            remove()
            throw TestFailure(description: "ip \(command.joined(separator: " ")) failed")
        }
    }

    private var bridge: String { "mb\(tag)" }
    private func vethNames(_ index: Int) -> (outer: String, inner: String) { ("mo\(tag)\(index)", "mi\(tag)\(index)") }

    func namespace(_ name: String) -> String { "mirsad-\(tag)-\(name)" }

    func address(_ name: String) -> String {
        "10.201.\(net).\(names.firstIndex(of: name)! + 1)"
    }

    /// The arguments that run `executable arguments` on host `name`.
    func command(on name: String, _ executable: String, _ arguments: [String]) -> (String, [String]) {
        (Self.ipPath!, ["netns", "exec", namespace(name), executable] + arguments)
    }

    /// Takes host `name`'s link down (`up: false`) or up again, from the bridge's side.
    func setLink(_ name: String, up: Bool) throws {
        let outer = vethNames(names.firstIndex(of: name)!).outer
        guard Self.run(Self.ipPath!, ["link", "set", outer, up ? "up" : "down"]) == 0 else {
            throw TestFailure(description: "could not set \(name)'s link \(up ? "up" : "down")")
        }
    }

    /// Adds `delay` (and `loss` percent) to every host's link with `tc netem`; false when the kernel has no netem.
    func addLatency(_ delay: Duration, lossPercent: Double) -> Bool {
        let milliseconds = delay.components.seconds * 1_000 + delay.components.attoseconds / 1_000_000_000_000_000
        return names.indices.allSatisfy { index in
            Self.run("/usr/sbin/tc", ["qdisc", "add", "dev", vethNames(index).outer, "root", "netem",
                                      "delay", "\(milliseconds)ms", "loss", "\(lossPercent)%"]) == 0
        }
    }

    func removeLatency() {
        for index in names.indices {
            _ = Self.run("/usr/sbin/tc", ["qdisc", "del", "dev", vethNames(index).outer, "root"])
        }
    }

    /// Kills every process on host `name` (SIGKILL): what a host's crash does to what ran on it.
    func killEverything(on name: String) {
        let pids = Self.output(Self.ipPath!, ["netns", "pids", namespace(name)])
            .split(whereSeparator: \.isWhitespace).compactMap { pid_t($0) }
        for pid in pids { kill(pid, SIGKILL) }
    }

    /// Removes the namespaces (killing what still runs in them) and the bridge.
    func remove() {
        guard let ip = Self.ipPath else { return }
        for name in names {
            killEverything(on: name)
            _ = Self.run(ip, ["netns", "del", namespace(name)])
        }
        for index in names.indices { _ = Self.run(ip, ["link", "del", vethNames(index).outer]) }
        _ = Self.run(ip, ["link", "del", bridge])
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func output(_ executable: String, _ arguments: [String]) -> String {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test where hosts can be made of network namespaces, or where they are required (then their absence
    /// fails).
    static var needsNetworkNamespaces: Self {
        .enabled(if: NetworkHosts.isAvailable || NetworkHosts.isRequired, NetworkHosts.skipReason)
    }
}
