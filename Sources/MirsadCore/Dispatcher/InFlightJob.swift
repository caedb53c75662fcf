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
}
