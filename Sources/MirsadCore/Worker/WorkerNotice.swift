/// What a worker has to say to whoever reads the logs.
public enum WorkerNotice: Sendable, Hashable {
    /// The collector endpoint came with WELCOME; results go there from now on.
    case sendingResults(to: String)
    /// Results finished before any collector endpoint was known; they are held until WELCOME names one.
    case holdingResults(count: Int)
    /// Results the collector has not acknowledged within `resendAfter` are sent again.
    case resending(count: Int)
    /// The connection to the collector broke with `unacknowledged` results awaiting its acknowledgement.
    case collectorDisconnected(unacknowledged: Int)
    /// A new connection to the collector is up after a break; the unacknowledged results are sent again.
    case collectorReconnected(resending: Int)
    /// The collector refused these results (their analysis cannot be read): reported failed in DONE.
    case resultsRefused(jobIDs: [String])
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
