/// The cluster's live status as a served page shows it: what the dispatcher answered, or why there is nothing.
public enum ClusterStatus: Sendable, Hashable {
    /// No dispatcher was named (`mirsad web` without `--dispatcher`).
    case notConfigured
    /// The dispatcher at `endpoint` did not answer (or refused); `reason` says which.
    case unreachable(endpoint: String, reason: String)
    case answered(endpoint: String, facts: [Fact], workers: [[String]])

    /// One labelled value.
    public struct Fact: Sendable, Hashable {
        public var label: String
        public var value: String

        public init(_ label: String, _ value: String) {
            self.label = label
            self.value = value
        }
    }

    /// Column names of `answered`'s worker rows.
    public static let workerColumns = [
        "worker", "host", "pid", "version", "clock offset", "in flight", "capacity", "done", "failed", "articles/s",
    ]
}
