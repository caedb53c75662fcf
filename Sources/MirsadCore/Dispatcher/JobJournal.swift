import MirsadWire
/// Where the dispatcher keeps its jobs: the record of every job it has acknowledged, and the queue.
///
/// The state machine keeps only what is in flight in memory; every queued, retrying, finished and dead job lives in
/// the journal, so memory does not grow with the queue.
///
/// Durability is by group commit: changes are buffered (in an open transaction) and become durable at `commit()`.
/// The service around the state machine commits before it sends any message that reflects a change, so a
/// SUBMIT_ACK, a JOBS or a STORED_ACK never gets ahead of the disk.
///
/// Methods other than `commit()` do not throw. A journal that fails to read or write remembers the first failure,
/// answers as if nothing was there (`insert` says "known", `takeQueued` returns nothing), and `commit()` then throws
/// it: the service stops without sending what it had prepared, and a restart recovers the last committed state
/// (crash-only). A journal is owned by one thread.
///
/// States on disk: queued, in flight, retrying (failed, waiting for `not-before`), awaiting store, stored, dead.
/// On open, jobs in flight go back to queued: no worker holds a job of a previous dispatcher process.
///
/// Size: a stored job keeps a small row (no article) until `pruneStored` forgets it; the dispatcher prunes those
/// older than its retention window, so a steady queue keeps the journal's size steady.
///
/// Times are wall-clock times (`UnixTime`), kept to the whole millisecond: a journal may drop anything finer (the
/// SQLite journal stores Unix milliseconds), so callers that compare times they wrote pass whole milliseconds.
public protocol JobJournal {
    /// Counts per batch of the jobs found at open (after in-flight jobs went back to queued); their sum is every
    /// job the journal holds. Also how many dispatches were repeats before this process started.
    func recovered() -> JournalRecovery

    /// Adds `job` as queued unless a job with its id is known. Returns false for a known id (resubmission changes
    /// nothing). `job.batchID` is the batch. The job's bytes are kept as they are, to be handed out unchanged.
    mutating func insert(_ job: EncodedJob) -> Bool

    /// Up to `limit` queued jobs in the order they were first queued (a job taken back keeps its place), each now
    /// in flight; its dispatch count is increased.
    mutating func takeQueued(limit: Int) -> [JournalJob]

    /// `takeQueued(limit:)` restricted to one batch: its first `limit` queued jobs in the order they were first
    /// queued. The dispatcher shares workers among batches with it (`BatchRotation`), so it must cost a number of
    /// steps that grows with the jobs taken, not with the queue.
    mutating func takeQueued(ofBatch batchID: String, limit: Int) -> [JournalJob]

    /// The batch's priority from now on (higher is served first), kept across restarts in `recovered().priorities`.
    /// 0, the default, need not be written down.
    mutating func setPriority(_ priority: Int, ofBatch batchID: String)

    /// An in-flight job back to queued with no attempt counted (its worker died, left, or was replaced).
    mutating func requeue(_ jobID: String)

    /// `requeue`, for a job whose worker `workerID` went silent: the journal remembers that worker with the job
    /// (with up to `maxSilentWorkersPerJob - 1` others it was taken from before), so that a crash report its next
    /// process sends later, even to another dispatcher process, still counts (`countLateCrash`).
    mutating func requeue(_ jobID: String, fromSilentWorker workerID: String)

    /// A crash report, from the next process of `workerID`, for a job taken back from that worker when it went
    /// silent: when the job is unfinished (queued, in flight or retrying) and `workerID` is among the silent workers
    /// remembered with it, its failures go up by one, with `error` and `workerID` kept as its last error, and that
    /// worker is forgotten, so that a report counts once. Nil, changing nothing, otherwise.
    mutating func countLateCrash(_ jobID: String, workerID: String, error: String) -> LateCrash?

    /// An in-flight job failed: it waits until `notBefore`, then is queued again by `promoteDueRetries`.
    /// `failures` is the job's count of failed attempts, this one included.
    mutating func scheduleRetry(_ jobID: String, failures: Int, notBefore: UnixTime, error: String, workerID: String)

    /// Retrying jobs whose not-before time is `now` or earlier, now queued again.
    mutating func promoteDueRetries(now: UnixTime) -> [JournalJobRef]

    /// An in-flight job's result is at the collector: awaiting store until its STORED. Its article is kept until
    /// then, so that a job whose STORED does not come by `storeDeadline` can run again
    /// (`requeueOverdueAwaitingStore`); nil for no deadline.
    mutating func markAwaitingStore(_ jobID: String, storeDeadline: UnixTime?)

    /// Jobs awaiting store whose deadline is `now` or earlier, now queued again in their place (no failure counted:
    /// the collector stores a job once, so running it again is harmless).
    mutating func requeueOverdueAwaitingStore(now: UnixTime) -> [JournalJobRef]

    /// A job's result is in the report store, whatever state it was in (a STORED can overtake a DONE, or arrive
    /// for a job dead-lettered on a timeout whose result still made it). Nil when the id is unknown or the job is
    /// already stored. The journal's wall clock at this call starts the job's retention (`pruneStored`).
    mutating func markStored(_ jobID: String) -> StoredTransition?

    /// A job failed on its last allowed attempt (or permanently): dead since `time`, with its reason kept.
    mutating func deadLetter(_ jobID: String, failures: Int, error: String, workerID: String, at time: UnixTime)

    /// Dead letters in job-id order after `afterJobID`, of one batch when `batchID` is given.
    func deadLetters(batchID: String?, afterJobID: String?, limit: Int) -> [Mirsad_V1_DeadLetter]

