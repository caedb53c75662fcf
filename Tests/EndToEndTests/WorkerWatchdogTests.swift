import Foundation
import MirsadServices
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mirsad worker` under a `Type=notify` unit with `WatchdogSec=` (`Deploy/systemd/mirsad-worker@.service`): its
/// worker process says READY=1 (without claiming to be the main process) and WATCHDOG=1 for the supervisor, even
/// while its dispatcher is not up.
@Suite struct WorkerWatchdogTests {
    @Test func theWorkerProcessFeedsTheSupervisorsWatchdog() async throws {
        let path = "@mirsad-worker-notify-\(UUID().uuidString.prefix(8))"
        let listener = try Self.listen(at: path)
        defer { close(listener) }
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var launch = ManagedProcess.Configuration(executable: TestPaths.mirsad, arguments: [
            "worker", "--dispatcher", "tcp://127.0.0.1:\(try freeLoopbackPort())", "--threads", "1", "--analysis", "none"])
        // As systemd sets them for the unit's main process (the supervisor); WATCHDOG_PID is left out, which
        // sd_notify reads as "this process".
        launch.environment = ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"]
        launch.errorLogPath = directory.appendingPathComponent("worker.log").path
        let worker = try await ManagedProcess.start("worker", launch)
        var messages: [String] = []
        let fed = await waitUntil(timeout: .seconds(30), interval: .milliseconds(100)) {
            messages += Self.received(listener)
            return messages.contains("READY=1") && messages.filter { $0 == "WATCHDOG=1" }.count >= 3
        }
        await worker.stop()
        #expect(fed, "datagrams: \(messages)")
        #expect(!messages.contains { $0.contains("MAINPID") }, "the worker process must not take the main process's place")
    }

    static func listen(at path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0[0] = 0 }  // abstract
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
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
}
