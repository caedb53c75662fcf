/// What a worker does with each job's article.
///
/// Only `.full` is for production. `.none` and `.sleep` are benchmark tools: they measure the cluster's own cost
/// (dispatch, delivery, storing) without the analysis, with a result that carries the article's metadata and an
/// empty analysis. They still go through every step a real result goes through (encoding, the collector, STORED).
public enum WorkerAnalysis: Sendable, Hashable, CustomStringConvertible {
    /// The analysis core.
    case full
    /// No analysis: an empty result at once.
    case none
    /// No analysis: an empty result after sleeping this long, a stand-in for a fixed per-job cost.
    case sleep(Duration)

    /// Parses `full`, `none` or `sleep:DURATION`, DURATION a number with a unit `ms`, `us` or `s` (`sleep:20ms`).
    public init?(argument: String) {
        switch argument {
        case "full": self = .full
        case "none": self = .none
        default:
            guard argument.hasPrefix("sleep:"), let duration = Self.duration(String(argument.dropFirst("sleep:".count))) else {
                return nil
            }
            self = .sleep(duration)
        }
    }

    public var description: String {
        switch self {
        case .full: "full"
        case .none: "none"
        case .sleep(let duration): "sleep:\(duration)"
        }
    }

    private static func duration(_ text: String) -> Duration? {
        let units: [(suffix: String, scale: Double)] = [("ms", 1e-3), ("us", 1e-6), ("s", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value.isFinite, value >= 0, value * scale <= 3600 else {
                return nil
            }
            return .nanoseconds(Int64((value * scale * 1e9).rounded()))
        }
        return nil
    }
}
