/// How a worker's run ended.
public enum WorkerOutcome: Sendable, Hashable {
    /// Shutdown was requested and the worker stopped.
    case stopped
    /// These analyses did not finish within the job timeout; their threads are lost and the process should exit
    /// so that a fresh one takes over.
    case stuck(jobIDs: [String])
}
