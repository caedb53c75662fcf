/// Where a job is in its life (the journal keeps the state; the dispatcher keeps the counts):
///
///     queued --dispatch--> in flight --DONE ok--> awaiting store --STORED--> stored
///       ^  ^                 |  |  |
///       |  \--worker dead,---/  |  \--failed attempt (DONE failure, lease lapsed, crash report)
///       |     BYE, replaced     |        |-- below max attempts --> retrying --not-before passed--> queued
///       |                       |        \-- at max attempts, or permanent --> dead (counted as `failed`)
///       \--RETRY_DEAD_LETTERS---+------------------------------------------------------------------/
///                               \--STORED (from any state but stored) --> stored
///
/// `stored` is final. A dead job leaves only by RETRY_DEAD_LETTERS (queued again, no failures counted) or STORED
/// (a result of an earlier attempt made it to the store after all).
public struct JobCounts: Sendable, Hashable {
    /// `failed` counts dead letters: jobs that failed on every allowed attempt.
    public enum Kind: Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case queued, inFlight, retrying, awaitingStore, stored, failed

        public var description: String {
            switch self {
            case .queued: "queued"
            case .inFlight: "in flight"
            case .retrying: "retrying"
            case .awaitingStore: "awaiting store"
            case .stored: "stored"
            case .failed: "dead"
            }
        }
    }

    public var queued = 0
    public var inFlight = 0
    /// Failed at least once, waiting for the next attempt.
    public var retrying = 0
    public var awaitingStore = 0
    public var stored = 0
    public var failed = 0

    public init() {}

    public var total: Int { queued + inFlight + retrying + awaitingStore + stored + failed }

    /// Jobs waiting for a worker: queued now or after their backoff. Producer credit and the queue limit count these.
    public var waiting: Int { queued + retrying }

    public subscript(kind: Kind) -> Int {
        get {
            switch kind {
            case .queued: queued
            case .inFlight: inFlight
            case .retrying: retrying
            case .awaitingStore: awaitingStore
            case .stored: stored
            case .failed: failed
            }
        }
        set {
            switch kind {
            case .queued: queued = newValue
            case .inFlight: inFlight = newValue
            case .retrying: retrying = newValue
            case .awaitingStore: awaitingStore = newValue
            case .stored: stored = newValue
            case .failed: failed = newValue
            }
        }
    }

    public static func + (lhs: JobCounts, rhs: JobCounts) -> JobCounts {
        var sum = lhs
        for kind in Kind.allCases { sum[kind] += rhs[kind] }
        return sum
    }
}
