import Foundation
import GRDB
import MirsadCore
import MirsadWire

/// The dispatcher's job journal in one SQLite file (WAL mode), built by `JournalSchema`.
///
/// Group commit: the journal holds one write transaction open between commits. It begins (`BEGIN IMMEDIATE`) at the
/// first change after a commit, every later change and read runs inside it (reads see the uncommitted changes), and
/// `commit()` ends it. Closing the journal (or the process dying) with changes uncommitted loses exactly those
/// changes. `commit()` with nothing changed does not touch the database.
///
/// Errors: the first failure of any method is remembered; from then on methods answer as if nothing was there and
/// change nothing, and `commit()` rolls the transaction back and throws that failure as a `JobJournalError`.
///
/// Transitions (a change asked of a job in any other state, or of an unknown id, does nothing):
/// - `requeue`: in flight -> queued; `requeue(_:fromSilentWorker:)` also adds the worker to `silent_workers`, from
///   which `countLateCrash` takes it.
/// - `scheduleRetry`, `deadLetter`: queued, in flight or retrying -> retrying / dead (a crash report may arrive for
///   a job the dispatcher had already taken back).
/// - `markAwaitingStore`: queued, in flight or retrying -> awaiting store (the deadline in `not_before_ms`).
/// - `requeueOverdueAwaitingStore`: awaiting store, past its deadline -> queued.
/// - `markStored`: any state but stored -> stored.
/// - `retryDeadLetters`: dead -> queued, failures reset to 0.
///
/// One journal per file: while it is open, another `SQLiteJobJournal` on the same path (in this or any process) is
/// refused (`JournalOwnerLock`). Owned by one thread at a time; it is `Sendable` only so that it can be handed to
/// the thread that runs the dispatcher.
public final class SQLiteJobJournal: JobJournal, @unchecked Sendable {
    /// How to open a journal.
    public struct Options: Sendable {
        /// SQLite's `synchronous` setting for the journal's connection.
        public enum Synchronous: String, Sendable {
            /// Each commit is on disk when `commit()` returns, whatever crashes.
            case full = "FULL"
            /// Commits survive the process being killed; the last ones may be lost if the machine loses power.
            case normal = "NORMAL"
        }

        public var synchronous: Synchronous
        /// The most the database file may grow to; past it changes fail and `commit()` throws
        /// `JobJournalError.diskFull`, as on a full disk. Nil for no limit but the disk's.
        public var maximumSizeBytes: Int?
        /// The wall clock whose time `insert` records as a job's submission time (stored in whole milliseconds).
        public var clock: @Sendable () -> UnixTime
        /// How long opening waits for another owner of the file to close it before refusing.
        public var ownerWait: Duration
        /// The write-ahead log is truncated to this size whenever it is reset (SQLite's `journal_size_limit`);
        /// `reclaimSpace()` empties it.
        public var walSizeLimitBytes: Int = 8 << 20

        public init(
            synchronous: Synchronous = .full, maximumSizeBytes: Int? = nil,
            clock: @escaping @Sendable () -> UnixTime = { UnixTime.now() }, ownerWait: Duration = .seconds(2)
        ) {
            self.synchronous = synchronous
            self.maximumSizeBytes = maximumSizeBytes
            self.clock = clock
            self.ownerWait = ownerWait
        }
    }

    /// The database file's path, as given.
    public let path: String
    private let options: Options
    private let queue: DatabaseQueue
    /// Nil for an in-memory database (":memory:" or an empty path), which no one else can open.
    private let ownerLock: JournalOwnerLock?
    private let recovery: JournalRecovery
    /// The first failure since the last commit; while set, methods change nothing.
    private var failure: JobJournalError?
    /// A row was changed since the last commit: a transaction is open for `commit()` to end.
    private var changed = false
    public let identity: String

