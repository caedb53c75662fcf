/// Where a job is in its life:
///
///     queued --dispatch--> inFlight --DONE ok--> awaitingStore --STORED--> stored
///       ^                   |  |  \--DONE failed--> failed
///       \--worker dead, BYE,/  \--STORED (before DONE)--> stored
///          lease lapsed
///
/// `stored` and `failed` are final in v1 (retries of failed jobs are not part of v1).
public enum JobState: Sendable, Hashable {
    case queued
    /// Held by the worker with this routing id until `deadlineNanos`.
    case inFlight(worker: RoutingID, deadlineNanos: UInt64)
    /// A worker reported it done (its result is at the collector); not yet reported stored.
    case awaitingStore
    case stored
    case failed

    var kind: JobCounts.Kind {
        switch self {
        case .queued: .queued
        case .inFlight: .inFlight
        case .awaitingStore: .awaitingStore
        case .stored: .stored
        case .failed: .failed
        }
    }
}

/// Jobs per state. Invariant (kept by `DispatcherStateMachine`): the sum is the number of jobs known.
public struct JobCounts: Sendable, Hashable {
    /// `failed` counts dead letters: jobs that failed on every allowed attempt.
    public enum Kind: Sendable, Hashable, CaseIterable { case queued, inFlight, retrying, awaitingStore, stored, failed }

    public var queued = 0
    public var inFlight = 0
    /// Failed at least once, waiting for the next attempt.
    public var retrying = 0
    public var awaitingStore = 0
    public var stored = 0
    public var failed = 0

    public init() {}

    public var total: Int { queued + inFlight + retrying + awaitingStore + stored + failed }

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
}
