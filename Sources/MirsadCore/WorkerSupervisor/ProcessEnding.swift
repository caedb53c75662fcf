#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended.
public enum ProcessEnding: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)

    /// The status a shell would show: the exit status, or 128 + the signal.
    public var status: Int32 {
        switch self {
        case .exited(let status): status
        case .signalled(let signal): 128 + signal
        }
    }

    /// Whether SIGKILL ended the process (after a stop's grace ran out, or a `kill -9`).
    public var wasKilled: Bool { self == .signalled(SIGKILL) }

    public var description: String {
        switch self {
        case .exited(let status): "exited with status \(status)"
        case .signalled(let signal): "was killed by \(SignalName.of(signal))"
        }
    }
}
