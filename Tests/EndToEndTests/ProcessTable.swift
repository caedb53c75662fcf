import Foundation
import MirsadServices
#if canImport(Glibc)
import Glibc
#endif

/// The fault tests' hold on a process and what it started: signals reach its process group and every descendant
/// found in /proc, so a supervisor's child is reached even when it has left the group.
extension ManagedProcess {
    /// Processes started by this one (children, grandchildren, ...).
    func descendants() -> [pid_t] { ProcessTable.descendants(of: processIdentifier) }

    /// Direct children (a supervisor's analysis process).
    func children() -> [pid_t] { ProcessTable.children(of: processIdentifier) }

    /// Sends `signal` to the process, its group and every descendant, while it runs.
    func signalFamily(_ signal: Int32) {
        guard isRunning else { return }
        let family = descendants()
        kill(-processIdentifier, signal)
        kill(processIdentifier, signal)
        for member in family { kill(member, signal) }
    }

    /// `kill -9` on the process and everything it started; returns once the process is reaped.
    func kill9() async {
        signalFamily(SIGKILL)
        await waitForExit()
    }

    /// SIGCONT (a frozen process cannot stop), then the stop (SIGTERM, SIGKILL after its grace); whatever it
    /// started and left behind is killed.
    func terminate() async {
        let family = descendants()
        signalFamily(SIGCONT)
        await stop()
        for member in family where ProcessTable.isAlive(member) { kill(member, SIGKILL) }
    }

    /// The exit status when the process exited normally.
    var exitCode: Int32? {
        if case .exited(let code) = ending { code } else { nil }
    }

    /// How the process ended, in words.
    var endingDescription: String { ending?.description ?? "still running" }

    /// Standard output so far, as one text.
    var outputText: String { outputLines.joined(separator: "\n") }
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

    /// The state letter /proc shows (R, S, D, T, Z, ...); nil when the process is gone.
    static func state(_ pid: pid_t) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ").first?.first
    }

    /// Whether `pid` and everything it started stand still after a SIGSTOP: each stopped (T), blocked (D) as a
    /// shell is while the child it vforked has not yet run exec, or dead and unreaped (Z): a child forked just after
    /// the signal went round misses it, runs to its end and stays a zombie, since its stopped parent cannot reap it.
    static func isFrozen(_ pid: pid_t) -> Bool {
        let states = ([pid] + descendants(of: pid)).map(state)
        return states.contains("T") && states.allSatisfy { $0 == "T" || $0 == "D" || $0 == "Z" }
    }

    /// Peak resident set size (VmHWM) in kB.
    static func peakResidentKB(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
}

