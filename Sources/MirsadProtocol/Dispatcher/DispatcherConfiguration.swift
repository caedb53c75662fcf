/// What a dispatcher is told at start. Times are in nanoseconds.
public struct DispatcherConfiguration: Sendable, Hashable {
    /// Sent to workers in WELCOME; empty when workers are configured with it themselves.
    public var collectorEndpoint: String
    public var heartbeatIntervalNanos: UInt64
    /// A worker or collector silent for this long is declared dead (its jobs are requeued, no attempt counted).
    public var livenessTimeoutNanos: UInt64
    /// How long a job stays with a worker that does not list it in its HEARTBEATs; each listing extends it by as
    /// much. A lapse counts as a failed attempt.
    public var jobLeaseNanos: UInt64
    /// SUBMITs that would make the jobs waiting (queued or retrying) more than this are refused with ERROR BUSY.
    public var maxQueuedJobs: Int
    /// Software version reported in WELCOME and STATUS_REPLY.
    public var version: String
    /// Attempts a job gets: the failed attempt that reaches this number dead-letters it (at least 1).
    public var maxAttempts: Int
    /// The delay after a job's first failed attempt; it doubles with each further failure ...
    public var retryBackoffNanos: UInt64
    /// ... up to this.
    public var retryBackoffMaxNanos: UInt64
    /// The most credit a SUBMIT_ACK grants, whatever room the queue has.
    public var maxProducerCredit: Int
    /// Seeds the jitter of retry delays: the same seed gives the same delays.
    public var randomSeed: UInt64

    public init(
        collectorEndpoint: String = "",
        heartbeatIntervalNanos: UInt64 = ProtocolTiming.defaultHeartbeatIntervalNanos,
        livenessTimeoutNanos: UInt64 = ProtocolTiming.defaultLivenessTimeoutNanos,
        jobLeaseNanos: UInt64 = ProtocolTiming.defaultJobLeaseNanos,
        maxQueuedJobs: Int = 1_000_000,
        version: String = "mirsad 1",
        maxAttempts: Int = 5,
        retryBackoffNanos: UInt64 = 1_000_000_000,
        retryBackoffMaxNanos: UInt64 = 60_000_000_000,
        maxProducerCredit: Int = 4096,
        randomSeed: UInt64 = 0x6D69_7273_6164
    ) {
        self.collectorEndpoint = collectorEndpoint
        self.heartbeatIntervalNanos = heartbeatIntervalNanos
        self.livenessTimeoutNanos = livenessTimeoutNanos
        self.jobLeaseNanos = jobLeaseNanos
        self.maxQueuedJobs = maxQueuedJobs
        self.version = version
        self.maxAttempts = maxAttempts
        self.retryBackoffNanos = retryBackoffNanos
        self.retryBackoffMaxNanos = retryBackoffMaxNanos
        self.maxProducerCredit = maxProducerCredit
        self.randomSeed = randomSeed
    }
}
