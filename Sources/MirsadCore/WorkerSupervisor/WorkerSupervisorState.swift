import MirsadWire
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
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
        public var initialBackoff: Duration = .milliseconds(500)
        public var maxBackoff: Duration = .seconds(10)
        public var resetAfter: Duration = .seconds(60)
        public init() {}
    }

    /// How a child process ended.
    public typealias Ending = ProcessEnding

    public enum Decision: Sendable, Equatable {
        /// The supervisor exits with this status.
        case exit(Int32)
        /// Start a new child after `after`, reporting `replaces` and `crashed` in its HELLO.
        case restart(after: Duration, replaces: String, crashed: [Mirsad_V1_JobFailure])
    }

    /// ArgumentParser's status for a usage error: a restart would fail the same way.
    public static let usageErrorStatus: Int32 = 64

    public let timing: Timing
    private var backoff: Duration
    private var childID = ""
    private var childStartedAt = MonotonicInstant.origin
    private var childReady = false
    /// Crashed jobs handed to the current child, carried on if it never becomes ready.
    private var handedCrashed: [Mirsad_V1_JobFailure] = []

    public init(timing: Timing = Timing()) {
        self.timing = timing
        backoff = timing.initialBackoff
    }

    /// A child was started with `id`, reporting `crashed` in its HELLO.
    public mutating func childStarted(id: String, crashed: [Mirsad_V1_JobFailure], at now: MonotonicInstant) {
        childID = id
        childStartedAt = now
        childReady = false
        handedCrashed = crashed
    }

    /// The current child said READY (a dispatcher welcomed it, so it has its HELLO).
    public mutating func childBecameReady() { childReady = true }

    public mutating func childEnded(
        _ ending: Ending, crashReports: [CrashReport], at now: MonotonicInstant, shutdownRequested: Bool
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
        if childStartedAt.duration(to: now) >= timing.resetAfter {
            backoff = timing.initialBackoff
        }
        let delay = backoff
        backoff = min(backoff * 2, timing.maxBackoff)
        return .restart(after: delay, replaces: childID, crashed: crashed)
    }
}
