import MirsadWire
/// A job as the worker state machine sees it: only its id; the rest goes to the analysis untouched.
public protocol WorkerJobPayload: Sendable {
    var jobID: String { get }
}

/// A result as the worker state machine sees it: its job's id, and what it adds to a RESULTS message (so that each
/// message stays under the frame limit).
public protocol WorkerResultPayload: Sendable {
    var jobID: String { get }
    var sizeInMessage: Int { get }
}

extension EncodedJob: WorkerJobPayload {}
extension EncodedResult: WorkerResultPayload {}
