import MirsadProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The worker supervisor's decisions, as a pure state machine: when a worker process ends, whether to exit or to
/// start another, after what delay, and what the next process reports of the one that ended.
///
/// Invariants: a child that stopped cleanly (exit 0) or on a shutdown request ends the supervisor with the child's
/// status (0 when it died of the SIGTERM/SIGINT forwarded to it, before it could handle it); any other end (a signal, a non-zero exit) restarts it, after a backoff that starts at `initialBackoff`,
/// doubles up to `maxBackoff`, and starts over after a child ran for `resetAfter`. Only crash reports name jobs:
/// a SIGKILLed child names none, but is still `replaces`d. Jobs named by a child that never became ready (its
/// HELLO may never have reached a dispatcher) are handed on to the next one as well, once each.
public struct WorkerSupervisorState: Sendable {
    public struct Timing: Sendable, Equatable {
        public var initialBackoffNanoseconds: UInt64 = 500_000_000
        public var maxBackoffNanoseconds: UInt64 = 10_000_000_000
        public var resetAfterNanoseconds: UInt64 = 60_000_000_000
        public init() {}
    }

    /// How a child process ended.
    public enum Ending: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        /// The status a shell would show: the exit status, or 128 + the signal.
        public var status: Int32 {
            switch self {
            case .exited(let status): status
            case .signalled(let signal): 128 + signal
            }
        }

        public var description: String {
            switch self {
            case .exited(let status): "exited with status \(status)"
            case .signalled(let signal): "was killed by \(SignalName.of(signal))"
            }
        }
    }

    public enum Decision: Sendable, Equatable {
        /// The supervisor exits with this status.
        case exit(Int32)
        /// Start a new child after `afterNanoseconds`, reporting `replaces` and `crashed` in its HELLO.
        case restart(afterNanoseconds: UInt64, replaces: String, crashed: [Mirsad_V1_JobFailure])
    }

    /// ArgumentParser's status for a usage error: a restart would fail the same way.
    public static let usageErrorStatus: Int32 = 64

    public let timing: Timing
    private var backoff: UInt64
    private var childID = ""
    private var childStartedAt: UInt64 = 0
    private var childReady = false
    /// Crashed jobs handed to the current child, carried on if it never becomes ready.
    private var handedCrashed: [Mirsad_V1_JobFailure] = []

    public init(timing: Timing = Timing()) {
        self.timing = timing
        backoff = timing.initialBackoffNanoseconds
    }

    /// A child was started with `id`, reporting `crashed` in its HELLO.
    public mutating func childStarted(id: String, crashed: [Mirsad_V1_JobFailure], at now: UInt64) {
        childID = id
        childStartedAt = now
        childReady = false
        handedCrashed = crashed
    }

    /// The current child said READY (a dispatcher welcomed it, so it has its HELLO).
    public mutating func childBecameReady() { childReady = true }

    public mutating func childEnded(
        _ ending: Ending, crashReports: [CrashReport], at now: UInt64, shutdownRequested: Bool
    ) -> Decision {
        if shutdownRequested {
            // A child that died of the forwarded signal itself had not yet set up its handler: it held nothing.
            if ending == .signalled(SIGTERM) || ending == .signalled(SIGINT) { return .exit(0) }
            return .exit(ending.status)
        }
        switch ending {
        case .exited(0): return .exit(0)
        case .exited(Self.usageErrorStatus): return .exit(Self.usageErrorStatus)
        default: break
        }
        var crashed = childReady ? [] : handedCrashed
        for failure in crashReports.compactMap(\.jobFailure) where !crashed.contains(where: { $0.jobID == failure.jobID }) {
            crashed.append(failure)
        }
        if now >= childStartedAt && now - childStartedAt >= timing.resetAfterNanoseconds {
            backoff = timing.initialBackoffNanoseconds
        }
        let delay = backoff
        backoff = min(backoff * 2, timing.maxBackoffNanoseconds)
        return .restart(afterNanoseconds: delay, replaces: childID, crashed: crashed)
    }
}
