import MirsadWire

/// A result the collector will not store, because its analysis cannot be read; its worker learns why from
/// RESULTS_ACK `refused` and reports the job failed.
struct ResultRefusal: Error, Sendable, Hashable {
    var jobID: String
    /// What could not be read, for the worker's DONE failure and the dead letter it may become.
    var reason: String

    /// The entry of RESULTS_ACK `refused`.
    var wire: Mirsad_V1_RefusedResult {
        var refused = Mirsad_V1_RefusedResult()
        refused.jobID = jobID
        refused.reason = reason
        return refused
    }
}
