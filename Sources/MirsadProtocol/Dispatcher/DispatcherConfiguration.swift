/// What a dispatcher is told at start. Times are in nanoseconds.
public struct DispatcherConfiguration: Sendable, Hashable {
    /// Sent to workers in WELCOME; empty when workers are configured with it themselves.
    public var collectorEndpoint: String
    public var heartbeatIntervalNanos: UInt64
    /// A worker or collector silent for this long is declared dead (its jobs are requeued).
    public var livenessTimeoutNanos: UInt64
    /// How long a worker may hold a job before it is given to another worker.
    public var jobLeaseNanos: UInt64
    /// SUBMITs that would make the queue longer than this are refused with ERROR BUSY.
    public var maxQueuedJobs: Int
    /// Software version reported in WELCOME and STATUS_REPLY.
    public var version: String

    public init(
        collectorEndpoint: String = "",
        heartbeatIntervalNanos: UInt64 = ProtocolTiming.defaultHeartbeatIntervalNanos,
        livenessTimeoutNanos: UInt64 = ProtocolTiming.defaultLivenessTimeoutNanos,
        jobLeaseNanos: UInt64 = ProtocolTiming.defaultJobLeaseNanos,
        maxQueuedJobs: Int = 1_000_000,
        version: String = "mirsad 1"
    ) {
        self.collectorEndpoint = collectorEndpoint
        self.heartbeatIntervalNanos = heartbeatIntervalNanos
        self.livenessTimeoutNanos = livenessTimeoutNanos
        self.jobLeaseNanos = jobLeaseNanos
        self.maxQueuedJobs = maxQueuedJobs
        self.version = version
    }
}
