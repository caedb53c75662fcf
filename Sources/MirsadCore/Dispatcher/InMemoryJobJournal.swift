import MirsadWire
/// A `JobJournal` that keeps everything in memory: for tests, and for `mirsad dispatcher --journal :memory:`.
/// Nothing survives the process; `commit()` only reports a failure a test injected.
///
/// Same semantics as the SQLite journal: `takeQueued` hands out jobs in the order they were first queued (a job
/// requeued, promoted from retrying or retried from the dead-letter list keeps its place), of all batches or of one,
/// dead letters are listed in job-id order (UTF-8 byte order, as SQLite compares text), and a job's article is
/// dropped once the job is stored (kept while dead or awaiting store, so it can be queued again).
///
/// Transitions, as in the SQLite journal (a change asked of a job in any other state, or of an unknown id, does
/// nothing): `requeue` from in flight; `scheduleRetry`, `deadLetter` and `markAwaitingStore` from queued, in flight
/// or retrying (a crash report may arrive for a job already taken back); `markStored` from any state but stored;
/// `retryDeadLetters` from dead, the batch filter applying to a list of ids too; `requeueOverdueAwaitingStore` from
/// awaiting store.
///
/// A restart is `reopened()`: the journal as a new dispatcher process finds it, in-flight jobs queued again.
public struct InMemoryJobJournal: JobJournal, Sendable {
    struct Entry: Sendable {
        /// Present unless the job is stored.
        var job: EncodedJob?
        let batchID: String
        let articleID: String
        /// Queue position: the order of first insertion, kept for life.
        let sequence: UInt64
        let submitted: UnixTime
        var state: JobCounts.Kind = .queued
        var failures = 0
        var dispatches = 0
        /// Meaningful only while retrying, and while awaiting store with a deadline.
        var notBefore = UnixTime(sinceEpoch: .zero)
        var error = ""
        var workerID = ""
        /// Meaningful only while dead.
        var dead = UnixTime(sinceEpoch: .zero)
        /// Meaningful only while stored.
        var stored = UnixTime(sinceEpoch: .zero)
        /// The workers the job was taken back from when they went silent (the latest last), until their late crash
        /// reports count.
        var silentWorkers: [String] = []
    }

    struct StoredKey: Comparable, Sendable {
        var stored: UnixTime
        var sequence: UInt64
        var jobID: String
        static func < (a: Self, b: Self) -> Bool { (a.stored, a.sequence) < (b.stored, b.sequence) }
    }

    struct QueueKey: Comparable, Sendable {
        var sequence: UInt64
        var jobID: String
        static func < (a: Self, b: Self) -> Bool { a.sequence < b.sequence }
    }

    struct RetryKey: Comparable, Sendable {
        var notBefore: UnixTime
        var sequence: UInt64
        var jobID: String
        static func < (a: Self, b: Self) -> Bool {
            (a.notBefore, a.sequence) < (b.notBefore, b.sequence)
        }
    }

    private var entries: [String: Entry] = [:]
    /// Queued jobs of each batch by position. Invariant: every queued job has a key in its batch's heap (all of a
    /// job's keys have its sequence, so extra keys never change the order); keys of jobs that left the queued state
    /// other than by `takeQueued` (stored, retrying, awaiting store, dead) are stale and skipped. A heap found empty
    /// is removed.
    private var queues: [String: MinHeap<QueueKey>] = [:]
    /// Retrying jobs by not-before time; stale keys (jobs that left retrying, or were scheduled again for another
    /// time) are skipped.
    private var retries = MinHeap<RetryKey>()
    /// Jobs awaiting store with a deadline, by deadline; stale keys are skipped as for `retries`.
    private var storeDeadlines = MinHeap<RetryKey>()
    /// Batches whose priority is not 0.
    private var priorities: [String: Int] = [:]
    /// Stored jobs by the time they became stored (a stored job never changes state, so no key goes stale).
    private var storedOrder = MinHeap<StoredKey>()
    private var nextSequence: UInt64 = 0
    private let clock: @Sendable () -> UnixTime
    public let identity: String

