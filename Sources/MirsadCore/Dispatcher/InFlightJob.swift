import MirsadWire
/// A job a worker holds, as the dispatcher remembers it in memory: the only per-job state it keeps.
///
/// Everything else about a job (its article, queued/retrying/finished/dead state) is the journal's. A job has at
/// most one in-flight record, owned by one worker; the record goes when the job leaves the in-flight state
/// (DONE, failed attempt, lapsed lease, STORED, or its worker leaving).
public struct InFlightJob: Sendable, Hashable {
    /// The routing id of the worker that holds it.
    public internal(set) var worker: RoutingID
    /// When the lease lapses unless the worker lists the job in a HEARTBEAT.
    public internal(set) var deadline: MonotonicInstant
    /// Failed attempts before this one (a late crash report can add one while the job runs again).
    public internal(set) var failures: Int
    /// Times handed to a worker, this one included.
    public let dispatches: Int
    public let batchID: String
    /// When the job was first submitted, as the journal keeps it.
    public let submitted: UnixTime
    /// Failed attempts counted from late crash reports (included in `failures`, not yet in the journal): they
    /// follow the job if it is requeued uncounted again.
    var lateCrashes: LateCrashReports?
}

/// Crash reports counted for a job after it had been requeued uncounted (its worker went silent before its
/// successor's HELLO), not yet written to the journal: the last error and worker, and how many.
struct LateCrashReports: Sendable, Hashable {
    var count: Int
    var error: String
    var workerID: String
}