    /// Opens the journal at `path`, creating the file and its table if needed, and puts every job left in flight by
    /// a previous process back in the queue (committed before this returns).
    ///
    /// - Throws: `JobJournalError.cannotOpen`, `.notAJournal` or (no room to create or recover it) `.diskFull`, naming
    ///   the path and the reason.
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Reading the journal mode is the first access to the file: a file that is not SQLite fails here.
            // Before the first table exists, so that a new file is made with incremental vacuum (an older file is
            // converted once after its migrations).
            try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA journal_size_limit = \(options.walSizeLimitBytes)")
            try db.execute(sql: "PRAGMA synchronous = \(options.synchronous.rawValue)")
            // Between two commits a busy dispatcher changes thousands of rows; the default 2 MB page cache would
            // spill them to the log mid-transaction. 8 MB holds them and keeps the dispatcher's memory flat.
            try db.execute(sql: "PRAGMA cache_size = -8192")
            // A statement that changes many rows inside the open transaction keeps the pages it changes for its own
            // rollback (a statement journal); in memory, not in a temporary file opened, written and deleted each time.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            if let limit = options.maximumSizeBytes {
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                try db.execute(sql: "PRAGMA max_page_count = \(max(1, limit / pageSize))")
            }
        }
        ownerLock = path.isEmpty || path == ":memory:" ? nil : try Self.lock(path, wait: options.ownerWait)
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw Self.openError(path: path, error: error)
        }
        do {
            try queue.inDatabase { db in try Self.checkIsJournal(db, path: path) }
            try JournalSchema.migrator.migrate(queue)
            try queue.inDatabase { db in
                // A file made before incremental vacuum: converted once (needs as much free disk as the file).
                if try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") != 2 {
                    try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                    try? db.execute(sql: "VACUUM")
                }
            }
            identity = try queue.inDatabase { db in
                try String.fetchOne(db, sql: "SELECT CAST(value AS TEXT) FROM journal_meta WHERE key = 'journal_id'")
            } ?? ""
            recovery = try queue.inDatabase { db in try Self.recover(db) }
        } catch let error as JobJournalError {
            throw error
        } catch {
            throw Self.openError(path: path, error: error)
        }
    }

    // MARK: - JobJournal

    public func recovered() -> JournalRecovery { recovery }

    public func insert(_ job: EncodedJob) -> Bool {
        insert(contentsOf: [job])[0]
    }

    /// Adds a decoded job (encoded here, once): for tests and benchmarks that build jobs in memory.
    public func insert(_ job: Mirsad_V1_Job) -> Bool {
        guard let encoded = try? EncodedJob(job) else { return false }
        return insert(encoded)
    }

    public func insert(contentsOf jobs: [EncodedJob]) -> [Bool] {
        guard jobs.count <= ProtocolLimits.maxJobsPerMessage else {
            // Statements stay within SQLite's limit on bound values.
            return stride(from: 0, to: jobs.count, by: ProtocolLimits.maxJobsPerMessage).flatMap { start in
                insert(contentsOf: Array(jobs[start..<min(start + ProtocolLimits.maxJobsPerMessage, jobs.count)]))
            }
        }
        guard !jobs.isEmpty else { return [] }
        let refused = Array(repeating: false, count: jobs.count)
        guard failure == nil else { return refused }
        return change("inserting \(jobs.count) jobs", fallback: refused) { db in
            // One statement for the jobs and one for their bodies, each of many rows: a SUBMIT's jobs cost two
            // statements, not two each. A job id repeated among `jobs` is a duplicate after its first.
            var firstOfItsID: [Int] = []
            var seen = Set<String>()
            for (index, job) in jobs.enumerated() where seen.insert(job.jobID).inserted { firstOfItsID.append(index) }
            let submitted = Self.storedMillis(options.clock())
            // Database values, not existentials: GRDB binds them as they are.
            var arguments: [DatabaseValue] = []
            arguments.reserveCapacity(firstOfItsID.count * 4)
            for index in firstOfItsID {
                let job = jobs[index]
                arguments.append(job.jobID.databaseValue)
                arguments.append(job.batchID.databaseValue)
                arguments.append(job.articleID.databaseValue)
                arguments.append(submitted.databaseValue)
            }
            var seqs: [String: Int64] = [:]
            let inserted = try Row.fetchCursor(
                db.cachedStatement(sql: Self.insertJobsSQL(count: firstOfItsID.count)),
                arguments: StatementArguments(arguments))
            while let row = try inserted.next() { seqs[row[1]] = row[0] }
            var bodies: [DatabaseValue] = []
            bodies.reserveCapacity(firstOfItsID.count * 2)
            var inserts = refused
            for index in firstOfItsID {
                guard let seq = seqs[jobs[index].jobID] else { continue }
                bodies.append(seq.databaseValue)
                bodies.append(jobs[index].bytes.databaseValue)
                inserts[index] = true
            }
            if !bodies.isEmpty {
                try db.cachedStatement(sql: Self.insertBodiesSQL(count: bodies.count / 2))
                    .execute(arguments: StatementArguments(bodies))
            }
            return inserts
        }
    }

    public func takeQueued(limit: Int) -> [JournalJob] {
        guard limit > 0 else { return [] }
        let rows = change("taking \(limit) queued jobs", fallback: [Row]()) { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: Self.takeQueuedSQL), arguments: [limit])
            // The rows are the first queued ones in queue order, so they are exactly the queued rows up to the
            // last one's place: one statement takes them all.
            if let last = rows.last {
                try db.cachedStatement(sql: Self.markTakenSQL).execute(arguments: [last[0] as Int64])
            }
            return rows
        }
        return journalJobs(rows)
    }

    /// Rows of `takeQueuedSQL`'s columns as jobs; none (a failure remembered) when one is damaged.
    private func journalJobs(_ rows: [Row]) -> [JournalJob] {
        var jobs: [JournalJob] = []
        jobs.reserveCapacity(rows.count)
        // Columns by position (takeQueuedSQL): looking them up by name costs more than the rest of the row.
        for row in rows {
            let jobID: String = row[1]
            guard let body = row[2] as Data? else {
                remember(.corruptRow(path: path, jobID: jobID, reason: "a queued job has no stored article"))
                return []
            }
            do {
                let job = try EncodedJob(bytes: body)
                jobs.append(JournalJob(
                    job: job, failures: row[3], dispatches: (row[4] as Int) + 1,
                    submitted: Self.time(storedMillis: row[5])))
            } catch {
                remember(.corruptRow(path: path, jobID: jobID, reason: "the stored job does not decode: \(error)"))
                return []
            }
        }
        return jobs
    }

    public func takeQueued(ofBatch batchID: String, limit: Int) -> [JournalJob] {
        guard limit > 0 else { return [] }
        let rows = change("taking \(limit) queued jobs of batch \(batchID)", fallback: [Row]()) { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: Self.takeQueuedOfBatchSQL), arguments: [batchID, limit])
            // As in `takeQueued(limit:)`: the batch's queued rows up to the last one's place.
            if let last = rows.last {
                try db.cachedStatement(sql: Self.markTakenOfBatchSQL).execute(arguments: [batchID, last[0] as Int64])
            }
            return rows
        }
        return journalJobs(rows)
    }

    public func setPriority(_ priority: Int, ofBatch batchID: String) {
        change("setting the priority of batch \(batchID)", fallback: ()) { db in
            if priority == 0 {
                try db.cachedStatement(sql: "DELETE FROM batch_priorities WHERE batch_id = ?").execute(arguments: [batchID])
            } else {
                try db.cachedStatement(sql: """
                    INSERT INTO batch_priorities (batch_id, priority) VALUES (?, ?)
                    ON CONFLICT (batch_id) DO UPDATE SET priority = excluded.priority
                    """).execute(arguments: [batchID, priority])
            }
        }
    }

    public func requeueOverdueAwaitingStore(now: UnixTime) -> [JournalJobRef] {
        change("queueing jobs overdue in awaiting store", fallback: []) { db in
            try Self.refs(db.cachedStatement(sql: Self.requeueOverdueAwaitingStoreSQL), arguments: [Self.storedMillis(now)])
        }
    }

    public func requeue(_ jobID: String) {
        change("requeueing job \(jobID)", fallback: ()) { db in
            try db.cachedStatement(sql: "UPDATE jobs SET state = 'queued' WHERE job_id = ? AND state = 'in_flight'")
                .execute(arguments: [jobID])
        }
    }

    public func requeue(_ jobID: String, fromSilentWorker workerID: String) {
        change("requeueing job \(jobID) from silent worker \(workerID)", fallback: ()) { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT seq, silent_workers FROM jobs WHERE job_id = ? AND state = 'in_flight'"),
                arguments: [jobID])
            else { return }
            var workers = Self.silentWorkers(row[1]).filter { $0 != workerID } + [workerID]
            workers.removeFirst(max(0, workers.count - maxSilentWorkersPerJob))
            try db.cachedStatement(sql: "UPDATE jobs SET state = 'queued', silent_workers = ? WHERE seq = ?")
                .execute(arguments: [Self.silentWorkersText(workers), row[0] as Int64])
        }
    }

    public func countLateCrash(_ jobID: String, workerID: String, error: String) -> LateCrash? {
        change("counting a late crash report for job \(jobID)", fallback: nil) { db -> LateCrash? in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT seq, silent_workers FROM jobs
                WHERE job_id = ? AND silent_workers IS NOT NULL AND state IN \(JournalRowState.unfinishedSQL)
                """), arguments: [jobID])
            else { return nil }
            let workers = Self.silentWorkers(row[1])
            guard workers.contains(workerID) else { return nil }
            let left = workers.filter { $0 != workerID }
            guard let counted = try Row.fetchOne(db.cachedStatement(sql: """
                UPDATE jobs SET failures = failures + 1, error = ?, worker_id = ?, silent_workers = ?
                WHERE seq = ? RETURNING batch_id, state, failures
                """), arguments: [error, workerID, left.isEmpty ? nil : Self.silentWorkersText(left), row[0] as Int64]),
                  let state = JournalRowState(rawValue: counted[1])
            else { return nil }
            return LateCrash(batchID: counted[0], state: state.kind, failures: counted[2])
        }
    }

    /// The `silent_workers` column's ids (a JSON array of strings; none when NULL or unreadable).
    private static func silentWorkers(_ text: String?) -> [String] {
        guard let text else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    private static func silentWorkersText(_ workers: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(workers)) ?? Data("[]".utf8), as: UTF8.self)
    }

    public func scheduleRetry(
        _ jobID: String, failures: Int, notBefore: UnixTime, error: String, workerID: String
    ) {
        change("scheduling a retry of job \(jobID)", fallback: ()) { db in
            try db.cachedStatement(sql: """
                UPDATE jobs SET state = 'retrying', failures = ?, not_before_ms = ?, error = ?, worker_id = ?
                WHERE job_id = ? AND state IN \(JournalRowState.unfinishedSQL)
                """).execute(arguments: [failures, Self.storedMillis(notBefore), error, workerID, jobID])
        }
    }

    public func promoteDueRetries(now: UnixTime) -> [JournalJobRef] {
        change("promoting due retries", fallback: []) { db in
            try Self.refs(db.cachedStatement(sql: Self.promoteDueRetriesSQL), arguments: [Self.storedMillis(now)])
        }
    }

    public func markAwaitingStore(_ jobID: String, storeDeadline: UnixTime?) {
        markAwaitingStore(contentsOf: [jobID], storeDeadline: storeDeadline)
    }

    /// Awaiting store with no deadline.
    public func markAwaitingStore(_ jobID: String) {
        markAwaitingStore(contentsOf: [jobID], storeDeadline: nil)
    }

    /// The body stays until the job is stored: a job overdue in awaiting store runs again from it. One statement per
    /// `maxIDsPerStatement` ids (`idListSQL`), not one per job.
    public func markAwaitingStore(contentsOf jobIDs: [String], storeDeadline: UnixTime?) {
        guard !jobIDs.isEmpty else { return }
        let deadline = storeDeadline.map(Self.storedMillis)
        change("marking \(jobIDs.count) jobs awaiting store", fallback: ()) { db in
            for start in stride(from: 0, to: jobIDs.count, by: Self.maxIDsPerStatement) {
                let chunk = jobIDs[start..<min(start + Self.maxIDsPerStatement, jobIDs.count)]
                let mark = try db.cachedStatement(sql: """
                    UPDATE jobs SET state = 'awaiting_store', not_before_ms = ?
                    WHERE job_id IN \(Self.idListSQL(count: chunk.count)) AND state IN \(JournalRowState.unfinishedSQL)
                    """)
                mark.setUncheckedArguments(StatementArguments(Self.idList(chunk, after: deadline?.databaseValue ?? .null)))
                try mark.execute()
            }
        }
    }

    public func markStored(_ jobID: String) -> StoredTransition? {
        markStored(contentsOf: [jobID])[0]
    }

    /// Three statements per `maxIDsPerStatement` ids, not three per job: the jobs' rows are read, then those not
    /// stored yet are marked stored and their bodies deleted. An id repeated among `jobIDs` finds its job stored by
    /// its first occurrence (nil after it), as one call per id would.
    public func markStored(contentsOf jobIDs: [String]) -> [StoredTransition?] {
        guard !jobIDs.isEmpty else { return [] }
        let found = change("marking \(jobIDs.count) jobs stored", fallback: [Row?](repeating: nil, count: jobIDs.count)) { db -> [Row?] in
            let storedAt = Self.storedMillis(options.clock())
            var found: [Row?] = []
            found.reserveCapacity(jobIDs.count)
            for start in stride(from: 0, to: jobIDs.count, by: Self.maxIDsPerStatement) {
                let chunk = jobIDs[start..<min(start + Self.maxIDsPerStatement, jobIDs.count)]
                let find = try db.cachedStatement(sql: """
                    SELECT seq, state, batch_id, submitted_ms, job_id FROM jobs WHERE job_id IN \(Self.idListSQL(count: chunk.count))
                    """)
                var rows: [String: Row] = [:]
                for row in try Row.fetchAll(find, arguments: StatementArguments(Self.idList(chunk))) {
                    rows[row[4]] = row
                }
                // Each job once, in the order of its first id; a job already stored changes nothing.
                var seqs: [Int64] = []
                seqs.reserveCapacity(rows.count)
                for jobID in chunk {
                    guard let row = rows.removeValue(forKey: jobID), row[1] as String != JournalRowState.stored.rawValue
                    else {
                        found.append(nil)
                        continue
                    }
                    found.append(row)
                    seqs.append(row[0])
                }
                guard !seqs.isEmpty else { continue }
                let placeholders = Self.idListSQL(count: seqs.count)
                try db.cachedStatement(sql: """
                    UPDATE jobs SET state = 'stored', not_before_ms = NULL, stored_ms = ? WHERE seq IN \(placeholders)
                    """).execute(arguments: StatementArguments(Self.idList(seqs, after: storedAt.databaseValue)))
                try db.cachedStatement(sql: "DELETE FROM job_bodies WHERE seq IN \(placeholders)")
                    .execute(arguments: StatementArguments(Self.idList(seqs)))
            }
            return found
        }
        return zip(jobIDs, found).map { jobID, row in
            guard let row else { return nil }
            let stateName: String = row[1]
            guard let state = JournalRowState(rawValue: stateName) else {
                remember(.corruptRow(path: path, jobID: jobID, reason: "unknown state \(stateName)"))
                return nil
            }
            return StoredTransition(
                batchID: row[2], previous: state.kind, submitted: Self.time(storedMillis: row[3]))
        }
    }

    public func state(of jobID: String) -> JobCounts.Kind? {
        guard failure == nil else { return nil }
        let name: String?
        do {
            name = try queue.inDatabase { db in
                try String.fetchOne(db.cachedStatement(sql: "SELECT state FROM jobs WHERE job_id = ?"), arguments: [jobID])
            }
        } catch {
            remember(Self.mapped(error, path: path, operation: "reading the state of job \(jobID)"))
            return nil
        }
        return name.flatMap(JournalRowState.init(rawValue:))?.kind
    }

    public func deadLetter(_ jobID: String, failures: Int, error: String, workerID: String, at time: UnixTime) {
        change("dead-lettering job \(jobID)", fallback: ()) { db in
            try db.cachedStatement(sql: """
                UPDATE jobs SET state = 'dead', failures = ?, error = ?, worker_id = ?, dead_ms = ?,
                    not_before_ms = NULL
                WHERE job_id = ? AND state IN \(JournalRowState.unfinishedSQL)
                """).execute(arguments: [failures, error, workerID, Self.storedMillis(time), jobID])
        }
    }

    public func deadLetters(batchID: String?, afterJobID: String?, limit: Int) -> [Mirsad_V1_DeadLetter] {
        guard limit > 0, failure == nil else { return [] }
        // One statement per combination of filters, each written so that SQLite uses a dead-letter index.
        var arguments: StatementArguments = []
        if let batchID { arguments += [batchID] }
        if let afterJobID { arguments += [afterJobID] }
        arguments += [limit]
        let sql = Self.deadLettersSQL(batch: batchID != nil, after: afterJobID != nil)
        let rows: [Row]
        do {
            rows = try queue.inDatabase { db in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments) }
        } catch {
            remember(Self.mapped(error, path: path, operation: "listing dead letters"))
            return []
        }
        return rows.map { row in
            var letter = Mirsad_V1_DeadLetter()
            letter.jobID = row["job_id"]
            letter.batchID = row["batch_id"]
            letter.error = row["error"] ?? ""
            letter.workerID = row["worker_id"] ?? ""
            letter.attempts = UInt32(clamping: row["failures"] as Int)
            letter.deadUnixMs = UInt64(clamping: (row["dead_ms"] as Int64?) ?? 0)
            letter.articleID = row["article_id"]
            return letter
        }
    }

    public func retryDeadLetters(jobIDs: [String]?, batchID: String?) -> [JournalJobRef] {
        let revive = """
            UPDATE jobs SET state = 'queued', failures = 0, not_before_ms = NULL, error = NULL, worker_id = NULL,
                dead_ms = NULL
            """
        return change("queueing dead letters again", fallback: []) { db in
            guard let jobIDs else {
                if let batchID {
                    return try Self.refs(
                        db.cachedStatement(sql: revive + " WHERE state = 'dead' AND batch_id = ? RETURNING job_id, batch_id"),
                        arguments: [batchID])
                }
                return try Self.refs(
                    db.cachedStatement(sql: revive + " WHERE state = 'dead' RETURNING job_id, batch_id"), arguments: [])
            }
            let one = try db.cachedStatement(sql: revive + """
                 WHERE job_id = ? AND state = 'dead' AND (?2 IS NULL OR batch_id = ?2) RETURNING job_id, batch_id
                """)
            var refs: [JournalJobRef] = []
            for jobID in jobIDs {
                refs += try Self.refs(one, arguments: [jobID, batchID])
            }
            return refs
        }
    }

    public func pruneStored(storedBefore: UnixTime, limit: Int) -> [String: Int] {
        guard limit > 0 else { return [:] }
        return change("forgetting stored jobs", fallback: [:]) { db in
            var pruned: [String: Int] = [:]
            let rows = try String.fetchCursor(
                db.cachedStatement(sql: Self.pruneStoredSQL), arguments: [Self.storedMillis(storedBefore), limit])
            while let batchID = try rows.next() { pruned[batchID, default: 0] += 1 }
            return pruned
        }
    }

    public func reclaimSpace() {
        guard !changed, failure == nil else { return }
        try? queue.inDatabase { db in
            guard !db.isInsideTransaction else { return }
            // Free pages go back to the file system a bounded number at a time, so the loop is never held long.
            try db.execute(sql: "PRAGMA incremental_vacuum(\(Self.pagesReclaimedAtOnce))")
            _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    public func hasRoom(bytes: Int) -> Bool {
        guard !changed, failure == nil else { return false }
        do {
            try queue.inDatabase { db in
                guard !db.isInsideTransaction else { return }
                try db.inTransaction(.immediate) {
                    try db.execute(
                        sql: "INSERT OR REPLACE INTO journal_meta (key, value) VALUES ('room_probe', zeroblob(?))",
                        arguments: [max(bytes, 1)])
                    return .commit
                }
                try db.execute(sql: "DELETE FROM journal_meta WHERE key = 'room_probe'")
            }
            return true
        } catch {
            rollBack()
            return false
        }
    }

    /// Pages `reclaimSpace()` gives back in one call at most (4 MB of 4 KB pages).
    static let pagesReclaimedAtOnce = 1024

    public func commit() throws {
        if let failure {
            self.failure = nil
            changed = false
            rollBack()
            throw failure
        }
        guard changed else { return }
        changed = false
        do {
            try queue.inDatabase { db in
                if db.isInsideTransaction { try db.commit() }
            }
        } catch {
            rollBack()
            throw Self.mapped(error, path: path, operation: "committing")
        }
    }

    public var description: String { "sqlite:\(path)" }

    // MARK: - Hot queries (each must use its partial index: see the query-plan test)

    static let takeQueuedSQL = """
        SELECT jobs.seq, job_id, job_bodies.body, failures, dispatches, submitted_ms
        FROM jobs LEFT JOIN job_bodies ON job_bodies.seq = jobs.seq
        WHERE state = 'queued' ORDER BY jobs.seq LIMIT ?
        """

    /// Marks in flight every queued job up to a place in the queue (the last one `takeQueuedSQL` returned).
    static let markTakenSQL = """
        UPDATE jobs SET state = 'in_flight', dispatches = dispatches + 1 WHERE state = 'queued' AND seq <= ?
        """

    /// `takeQueuedSQL` of one batch (arguments: batch id, limit), on `jobs_queued_batch`.
    static let takeQueuedOfBatchSQL = """
        SELECT jobs.seq, job_id, job_bodies.body, failures, dispatches, submitted_ms
        FROM jobs LEFT JOIN job_bodies ON job_bodies.seq = jobs.seq
        WHERE state = 'queued' AND batch_id = ? ORDER BY jobs.seq LIMIT ?
        """

    /// `markTakenSQL` of one batch (arguments: batch id, the last seq taken).
    static let markTakenOfBatchSQL = """
        UPDATE jobs SET state = 'in_flight', dispatches = dispatches + 1
        WHERE state = 'queued' AND batch_id = ? AND seq <= ?
        """

    static let requeueOverdueAwaitingStoreSQL = """
        UPDATE jobs SET state = 'queued', not_before_ms = NULL
        WHERE state = 'awaiting_store' AND not_before_ms <= ?
        RETURNING job_id, batch_id
        """

    /// Inserts `count` jobs (job id, batch id, article id, submission time each) that are not known yet, and
    /// returns each inserted one's `seq` and job id.
    static func insertJobsSQL(count: Int) -> String {
        "INSERT INTO jobs (job_id, batch_id, article_id, state, submitted_ms) VALUES "
            + Array(repeating: "(?, ?, ?, 'queued', ?)", count: count).joined(separator: ", ")
            + " ON CONFLICT (job_id) DO NOTHING RETURNING seq, job_id"
    }

    /// Inserts `count` bodies (seq and bytes each).
    static func insertBodiesSQL(count: Int) -> String {
        "INSERT INTO job_bodies (seq, body) VALUES " + Array(repeating: "(?, ?)", count: count).joined(separator: ", ")
    }

    /// Deletes the stored jobs stored at or before a time (argument 1), at most a number (argument 2), the longest
    /// stored first, and returns each one's batch. Stored jobs have no body left to delete.
    static let pruneStoredSQL = """
        DELETE FROM jobs WHERE seq IN (
            SELECT seq FROM jobs WHERE state = 'stored' AND stored_ms <= ? ORDER BY stored_ms LIMIT ?)
        RETURNING batch_id
        """

    static let promoteDueRetriesSQL = """
        UPDATE jobs SET state = 'queued', not_before_ms = NULL
        WHERE state = 'retrying' AND not_before_ms <= ?
        RETURNING job_id, batch_id
        """

    /// Dead letters in job-id order; arguments: the batch id when `batch`, the job id to start after when `after`,
    /// then the limit.
    static func deadLettersSQL(batch: Bool, after: Bool) -> String {
        var conditions = ["state = 'dead'"]
        if batch { conditions.append("batch_id = ?") }
        if after { conditions.append("job_id > ?") }
        return """
            SELECT job_id, batch_id, error, worker_id, failures, dead_ms, article_id FROM jobs
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY job_id LIMIT ?
            """
    }

    // MARK: - Helpers

    /// The most ids (or seqs) one statement lists (`idListSQL`).
    static let maxIDsPerStatement = 512

    /// `(?, ?, ...)` for `count` values, rounded up to a power of two (at least 8) so that a few cached statements
    /// serve every count; `idList` pads the values to match with NULL, which no `IN` matches.
    static func idListSQL(count: Int) -> String {
        "(" + databaseQuestionMarks(count: idListSlots(count)) + ")"
    }

    /// `values` padded with NULL to the slots of `idListSQL(count: values.count)`, after `first` when given (the value
    /// of a placeholder before the list).
    static func idList<Values: Collection>(_ values: Values, after first: DatabaseValue? = nil) -> [DatabaseValue]
    where Values.Element: DatabaseValueConvertible {
        var list: [DatabaseValue] = []
        list.reserveCapacity(idListSlots(values.count) + 1)
        if let first { list.append(first) }
        for value in values { list.append(value.databaseValue) }
        list += repeatElement(.null, count: idListSlots(values.count) - values.count)
        return list
    }

    private static func idListSlots(_ count: Int) -> Int {
        var slots = 8
        while slots < count { slots *= 2 }
        return slots
    }

    /// A time as the journal stores it: whole Unix milliseconds (0 before 1970), the on-disk format of every time
    /// column.
    static func storedMillis(_ time: UnixTime) -> Int64 {
        Int64(clamping: time.milliseconds)
    }

    /// A stored time column read back; negative values (never written) read as 1970.
    static func time(storedMillis: Int64) -> UnixTime {
        UnixTime(milliseconds: UInt64(clamping: storedMillis))
    }

    /// Runs `body` inside the open write transaction (beginning one if none is open, and ending it again when `body`
    /// changed no row). Returns `fallback`, changing nothing, when an earlier failure is pending or `body` fails
    /// (that failure is then remembered).
    @discardableResult
    private func change<T>(_ operation: @autoclosure () -> String, fallback: T, _ body: (Database) throws -> T) -> T {
        guard failure == nil else { return fallback }
        do {
            return try queue.inDatabase { db in
                let began = !db.isInsideTransaction
                if began { try db.beginTransaction(.immediate) }
                let changesBefore = db.totalChangesCount
                let result = try body(db)
                if db.totalChangesCount != changesBefore {
                    changed = true
                } else if began {
                    // Nothing changed (an empty queue, no retry due, an unknown id): end the transaction at once so
                    // that the next commit stays free.
                    try db.rollback()
                }
                return result
            }
        } catch {
            remember(Self.mapped(error, path: path, operation: operation()))
            return fallback
        }
    }

    private func remember(_ error: JobJournalError) {
        if failure == nil { failure = error }
    }

    private func rollBack() {
        try? queue.inDatabase { db in
            if db.isInsideTransaction { try db.rollback() }
        }
    }

    private static func refs(_ statement: Statement, arguments: StatementArguments) throws -> [JournalJobRef] {
        try Row.fetchAll(statement, arguments: arguments).map { JournalJobRef(jobID: $0["job_id"], batchID: $0["batch_id"]) }
    }

    /// Counts the jobs per batch and state in one pass over `jobs` (small rows: the bodies are apart), then puts
    /// the jobs left in flight back in the queue, all in one committed transaction. No index serves the count: one
    /// over every job's state would be rewritten at each of its changes of state, the journal's hottest work, to
    /// save time only here.
    private static func recover(_ db: Database) throws -> JournalRecovery {
        var recovery = JournalRecovery()
        try db.inTransaction(.immediate) {
            var inFlight: [Int64] = []
            // Rows come in queue order, where a batch's jobs mostly follow each other: they are counted under the
            // batch at hand (`batchID`, `counts`) until another one comes.
            var batchID: String?
            var counts = JobCounts()
            var redispatches: Int64 = 0
            func flush() {
                guard let batchID else { return }
                recovery.batches[batchID] = (recovery.batches[batchID] ?? JobCounts()) + counts
            }
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, batch_id, state, dispatches FROM jobs")
            while let row = try rows.next() {
                let rowBatchID: String = row[1]
                if rowBatchID != batchID {
                    flush()
                    batchID = rowBatchID
                    counts = JobCounts()
                }
                let stateName: String = row[2]
                guard var state = JournalRowState(rawValue: stateName) else {
                    throw DatabaseError(message: "a job in batch \(rowBatchID) has the unknown state \(stateName)")
                }
                if state == .inFlight {
                    inFlight.append(row[0])
                    state = .queued
                }
                counts[state.kind] += 1
                redispatches += max((row[3] as Int64) - 1, 0)
            }
            flush()
            recovery.redispatches = UInt64(clamping: redispatches)
            let requeue = try db.makeStatement(sql: "UPDATE jobs SET state = 'queued' WHERE seq = ? AND state = 'in_flight'")
            for seq in inFlight {
                try requeue.execute(arguments: [seq])
            }
            let priorities = try Row.fetchCursor(db, sql: "SELECT batch_id, priority FROM batch_priorities")
            while let row = try priorities.next() {
                let batchID: String = row[0]
                // Only batches the journal holds jobs of.
                if recovery.batches[batchID] != nil { recovery.priorities[batchID] = row[1] }
            }
            return .commit
        }
        return recovery
    }

    /// Refuses a database that is not a journal before the migrator touches it: one with tables of its own and no
    /// record of the journal's first migration, or one migrated by a newer version.
    private static func checkIsJournal(_ db: Database, path: String) throws {
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name
            """)
        guard !tables.isEmpty else { return }
        let applied = tables.contains("grdb_migrations")
            ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
        guard applied.contains(JournalSchema.firstMigration), tables.contains("jobs") else {
            throw JobJournalError.notAJournal(
                path: path,
                reason: "it is an SQLite database with other tables (\(tables.joined(separator: ", "))); "
                    + "is it a report store?")
        }
        let known = Set(JournalSchema.migrator.migrations)
        if let unknown = applied.first(where: { !known.contains($0) }) {
            throw JobJournalError.notAJournal(
                path: path, reason: "it was written by a newer version (migration \"\(unknown)\")")
        }
    }

    private static func lock(_ path: String, wait: Duration) throws -> JournalOwnerLock {
        if let problem = fileSystemProblem(path: path) {
            throw JobJournalError.cannotOpen(path: path, reason: problem)
        }
        return try JournalOwnerLock(journalPath: path, wait: wait)
    }

    private static func mapped(_ error: Error, path: String, operation: String) -> JobJournalError {
        if let error = error as? JobJournalError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_FULL:
                return .diskFull(path: path, reason: error.message ?? "database or disk is full")
            case .SQLITE_NOTADB:
                return .notAJournal(path: path, reason: error.message ?? "\(error.resultCode)")
            case .SQLITE_CORRUPT:
                return .database(
                    path: path, operation: operation,
                    reason: "the file is damaged (\(error.message ?? "database disk image is malformed"))")
            default:
                return .database(path: path, operation: operation, reason: error.description)
            }
        }
        return .database(path: path, operation: operation, reason: "\(error)")
    }

    private static func openError(path: String, error: Error) -> JobJournalError {
        if let error = error as? JobJournalError { return error }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_NOTADB {
            return .notAJournal(path: path, reason: "the file is not an SQLite database")
        }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_FULL {
            // No room to create the file or to write its schema or recovery: the caller may wait for space.
            return .diskFull(path: path, reason: error.message ?? "database or disk is full")
        }
        if let problem = fileSystemProblem(path: path) {
            return .cannotOpen(path: path, reason: problem)
        }
        if let error = error as? DatabaseError {
            return .cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        }
        return .cannotOpen(path: path, reason: "\(error)")
    }

    /// What keeps a file from being created at `path`, as a sentence, or nil when nothing visible does.
    private static func fileSystemProblem(path: String) -> String? {
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            return "the directory \(directory) does not exist"
        }
        if !directory.isEmpty, !isDirectory.boolValue {
            return "\(directory) is not a directory"
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return "\(path) is a directory"
        }
        return nil
    }
}
