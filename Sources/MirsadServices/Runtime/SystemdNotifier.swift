import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd how a service is doing (`sd_notify(3)`): `READY=1` once it serves (for `Type=notify` units) and
/// `WATCHDOG=1` from its loop (for `WatchdogSec=`), so a loop that hangs is killed and restarted.
///
/// The protocol is one datagram of text to the Unix socket named by `$NOTIFY_SOCKET` (a path, or an abstract name
/// written with a leading `@`). It is written here rather than taken from libsystemd because no Swift package or
/// system library for it is on the machines the project builds on (`libsystemd-dev` is not installed, and linking
/// it would tie every build to it); the protocol is stable and this is all of it that Mirsad uses. Without
/// `$NOTIFY_SOCKET` (not started by systemd, or a `Type=simple` unit) every call does nothing.
///
/// Invariants: sends never block (the socket is non-blocking; a full queue drops the datagram, as systemd allows);
/// `WATCHDOG=1` goes out at most every half of `$WATCHDOG_USEC` (systemd's own recommendation), and only when the
/// variable names this process (`$WATCHDOG_PID`, when set) so a child does not pet its parent's watchdog.
/// Owned by one loop thread.
public final class SystemdNotifier {
    private let address: [UInt8]?
    private let watchdogInterval: Duration?
    private var lastWatchdog: ContinuousClock.Instant?
    private var descriptor: Int32 = -1
    /// Notifying for the supervisor that started this process: READY=1 leaves the main process as it is.
    private let delegate: Bool

    /// The `WATCHDOG_PID` value a supervisor gives the child that notifies in its place.
    public static func childMarker(parent: Int32) -> String { "child-of-\(parent)" }

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let path = environment["NOTIFY_SOCKET"], !path.isEmpty,
           path.hasPrefix("/") || path.hasPrefix("@"), path.utf8.count < 108 {
            address = Array(path.utf8)
        } else {
            address = nil
        }
        // `WATCHDOG_PID=child-of-PID`: set by a supervisor (`mirsad worker`) on the one child whose loop pets the
        // watchdog for it (the unit then has `NotifyAccess=all`).
        let delegate = environment["WATCHDOG_PID"] == Self.childMarker(parent: getppid())
        self.delegate = delegate
        let forThisProcess = environment["WATCHDOG_PID"].map { $0 == String(getpid()) || delegate } ?? true
        if forThisProcess, let text = environment["WATCHDOG_USEC"], let micros = Int64(text), micros > 0 {
            watchdogInterval = .microseconds(micros) / 2
        } else {
            watchdogInterval = nil
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Whether a service manager listens (`$NOTIFY_SOCKET` is set).
    public var isActive: Bool { address != nil }

    /// `READY=1`: the service is bound and serves.
    public func ready() {
        send(delegate ? "READY=1" : "READY=1\nMAINPID=\(getpid())")
    }

    /// `STOPPING=1`: the service is shutting down gracefully.
    public func stopping() {
        send("STOPPING=1")
    }

    /// `WATCHDOG=1` when half the watchdog interval has passed since the last; call once per loop turn.
    public func watchdog() {
        guard let interval = watchdogInterval else { return }
        let now = ContinuousClock.now
        if let last = lastWatchdog, last.duration(to: now) < interval { return }
        lastWatchdog = now
        send("WATCHDOG=1")
    }

    /// Sends one datagram; failures are ignored (the service runs on without its manager's notice).
    func send(_ text: String) {
        guard let address else { return }
        if descriptor < 0 {
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard descriptor >= 0 else { return }
        }
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        var path = address
        if path.first == UInt8(ascii: "@") { path[0] = 0 }  // an abstract socket: a leading NUL, no terminator
        let length = withUnsafeMutableBytes(of: &socketAddress.sun_path) { buffer -> Int in
            buffer.copyBytes(from: path)
            return path.count
        }
        let addressLength = socklen_t(MemoryLayout<sa_family_t>.size + length + (path.first == 0 ? 0 : 1))
        let bytes = Array(text.utf8)
        _ = withUnsafePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bytes.withUnsafeBytes { buffer in
                    sendto(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), address, addressLength)
                }
            }
        }
    }
}

/// Notifiers belong to one loop thread, like its sockets.
@available(*, unavailable)
extension SystemdNotifier: Sendable {}
