/// What a worker has to say to whoever reads the logs.
public enum WorkerNotice: Sendable, Hashable {
    /// The collector endpoint came with WELCOME; results go there from now on.
    case sendingResults(to: String)
    /// Results finished before any collector endpoint was known; they are held until WELCOME names one.
    case holdingResults(count: Int)
    /// Results the collector has not acknowledged within `resendAfter` are sent again.
    case resending(count: Int)
    /// These analyses overran the job timeout: reported failed, their threads lost, the worker stops.
    case analysesHung(jobIDs: [String], timeout: Duration)
    /// The worker stops taking jobs: it finishes `finishing`, hands back `handedBack` that no thread started, and
    /// waits for the acknowledgement of `unacknowledged` results.
    case stopping(WorkerStopReason, finishing: Int, handedBack: Int, unacknowledged: Int)
}

/// Why a worker stops.
public enum WorkerStopReason: Sendable, Hashable {
    /// Shutdown was requested.
    case requested
    /// An analysis hung (`WorkerOutcome.stuck`).
    case analysisHung
}