    /// The error the next `commit()` throws, for tests of a failing journal.
    public var failureOnNextCommit: (any Error & Sendable)?

    /// `clock` is the wall clock whose time `insert` records as a job's submission time (the system's unless a test
    /// passes its own, such as `ServiceClock.wall`).
    /// `identity` defaults to a new random id, as for a new journal file. `description` is what STATUS shows.
    public init(
        clock: @escaping @Sendable () -> UnixTime = { UnixTime.now() }, identity: String? = nil,
        description: String = "memory"
    ) {
        self.clock = clock
        self.identity = identity ?? Self.randomIdentity()
        self.description = description
    }

    /// 128 random bits in hex.
    static func randomIdentity() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let value = generator.next() as UInt64
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// The journal as a new process would open it: every in-flight job queued again, in its place.
    public func reopened() -> InMemoryJobJournal {
        var copy = self
        copy.failureOnNextCommit = nil
        for (jobID, entry) in entries where entry.state == .inFlight {
            copy.entries[jobID]?.state = .queued
            copy.enqueue(jobID, entry)
        }
        return copy
    }

    // MARK: - Inspection (tests)

    /// The state of a job, nil when unknown.
    public func state(of jobID: String) -> JobCounts.Kind? { entries[jobID]?.state }

    /// Failed attempts counted for a job.
    public func failures(of jobID: String) -> Int? { entries[jobID]?.failures }

    /// When a retrying job may run again.
    public func notBefore(of jobID: String) -> UnixTime? {
        guard let entry = entries[jobID], entry.state == .retrying else { return nil }
        return entry.notBefore
    }

    /// Whether the job's article is still kept.
    public func keepsArticle(of jobID: String) -> Bool { entries[jobID]?.job != nil }

    /// Counts per batch of every job held, from the jobs themselves.
    public func countsByBatch() -> [String: JobCounts] {
        var counts: [String: JobCounts] = [:]
        for entry in entries.values { counts[entry.batchID, default: JobCounts()][entry.state] += 1 }
        return counts
    }

    /// Ids of the jobs in one state.
    public func jobIDs(in state: JobCounts.Kind) -> Set<String> {
        Set(entries.lazy.filter { $0.value.state == state }.map(\.key))
    }

    // MARK: - JobJournal

    public func recovered() -> JournalRecovery {
        JournalRecovery(
            batches: countsByBatch(),
            redispatches: entries.values.reduce(0) { $0 + UInt64(max($1.dispatches - 1, 0)) },
            priorities: priorities)
    }

    public mutating func insert(_ job: EncodedJob) -> Bool {
        guard entries[job.jobID] == nil else { return false }
        let sequence = nextSequence
        nextSequence += 1
        entries[job.jobID] = Entry(
            job: job, batchID: job.batchID, articleID: job.articleID, sequence: sequence,
            submitted: clock())
        queues[job.batchID, default: MinHeap()].insert(QueueKey(sequence: sequence, jobID: job.jobID))
        return true
    }

    /// Across batches: each step takes the batch whose first queued job was queued first (a merge of the batches'
    /// queues, linear in the batches; for tests and `--journal :memory:`).
    public mutating func takeQueued(limit: Int) -> [JournalJob] {
        var taken: [JournalJob] = []
        while taken.count < limit {
            var first: (batchID: String, sequence: UInt64)?
            for batchID in Array(queues.keys) {
                guard let key = firstQueued(of: batchID) else { continue }
                if first.map({ key.sequence < $0.sequence }) ?? true { first = (batchID, key.sequence) }
            }
            guard let first, let job = takeFirst(of: first.batchID) else { break }
            taken.append(job)
        }
        return taken
    }

    public mutating func takeQueued(ofBatch batchID: String, limit: Int) -> [JournalJob] {
        var taken: [JournalJob] = []
        while taken.count < limit, let job = takeFirst(of: batchID) { taken.append(job) }
        return taken
    }

    public mutating func setPriority(_ priority: Int, ofBatch batchID: String) {
        priorities[batchID] = priority == 0 ? nil : priority
    }

