import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One incarnation of a `mirsad` process started by the fault tests, in a process group of its own.
///
/// Standard output goes to `stdoutPath` (one file per incarnation, so an old READY line is never read again) and
/// standard error is appended to `logPath` (shared by every incarnation of the same role, so a role's whole story
/// is in one file). The process is reaped by this object only: `waitpid` on its own pid, never on -1, so the
/// `Process` objects other tests use are not disturbed.
///
/// Killing is by process group and by the descendants found in /proc, so a supervisor's child dies with it even
/// when it has left the group.
final class FaultProcess {
    let name: String
    let pid: pid_t
    let stdoutPath: String
    let logPath: String
    private(set) var exitStatus: Int32?

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(name: String, executable: String, arguments: [String], environment: [String: String] = [:],
         stdoutPath: String, logPath: String) throws {
        self.name = name
        self.stdoutPath = stdoutPath
        self.logPath = logPath

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)

        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var spawned: pid_t = 0
        let result = posix_spawn(&spawned, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw Failure(description: "cannot start \(name) (\(executable)): \(String(cString: strerror(result)))")
        }
        pid = spawned
    }

    /// Whether the process is still alive (reaps it when it has exited).
    var isRunning: Bool {
        if exitStatus != nil { return false }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid || result < 0 {
            exitStatus = result == pid ? status : -1
            return false
        }
        return true
    }

    /// Waits for the line `READY <value>` on standard output and returns the value.
    func awaitReady(timeoutSeconds: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: stdoutPath, encoding: .utf8),
               let line = text.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }) {
                return String(line.dropFirst("READY ".count)).trimmingCharacters(in: .whitespaces)
            }
            guard isRunning else {
                throw Failure(description: "\(name) exited (\(describeExit())) before it was ready; log \(logPath)")
            }
            usleep(50_000)
        }
        throw Failure(description: "\(name) printed no READY line within \(Int(timeoutSeconds)) s; log \(logPath)")
    }

    /// Waits up to `timeoutSeconds` for the process to exit; true when it has.
    @discardableResult
    func waitForExit(timeoutSeconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while isRunning {
            if Date() >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// How the process ended, in words.
    func describeExit() -> String {
        guard let status = exitStatus else { return "still running" }
        if status == -1 { return "not a child any more" }
        if status & 0x7f == 0 { return "exit status \((status >> 8) & 0xff)" }
        return "signal \(status & 0x7f)"
    }

    /// The exit status when the process exited normally.
    var exitCode: Int32? {
        guard let status = exitStatus, status != -1, status & 0x7f == 0 else { return nil }
        return (status >> 8) & 0xff
    }

    /// Processes started by this one (children, grandchildren, ...), read from /proc.
    func descendants() -> [pid_t] { ProcessTable.descendants(of: pid) }

    /// Direct children, read from /proc (a supervisor's analysis process).
    func children() -> [pid_t] { ProcessTable.children(of: pid) }

    /// Sends `signal` to the process, its group and every descendant.
    func signalAll(_ signal: Int32) {
        let family = descendants()
        kill(-pid, signal)
        kill(pid, signal)
        for member in family { kill(member, signal) }
    }

    /// `kill -9` on the process and everything it started; returns once the process is reaped.
    func kill9() {
        guard exitStatus == nil else { return }
        signalAll(SIGKILL)
        var status: Int32 = 0
        if waitpid(pid, &status, 0) == pid { exitStatus = status } else { exitStatus = -1 }
    }

    /// SIGTERM, up to `graceSeconds` for a clean exit, then `kill -9` on whatever is left.
    func terminate(graceSeconds: Double = 10) {
        guard isRunning else {
            for member in descendants() { kill(member, SIGKILL) }
            return
        }
        let family = descendants()
        kill(pid, SIGCONT)
        for member in family { kill(member, SIGCONT) }
        kill(pid, SIGTERM)
        if !waitForExit(timeoutSeconds: graceSeconds) { kill9() }
        for member in family where ProcessTable.isAlive(member) { kill(member, SIGKILL) }
    }
}

/// The process table as /proc shows it.
enum ProcessTable {
    /// Parent pid of every process.
    static func parents() -> [pid_t: pid_t] {
        var parents: [pid_t: pid_t] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After "pid (comm)": state, then the parent pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { parents[pid] = parent }
        }
        return parents
    }

    static func children(of pid: pid_t) -> [pid_t] {
        parents().filter { $0.value == pid }.map(\.key).sorted()
    }

    static func descendants(of pid: pid_t) -> [pid_t] {
        let table = parents()
        var found: [pid_t] = []
        var frontier = [pid]
        while let next = frontier.popLast() {
            let children = table.filter { $0.value == next }.map(\.key)
            found += children
            frontier += children
        }
        return found
    }

    /// Alive and not a zombie.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    /// Peak resident set size (VmHWM) in kB.
    static func peakResidentKB(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago: bound to port 0, read back, closed. Restarted processes
/// bind the same port again, so a killed service comes back on the endpoint its peers know.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw FaultProcess.Failure(description: "socket(): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw FaultProcess.Failure(description: "bind(): \(String(cString: strerror(errno)))") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { throw FaultProcess.Failure(description: "getsockname(): \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}
