import MirsadWire
/// What the I/O loop around a `WorkerStateMachine` must do, in order.
public enum WorkerAction<Job: WorkerJobPayload, Result: WorkerResultPayload>: Sendable {
    /// The first WELCOME came: the worker is ready.
    case ready
    /// Connect to the collector at this endpoint (learned from WELCOME); `sendResults` follow.
    case connectCollector(endpoint: String)
    /// Hand these jobs to the analysis threads.
    case analyse([Job])
    /// Send these results to the collector in one RESULTS message (kept under the frame limit), with
    /// `worker_idle` set as `workerIdle` says (revision 6).
    case sendResults([Result], workerIdle: Bool)
    /// Send DONE to the dispatcher (at most `ProtocolLimits.maxIDsPerMessage` entries), with `worker_idle` set as
    /// `workerIdle` says (revision 6).
    case sendDone(jobIDs: [String], failures: [Mirsad_V1_JobFailure], workerIdle: Bool)
    /// Take back the jobs no thread has started, and report their ids with `withdrawn(_:now:)`.
    case withdrawWaiting
    /// Something to log.
    case notice(WorkerNotice)
    /// The run is over: say BYE (which hands back every job still held) and return this outcome.
    case finish(WorkerOutcome)
}

extension WorkerAction: Equatable where Job: Equatable, Result: Equatable {}