    public mutating func requeue(_ jobID: String) {
        guard let entry = entries[jobID], entry.state == .inFlight else { return }
        entries[jobID]?.state = .queued
        enqueue(jobID, entry)
    }

    public mutating func requeue(_ jobID: String, fromSilentWorker workerID: String) {
        guard var entry = entries[jobID], entry.state == .inFlight else { return }
        entry.silentWorkers.removeAll { $0 == workerID }
        entry.silentWorkers.append(workerID)
        entry.silentWorkers.removeFirst(max(0, entry.silentWorkers.count - maxSilentWorkersPerJob))
        entries[jobID] = entry
        requeue(jobID)
    }

    public mutating func countLateCrash(_ jobID: String, workerID: String, error: String) -> LateCrash? {
        guard var entry = entries[jobID], entry.silentWorkers.contains(workerID),
              [.queued, .inFlight, .retrying].contains(entry.state)
        else { return nil }
        entry.silentWorkers.removeAll { $0 == workerID }
        entry.failures += 1
        entry.error = error
        entry.workerID = workerID
        entries[jobID] = entry
        return LateCrash(batchID: entry.batchID, state: entry.state, failures: entry.failures)
    }

    /// The key of the batch's first queued job, stale keys before it dropped (and the heap, once empty).
    private mutating func firstQueued(of batchID: String) -> QueueKey? {
        while let key = queues[batchID]?.min {
            if let entry = entries[key.jobID], entry.state == .queued, entry.job != nil { return key }
            _ = queues[batchID]?.removeMin()
        }
        queues[batchID] = nil
        return nil
    }

    /// The batch's first queued job, now in flight.
    private mutating func takeFirst(of batchID: String) -> JournalJob? {
        guard let key = firstQueued(of: batchID), var entry = entries[key.jobID], let job = entry.job else { return nil }
        _ = queues[batchID]?.removeMin()
        entry.state = .inFlight
        entry.dispatches += 1
        entries[key.jobID] = entry
        return JournalJob(job: job, failures: entry.failures, dispatches: entry.dispatches, submitted: entry.submitted)
    }

    private mutating func enqueue(_ jobID: String, _ entry: Entry) {
        queues[entry.batchID, default: MinHeap()].insert(QueueKey(sequence: entry.sequence, jobID: jobID))
    }

    public mutating func scheduleRetry(_ jobID: String, failures: Int, notBefore: UnixTime, error: String, workerID: String) {
        guard var entry = entries[jobID], entry.state.isUnfinished else { return }
        entry.state = .retrying
        entry.failures = failures
        entry.notBefore = notBefore
        entry.error = error
        entry.workerID = workerID
        entries[jobID] = entry
        retries.insert(RetryKey(notBefore: notBefore, sequence: entry.sequence, jobID: jobID))
    }

    public mutating func promoteDueRetries(now: UnixTime) -> [JournalJobRef] {
        var promoted: [JournalJobRef] = []
        while let key = retries.min, key.notBefore <= now {
            _ = retries.removeMin()
            guard let entry = entries[key.jobID], entry.state == .retrying, entry.notBefore == key.notBefore
            else { continue }
            entries[key.jobID]?.state = .queued
            enqueue(key.jobID, entry)
            promoted.append(JournalJobRef(jobID: key.jobID, batchID: entry.batchID))
        }
        return promoted
    }

    public mutating func markAwaitingStore(_ jobID: String, storeDeadline: UnixTime?) {
        guard var entry = entries[jobID], entry.state.isUnfinished else { return }
        entry.state = .awaitingStore
        entry.notBefore = storeDeadline ?? UnixTime(sinceEpoch: .zero)
        entries[jobID] = entry
        if let storeDeadline {
            storeDeadlines.insert(RetryKey(notBefore: storeDeadline, sequence: entry.sequence, jobID: jobID))
        }
    }