    /// Dead jobs queued again with no failures counted: those listed (ids that are not dead are skipped), or every
    /// dead job (of `batchID` when given) when `jobIDs` is nil.
    mutating func retryDeadLetters(jobIDs: [String]?, batchID: String?) -> [JournalJobRef]

    /// `insert` for each job in order (a job id repeated among them is a duplicate after its first): what each
    /// returned. One call, so a journal may do the work in one step.
    mutating func insert(contentsOf jobs: [EncodedJob]) -> [Bool]

    /// `markAwaitingStore` for each job in order, in one call.
    mutating func markAwaitingStore(contentsOf jobIDs: [String], storeDeadline: UnixTime?)

    /// `markStored` for each job in order: what each returned. One call.
    mutating func markStored(contentsOf jobIDs: [String]) -> [StoredTransition?]

    /// The journal's identity: a random id made when the journal was created and kept in it for its life. Another
    /// identity behind the same dispatcher means another journal: what was acknowledged under the old one may be
    /// gone.
    var identity: String { get }

    /// Forgets jobs that became stored at `storedBefore` or earlier, the longest stored first, at most `limit`: their
    /// rows go, and their ids are unknown from then on (a resubmission is queued again). Returns how many were
    /// forgotten per batch. Jobs in any other state are never forgotten.
    mutating func pruneStored(storedBefore: UnixTime, limit: Int) -> [String: Int]

    /// Housekeeping while nothing is uncommitted: gives the space of deleted rows back to the file system and
    /// empties the write-ahead log. Changes no job. Does nothing when changes are pending.
    mutating func reclaimSpace()

    /// Whether the journal can take a commit of about `bytes` now: tries one (written and rolled back) without
    /// changing any job. For a dispatcher that stopped taking jobs because the journal was full.
    mutating func hasRoom(bytes: Int) -> Bool

    /// Makes every change since the last commit durable. Throws the first failure of any method since then.
    mutating func commit() throws

    /// Where the jobs are kept, for STATUS ("sqlite:/path/to/journal" or "memory").
    var description: String { get }
}

extension JobJournal {
    public mutating func insert(contentsOf jobs: [EncodedJob]) -> [Bool] { jobs.map { insert($0) } }

    public mutating func markAwaitingStore(contentsOf jobIDs: [String], storeDeadline: UnixTime?) {
        for jobID in jobIDs { markAwaitingStore(jobID, storeDeadline: storeDeadline) }
    }

    /// Awaiting store with no deadline: never requeued for want of a STORED.
    public mutating func markAwaitingStore(_ jobID: String) { markAwaitingStore(jobID, storeDeadline: nil) }

    public mutating func markStored(contentsOf jobIDs: [String]) -> [StoredTransition?] { jobIDs.map { markStored($0) } }

    public mutating func reclaimSpace() {}

    public mutating func hasRoom(bytes: Int) -> Bool { true }

    /// Adds a decoded job (encoded here, once): for tests and benchmarks that build jobs in memory.
    public mutating func insert(_ job: Mirsad_V1_Job) -> Bool {
        guard let encoded = try? EncodedJob(job) else { return false }
        return insert(encoded)
    }
}

/// A job handed out by `takeQueued`.
public struct JournalJob: Sendable, Equatable {
    /// The job's bytes as its producer encoded them.
    public var job: EncodedJob
    /// Failed attempts so far.
    public var failures: Int
    /// Times the job has been handed to a worker, this one included.
    public var dispatches: Int
    /// When the job was first submitted (the journal's wall clock at `insert`).
    public var submitted: UnixTime

    public init(job: EncodedJob, failures: Int, dispatches: Int, submitted: UnixTime) {
        self.job = job
        self.failures = failures
        self.dispatches = dispatches
        self.submitted = submitted
    }
}

public struct JournalJobRef: Sendable, Hashable {
    public var jobID: String
    public var batchID: String

    public init(jobID: String, batchID: String) {
        self.jobID = jobID
        self.batchID = batchID
    }
}

/// The most silent workers a journal remembers with one job (`requeue(_:fromSilentWorker:)`), the latest kept: a
/// poison article crashes every worker it reaches, and each one's late report must count.
public let maxSilentWorkersPerJob = 8

/// A crash report counted by `countLateCrash`.
public struct LateCrash: Sendable, Hashable {
    public var batchID: String
    /// The job's state when the report came (queued, in flight or retrying); it is unchanged.
    public var state: JobCounts.Kind
    /// Failed attempts, the reported crash included.
    public var failures: Int

    public init(batchID: String, state: JobCounts.Kind, failures: Int) {
        self.batchID = batchID
        self.state = state
        self.failures = failures
    }
}

/// What `markStored` changed.
public struct StoredTransition: Sendable, Hashable {
    public var batchID: String
    /// The state the job left.
    public var previous: JobCounts.Kind
    /// When the job was first submitted.
    public var submitted: UnixTime

    public init(batchID: String, previous: JobCounts.Kind, submitted: UnixTime) {
        self.batchID = batchID
        self.previous = previous
        self.submitted = submitted
    }
}

/// What a journal holds when it is opened.
public struct JournalRecovery: Sendable, Equatable {
    /// Job counts per batch id; no job is in flight.
    public var batches: [String: JobCounts]
    /// Dispatches beyond each job's first, over the journal's life.
    public var redispatches: UInt64
    /// The priority of each batch whose priority is not 0 (`setPriority`).
    public var priorities: [String: Int]

    public init(batches: [String: JobCounts] = [:], redispatches: UInt64 = 0, priorities: [String: Int] = [:]) {
        self.batches = batches
        self.redispatches = redispatches
        self.priorities = priorities
    }
}
