#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Set once SIGTERM or SIGINT arrives; every service loop checks it between polls (at most one poll timeout late).
private let shutdownRequested = Atomic<Bool>(false)

public enum ShutdownSignal {
    /// Installs handlers for SIGTERM and SIGINT that only set the flag (async-signal-safe).
    /// The signals are also unblocked: a parent may have started this process with them blocked (test
    /// runners do), which would leave the handlers silent.
    public static func install() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGTERM) { _ in shutdownRequested.store(true, ordering: .relaxed) }
        signal(SIGINT) { _ in shutdownRequested.store(true, ordering: .relaxed) }
        signal(SIGPIPE, SIG_IGN)
    }

    public static var isRequested: Bool { shutdownRequested.load(ordering: .relaxed) }

    /// Asks every loop of this process to stop, as a signal would.
    public static func request() { shutdownRequested.store(true, ordering: .relaxed) }
}
