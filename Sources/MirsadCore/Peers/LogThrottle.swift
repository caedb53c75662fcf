/// The rate limit of log lines that peers can cause: per kind, at most `burst` lines in each `interval`; the lines
/// held back are counted and the count is reported with the next line of that kind that goes out.
///
/// Invariants: the kinds are named by the code (a small fixed set), never taken from a peer; no I/O, time is passed in.
public struct LogThrottle: Sendable {
    public enum Verdict: Sendable, Equatable {
        /// Log the line; `suppressed` lines of this kind were held back since the last one that went out.
        case log(suppressed: Int)
        /// Hold the line back (it is counted).
        case suppress
    }

    private struct Window: Sendable {
        var start: MonotonicInstant
        var logged: Int
        var suppressed: Int
    }

    public var interval: Duration
    public var burst: Int
    private var windows: [String: Window] = [:]

    public init(interval: Duration = .seconds(1), burst: Int = 5) {
        self.interval = interval
        self.burst = max(burst, 1)
    }

    public mutating func admit(_ kind: String, now: MonotonicInstant) -> Verdict {
        var window = windows[kind] ?? Window(start: now, logged: 0, suppressed: 0)
        if window.start.duration(to: now) >= interval {
            window.start = now
            window.logged = 0
        }
        defer { windows[kind] = window }
        guard window.logged < burst else {
            window.suppressed += 1
            return .suppress
        }
        window.logged += 1
        let suppressed = window.suppressed
        window.suppressed = 0
        return .log(suppressed: suppressed)
    }

    /// Lines of `kind` held back and not yet reported.
    public func pending(_ kind: String) -> Int { windows[kind]?.suppressed ?? 0 }
}