    public mutating func requeueOverdueAwaitingStore(now: UnixTime) -> [JournalJobRef] {
        var requeued: [JournalJobRef] = []
        while let key = storeDeadlines.min, key.notBefore <= now {
            _ = storeDeadlines.removeMin()
            guard let entry = entries[key.jobID], entry.state == .awaitingStore, entry.notBefore == key.notBefore,
                  entry.job != nil
            else { continue }
            entries[key.jobID]?.state = .queued
            enqueue(key.jobID, entry)
            requeued.append(JournalJobRef(jobID: key.jobID, batchID: entry.batchID))
        }
        return requeued
    }

    public mutating func markStored(_ jobID: String) -> StoredTransition? {
        guard let entry = entries[jobID], entry.state != .stored else { return nil }
        let now = clock()
        entries[jobID]?.state = .stored
        entries[jobID]?.job = nil
        entries[jobID]?.stored = now
        storedOrder.insert(StoredKey(stored: now, sequence: entry.sequence, jobID: jobID))
        return StoredTransition(batchID: entry.batchID, previous: entry.state, submitted: entry.submitted)
    }

    public mutating func deadLetter(_ jobID: String, failures: Int, error: String, workerID: String, at time: UnixTime) {
        guard var entry = entries[jobID], entry.state.isUnfinished else { return }
        entry.state = .failed
        entry.failures = failures
        entry.error = error
        entry.workerID = workerID
        entry.dead = time
        entries[jobID] = entry
    }

    public func deadLetters(batchID: String?, afterJobID: String?, limit: Int) -> [Mirsad_V1_DeadLetter] {
        let after = afterJobID.map { Array($0.utf8) }
        return entries.lazy
            .filter { id, entry in
                entry.state == .failed && (batchID == nil || entry.batchID == batchID)
                    && (after.map { $0.lexicographicallyPrecedes(id.utf8) } ?? true)
            }
            .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .prefix(max(limit, 0))
            .map { id, entry in
                .with {
                    $0.jobID = id
                    $0.batchID = entry.batchID
                    $0.error = entry.error
                    $0.workerID = entry.workerID
                    $0.attempts = UInt32(clamping: entry.failures)
                    $0.deadUnixMs = entry.dead.milliseconds
                    $0.articleID = entry.articleID
                }
            }
    }

    public mutating func retryDeadLetters(jobIDs: [String]?, batchID: String?) -> [JournalJobRef] {
        let candidates: [String]
        if let jobIDs {
            var seen = Set<String>()
            candidates = jobIDs.filter { seen.insert($0).inserted }
        } else {
            candidates = entries.filter { $0.value.state == .failed && (batchID == nil || $0.value.batchID == batchID) }
                .sorted { $0.value.sequence < $1.value.sequence }.map(\.key)
        }
        var requeued: [JournalJobRef] = []
        for jobID in candidates {
            guard var entry = entries[jobID], entry.state == .failed, batchID == nil || entry.batchID == batchID
            else { continue }
            entry.state = .queued
            entry.failures = 0
            entry.error = ""
            entry.workerID = ""
            entry.dead = UnixTime(sinceEpoch: .zero)
            entries[jobID] = entry
            enqueue(jobID, entry)
            requeued.append(JournalJobRef(jobID: jobID, batchID: entry.batchID))
        }
        return requeued
    }

    public mutating func pruneStored(storedBefore: UnixTime, limit: Int) -> [String: Int] {
        var pruned: [String: Int] = [:]
        var count = 0
        while count < limit, let key = storedOrder.min, key.stored <= storedBefore {
            _ = storedOrder.removeMin()
            guard let entry = entries.removeValue(forKey: key.jobID) else { continue }
            pruned[entry.batchID, default: 0] += 1
            count += 1
        }
        return pruned
    }

    public mutating func commit() throws {
        if let failure = failureOnNextCommit {
            failureOnNextCommit = nil
            throw failure
        }
    }

    public let description: String
}

extension JobCounts.Kind {
    /// Queued, in flight or retrying: a job that can still fail or finish.
    fileprivate var isUnfinished: Bool { self == .queued || self == .inFlight || self == .retrying }
}
