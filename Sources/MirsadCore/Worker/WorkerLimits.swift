/// A worker's credit and time limits.
public struct WorkerLimits: Sendable, Hashable {
    /// Jobs held at once: waiting for a thread, running, and awaiting the collector's acknowledgement.
    public var capacity: Int
    /// A result the collector has not acknowledged within this time is sent again.
    public var resendAfter: Duration
    /// On shutdown, how long to wait for running jobs and acknowledgements.
    public var shutdownGrace: Duration
    /// An analysis running longer than this is reported failed, and its thread given up for lost.
    public var jobTimeout: Duration

    public init(
        capacity: Int, resendAfter: Duration = .seconds(10), shutdownGrace: Duration = .seconds(10),
        jobTimeout: Duration = .seconds(300)
    ) {
        self.capacity = capacity
        self.resendAfter = resendAfter
        self.shutdownGrace = shutdownGrace
        self.jobTimeout = jobTimeout
    }
}
