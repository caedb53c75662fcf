import Foundation
import MirsadCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `<journal>-lock`, held for as long as a journal is open, so that two dispatchers (or two
/// journals in one process) never share one journal: each would put the other's jobs in flight back in the queue.
///
/// The lock is on a file of its own, not the database: closing a descriptor of the database file would drop
/// SQLite's own POSIX locks. The kernel releases the lock when the process dies, however it dies.
final class JournalOwnerLock {
    let lockPath: String
    private let descriptor: Int32

    /// - Throws: `JobJournalError.cannotOpen` when another owner holds the lock (naming its process id when it
    ///   wrote one) or the lock file cannot be created.
    /// Waits up to `wait` for another owner to let go (a dispatcher being restarted, or a child process
    /// spawned at that moment, which holds a copy of the descriptor until it runs its program).
    init(journalPath: String, wait: Duration) throws {
        lockPath = journalPath + "-lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw JobJournalError.cannotOpen(path: journalPath, reason: "cannot create its lock file \(lockPath): \(reason)")
        }
        let deadline = MonotonicInstant.now().advanced(by: max(wait, .zero))
        var locked = flock(descriptor, LOCK_EX | LOCK_NB) == 0
        while !locked && MonotonicInstant.now() < deadline {
            usleep(10_000)
            locked = flock(descriptor, LOCK_EX | LOCK_NB) == 0
        }
        guard locked else {
            let owner = (try? String(contentsOfFile: lockPath, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw JobJournalError.cannotOpen(
                path: journalPath,
                reason: "it is in use by another dispatcher\(owner.isEmpty ? "" : " (process \(owner))") "
                    + "holding \(lockPath)")
        }
        self.descriptor = descriptor
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 {
            _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
    }

    deinit {
        close(descriptor)
    }
}
