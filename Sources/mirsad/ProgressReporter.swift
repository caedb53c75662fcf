#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MirsadCore
import MirsadServices
import Synchronization

/// Shows a producer's progress: a bar redrawn in place on a terminal, a plain line every few seconds otherwise.
struct ProgressReporter {
    enum Style: Sendable { case bar, lines, silent }

    let style: Style
    private var lastDraw: MonotonicInstant? = nil
    private let startedAt: MonotonicInstant
    private let interval: Duration

    /// A rate taken over less time than this says more about when the first report came than about the work, so
    /// none is shown before it (a stage's first results arrive together: 90 in a millisecond read as 90,000/s).
    static let shortestRateWindow: Duration = .milliseconds(500)

    /// A bar when standard error is a terminal, plain lines otherwise; rates are counted from `now`.
    init(style: Style? = nil, now: MonotonicInstant = .now()) {
        let chosen = style ?? (isatty(STDERR_FILENO) == 1 ? .bar : .lines)
        self.style = chosen
        self.startedAt = now
        self.interval = chosen == .bar ? .milliseconds(100) : .seconds(5)
    }

    /// Draws when enough time has passed since the last draw, or when `force` is set; returns the line drawn.
    /// Nothing is drawn before `shortestRateWindow` unless forced, so the first line has a rate to show (the first
    /// article read, alone on a line, said nothing: `submitted 1`).
    @discardableResult
    mutating func update(
        label: String, done: Int, total: Int?, now: MonotonicInstant = .now(), force: Bool = false
    ) -> String? {
        guard style != .silent,
              force || (startedAt.duration(to: now) >= Self.shortestRateWindow
                        && lastDraw.map({ $0.duration(to: now) >= interval }) ?? true)
        else { return nil }
        lastDraw = now
        let line = Self.render(label: label, done: done, total: total, elapsed: max(startedAt.duration(to: now), .zero), barWidth: 30)
        switch style {
        case .bar: writeStandardError("\r\u{1B}[2K" + line)
        case .lines: writeStandardError(line + "\n")
        case .silent: break
        }
        return line
    }

    /// Ends the bar's line so later output starts on a fresh one.
    func finish() {
        if style == .bar { writeStandardError("\n") }
    }

    /// One progress line: count (of total), articles/s and, when the total is known, a bar and the ETA; no rate
    /// nor ETA before `shortestRateWindow` has elapsed.
    static func render(label: String, done: Int, total: Int?, elapsed: Duration, barWidth: Int) -> String {
        let rate = elapsed >= shortestRateWindow ? Double(done) / elapsed.inSeconds : nil
        var line = label + " "
        if let total, total > 0 {
            let fraction = min(Double(done) / Double(total), 1)
            let filled = Int(fraction * Double(barWidth))
            line += "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "] "
            line += "\(done)/\(total)"
            if let rate {
                line += " " + formatRate(rate)
                if rate > 0, done < total { line += " ETA " + formatDuration(Double(total - done) / rate) }
            }
        } else {
            line += "\(done)"
            if let rate { line += " " + formatRate(rate) }
        }
        return line
    }

    static func formatRate(_ rate: Double) -> String {
        rate >= 100 ? "\(Int(rate.rounded())) articles/s" : "\((rate * 10).rounded() / 10) articles/s"
    }

    static func formatDuration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        return s >= 3600 ? "\(s / 3600)h\(s % 3600 / 60)m" : s >= 60 ? "\(s / 60)m\(s % 60)s" : "\(s)s"
    }
}

/// Writes to standard error without buffering, so progress and logs interleave in order.
func writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { _ = writeAll(UnsafeRawBufferPointer($0), to: STDERR_FILENO) }
}

/// A producer's progress drawn on standard error: one `ProgressReporter` per stage, redrawn at its own pace,
/// its line ended when the stage's last report comes.
///
/// Every stage's rate is counted from the display's start, not from the stage's first report: articles are
/// stored at the pace they go through the whole cluster, and the first ones are stored only after they were read,
/// sent and analysed. The exception is a stage that begins when another ends (`Stage.ratesFromItsOwnStart`).
final class ProgressDisplay: Sendable {
    private let reporters = Mutex<[ProducerProgress.Stage: ProgressReporter]>([:])
    private let style: ProgressReporter.Style?
    private let startedAt: MonotonicInstant

    init(style: ProgressReporter.Style? = nil, now: MonotonicInstant = .now()) {
        self.style = style
        self.startedAt = now
    }

    /// Draws `progress` when its stage's reporter is due (always for a stage's last report); returns the line drawn.
    @discardableResult
    func show(_ progress: ProducerProgress, now: MonotonicInstant = .now()) -> String? {
        reporters.withLock { reporters in
            var reporter = reporters[progress.stage]
                ?? ProgressReporter(style: style, now: progress.stage.ratesFromItsOwnStart ? now : startedAt)
            let line = reporter.update(
                label: progress.stage.rawValue, done: progress.done, total: progress.total, now: now,
                force: progress.isFinal)
            if progress.isFinal { reporter.finish() }
            reporters[progress.stage] = reporter
            return line
        }
    }
}
