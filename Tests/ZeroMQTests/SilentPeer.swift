import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP server on 127.0.0.1 that completes a ZMTP 3.0 NULL handshake as a ROUTER and then never sends another
/// byte: a peer that went silent without closing, like one behind a partition. Only heartbeats can notice it.
final class SilentPeer: @unchecked Sendable {
    let endpoint: String
    private let listener: Int32
    private let lock = NSLock()
    private var accepted: [Int32] = []
    private var stopped = false

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EBADF) }
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(listener, generic, length) == 0 && listen(listener, 8) == 0
                    && getsockname(listener, generic, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        endpoint = "tcp://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// How many connections were accepted so far.
    var connectionCount: Int { lock.withLock { accepted.count } }

    /// Runs on its own thread, which owns the listener: it closes it once `stop()` shut it down, so no file
    /// descriptor number is closed twice or used after another test reused it.
    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                close(listener)
                return
            }
            let keep = lock.withLock {
                if !stopped { accepted.append(connection) }
                return !stopped
            }
            guard keep else {
                close(connection)
                continue
            }
            let handshake = Self.greeting + Self.readyCommand
            _ = handshake.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
        }
    }

    /// ZMTP 3.0 greeting: signature, version 3.0, mechanism "NULL" padded to 20 bytes, as-server 0, filler.
    private static let greeting: [UInt8] =
        [0xFF] + [UInt8](repeating: 0, count: 8) + [0x7F, 3, 0] + Array("NULL".utf8)
        + [UInt8](repeating: 0, count: 16) + [0] + [UInt8](repeating: 0, count: 31)

    /// ZMTP READY command with the property Socket-Type = ROUTER.
    private static let readyCommand: [UInt8] = {
        let body = [5] + Array("READY".utf8) + [11] + Array("Socket-Type".utf8) + [0, 0, 0, 6] + Array("ROUTER".utf8)
        return [0x04, UInt8(body.count)] + body
    }()

    /// Stops accepting and closes the accepted connections. Idempotent.
    func stop() {
        let connections: [Int32]? = lock.withLock {
            if stopped { return nil }
            stopped = true
            defer { accepted.removeAll() }
            return accepted
        }
        guard let connections else { return }
        shutdown(listener, Int32(SHUT_RDWR))  // wakes the accept loop, which closes the listener
        connections.forEach { _ = close($0) }
    }

    deinit { stop() }
}
