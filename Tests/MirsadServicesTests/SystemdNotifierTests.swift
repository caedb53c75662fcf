import Foundation
import Testing
@testable import MirsadServices
#if canImport(Glibc)
import Glibc
#endif

/// `sd_notify` as systemd receives it: datagrams on the socket named by `$NOTIFY_SOCKET`.
@Suite struct SystemdNotifierTests {
    /// A datagram socket bound where `$NOTIFY_SOCKET` will point; returns its descriptor.
    static func listen(at path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        #expect(descriptor >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        if bytes.first == UInt8(ascii: "@") { withUnsafeMutableBytes(of: &address.sun_path) { $0[0] = 0 } }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == UInt8(ascii: "@") ? 0 : 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        return descriptor
    }

    static func received(_ descriptor: Int32) -> [String] {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { return messages }
            messages.append(String(decoding: buffer.prefix(count), as: UTF8.self))
        }
    }

    @Test(arguments: ["file", "abstract"])
    func readyAndWatchdogReachTheNotifySocket(kind: String) throws {
        let name = "mirsad-notify-\(UUID().uuidString.prefix(8))"
        let path = kind == "file" ? FileManager.default.temporaryDirectory.appendingPathComponent(name).path : "@" + name
        let listener = try Self.listen(at: path)
        defer {
            close(listener)
            if kind == "file" { unlink(path) }
        }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "60000000"])
        #expect(notifier.isActive)
        notifier.ready()
        notifier.watchdog()
        notifier.watchdog()  // within half the watchdog interval: not sent again
        notifier.stopping()
        #expect(Self.received(listener) == ["READY=1\nMAINPID=\(getpid())", "WATCHDOG=1", "STOPPING=1"])
    }

    @Test func anotherProcesssWatchdogIsLeftAlone() throws {
        #expect(!SystemdNotifier(environment: [:]).isActive)
        let path = "@mirsad-notify-\(UUID().uuidString.prefix(8))"
        let listener = try Self.listen(at: path)
        defer { close(listener) }
        // WATCHDOG_PID names another process (the supervisor's child inherits the variables): no WATCHDOG=1 here.
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"])
        notifier.watchdog()
        notifier.ready()
        #expect(Self.received(listener) == ["READY=1\nMAINPID=\(getpid())"])
    }

    /// A supervisor's worker process (`WATCHDOG_PID=child-of-PARENT`) pets the watchdog for it and says READY
    /// without claiming to be the main process.
    @Test func theSupervisorsChildNotifiesForIt() throws {
        let path = "@mirsad-notify-\(UUID().uuidString.prefix(8))"
        let listener = try Self.listen(at: path)
        defer { close(listener) }
        let notifier = SystemdNotifier(environment: [
            "NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": SystemdNotifier.childMarker(parent: getppid()),
        ])
        notifier.ready()
        notifier.watchdog()
        #expect(Self.received(listener) == ["READY=1", "WATCHDOG=1"])
    }
}
