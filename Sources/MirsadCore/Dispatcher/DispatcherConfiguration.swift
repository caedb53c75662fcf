import MirsadWire
/// What a dispatcher is told at start.
public struct DispatcherConfiguration: Sendable, Hashable {
    /// Sent to workers in WELCOME; empty when workers are configured with it themselves.
    public var collectorEndpoint: String
    /// The dispatcher sends HEARTBEAT to a peer it has sent nothing else for this long; sent to peers in WELCOME
    /// (in whole milliseconds).
    public var heartbeatInterval: Duration
    /// A worker or collector silent for this long is declared dead (its jobs are requeued, no attempt counted).
    public var livenessTimeout: Duration
    /// How long a job stays with a worker that does not list it in its HEARTBEATs; each listing extends it by as
    /// much. A lapse counts as a failed attempt.
    public var jobLease: Duration
    /// SUBMITs that would make the jobs waiting (queued or retrying) more than this are refused with ERROR BUSY.
    public var maxQueuedJobs: Int
    /// Software version reported in WELCOME and STATUS_REPLY.
    public var version: String
    /// Attempts a job gets: the failed attempt that reaches this number dead-letters it (at least 1).
    public var maxAttempts: Int
    /// The delay after a job's first failed attempt; it doubles with each further failure ...
    public var retryBackoff: Duration
    /// ... up to this.
    public var retryBackoffMax: Duration
    /// The most credit a SUBMIT_ACK grants, whatever room the queue has.
    public var maxProducerCredit: Int
    /// Seeds the jitter of retry delays: the same seed gives the same delays.
    public var randomSeed: UInt64
    /// A job awaiting store whose STORED has not come this long after its DONE is queued again (protocol 16.2).
    public var storeDeadline: Duration
    /// How long a stored job's id is remembered after it was stored: within it a resubmission is a duplicate; after
    /// it the job is forgotten (its row deleted, its batch unknown once all its jobs are) and a resubmission is
    /// queued and analysed again (the collector still stores each article once). Bounds the journal: its size
    /// follows the jobs stored within the window, not all jobs ever submitted.
    public var storedRetention: Duration = .seconds(24 * 3600)
    /// The key lease tokens are made with (protocol section 11.8.3), shared with the collectors; nil for a cluster
    /// without one (loopback). With it every JOBS carries a lease per job, and a STORED ends a job that is not
    /// awaiting store only on a valid lease for it.
    public var leaseKey: LeaseKey? = nil
    /// A peer whose queue was full when the dispatcher sent to it (it does not read) is cut off this long: its
    /// session ends (its jobs go back to the queue), nothing is sent to it and its messages are dropped unread.
    public var cutOffCooldown: Duration = .seconds(5)

    public init(
        collectorEndpoint: String = "",
        heartbeatInterval: Duration = ProtocolTiming.defaultHeartbeatInterval,
        livenessTimeout: Duration = ProtocolTiming.defaultLivenessTimeout,
        jobLease: Duration = ProtocolTiming.defaultJobLease,
        maxQueuedJobs: Int = 1_000_000,
        version: String = "mirsad 1",
        maxAttempts: Int = 5,
        retryBackoff: Duration = .seconds(1),
        retryBackoffMax: Duration = .seconds(60),
        maxProducerCredit: Int = 4096,
        randomSeed: UInt64 = 0x6D69_7273_6164,
        storeDeadline: Duration = .seconds(120)
    ) {
        self.collectorEndpoint = collectorEndpoint
        self.heartbeatInterval = heartbeatInterval
        self.livenessTimeout = livenessTimeout
        self.jobLease = jobLease
        self.maxQueuedJobs = maxQueuedJobs
        self.version = version
        self.maxAttempts = maxAttempts
        self.retryBackoff = retryBackoff
        self.retryBackoffMax = retryBackoffMax
        self.maxProducerCredit = maxProducerCredit
        self.randomSeed = randomSeed
        self.storeDeadline = storeDeadline
    }
}
