import ArticleAnalysis
import Foundation
import GRDB

// MARK: - Staging and indexing
//
// A staging store commits results to its inbox (`ResultInbox`) and indexes them later, in batches, here. Reads
// that must see every committed result take the inbox's snapshot first and the store's second: a row moved
// between the two is then in the store's snapshot and at or below its `indexed_seq`, so it is counted once, and
// a row deleted from the inbox before its snapshot was moved before it too.

extension SQLiteReportStore {
    /// Commits `results` to the inbox with their notices, and deletes the rows the store already holds.
    ///
    /// A job id is a duplicate when the inbox has it or the store does: the store is read after the inbox rows
    /// are written, so a result moved and deleted meanwhile is found there.
    func stage(
        _ results: [StoredResult], confirmingNotices confirming: [String], storedAt: Int64, in inbox: ResultInbox
    ) throws -> StoreOutcome {
        try perform("storing \(results.count) results") {
            try inbox.pool.write { db in
                var deleteNotice = DirectStatement(try db.cachedStatement(sql: Self.deleteNoticeSQL))
                for jobID in confirming {
                    deleteNotice.bind(jobID)
                    try deleteNotice.run()
                }
                try ResultInbox.deleteMoved(
                    through: indexedSequenceSeen.load(ordering: .relaxed), keepingFreePages: ResultInbox.freePagesKept, in: db)
                var insertNotice = DirectStatement(try db.cachedStatement(sql: Self.insertNoticeSQL))
                var insertResult = DirectStatement(try db.cachedStatement(sql: ResultInbox.insertSQL))
                var written: [Bool] = []
                written.reserveCapacity(results.count)
                for result in results {
                    insertNotice.bind(result.jobID)
                    insertNotice.bind(storedAt)
                    try insertNotice.run()
                    written.append(try ResultRow.insert(result, storedAt: storedAt, with: &insertResult))
                }
                let held = try jobsInStore(zip(results, written).compactMap { $1 ? $0.jobID : nil })
                if !held.isEmpty {
                    let delete = try db.cachedStatement(sql: "DELETE FROM inbox WHERE job_id = ?")
                    for jobID in held {
                        delete.setUncheckedArguments([jobID])
                        try delete.execute()
                    }
                }
                var outcome = StoreOutcome()
                for (result, wasWritten) in zip(results, written) {
                    if wasWritten && !held.contains(result.jobID) {
                        outcome.inserted.append(result.jobID)
                    } else {
                        outcome.duplicates.append(result.jobID)
                    }
                }
                return outcome
            }
        }
    }

    /// Deletes the inbox rows the store holds and gives up to `ResultInbox.freePagesKept` free pages back to the
    /// file system, in one inbox transaction: what the collector's next commit would do (`stage`), for a collector
    /// that has none to make. Without it the rows of the last results committed, indexed after their commit, stay
    /// in the inbox, as does the space a backlog took, until results come again.
    ///
    /// Reads the store's `indexed_seq` itself: the indexer may be another process (`mirsad run` indexes what is
    /// left before its summary). True when free pages are left for another call.
    ///
    /// Once nothing is left, the log is copied into the file (a passive checkpoint, which waits for no reader), so
    /// that the file itself shrinks. With nothing to delete or give back, the transaction writes no page.
    public func tidyWhileIdle() throws -> Bool {
        guard let inbox else { return false }
        let indexed = try perform("reading the inbox's progress") { try pool.read { try Self.indexedSequence($0) } }
        saw(indexedSequence: indexed)
        let left = try perform("tidying the inbox") {
            try inbox.pool.write { try ResultInbox.deleteMoved(through: indexed, keepingFreePages: 0, in: $0) }
        }
        if !left { try? inbox.copyLogIntoFile() }
        return left
    }

    /// Which of `jobIDs` the store's own tables hold, looked up one by one with one prepared statement (a query
    /// with a placeholder per id is prepared again for every count, at a cost that grows with it).
    private func jobsInStore(_ jobIDs: [String]) throws -> Set<String> {
        guard !jobIDs.isEmpty else { return [] }
        return try pool.read { db in
            var lookup = DirectStatement(try db.cachedStatement(sql: "SELECT 1 FROM results WHERE job_id = ?"))
            var held = Set<String>()
            for jobID in jobIDs {
                lookup.bind(jobID)
                if try lookup.hasRow() { held.insert(jobID) }
            }
            return held
        }
    }

    /// The last inbox row the store holds (0 when none).
    func indexedSequence() throws -> Int64 {
        try pool.read { db in try Self.indexedSequence(db) }
    }

    static func indexedSequence(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT indexed_seq FROM inbox_progress WHERE id = 1")) ?? 0
    }

    /// Raises `indexedSequenceSeen` to `sequence`.
    func saw(indexedSequence sequence: Int64) {
        var seen = indexedSequenceSeen.load(ordering: .relaxed)
        while sequence > seen {
            let (exchanged, original) = indexedSequenceSeen.compareExchange(
                expected: seen, desired: sequence, ordering: .relaxed)
            if exchanged { return }
            seen = original
        }
    }

    /// Moves up to `limit` results from the inbox into the store's tables (articles, aggregates, stories) in one
    /// transaction, the oldest first, and returns how many it moved: 0 when none wait (or the store does not
    /// stage). Safe beside other indexers: each takes the store's write lock before reading where the last one
    /// stopped. A row that no longer reads as a result is passed over, counted in `skipped`.
    public func indexPending(limit: Int = 1024) throws -> (moved: Int, skipped: Int) {
        do {
            return try indexPendingUnlessBusy(limit: limit)
        } catch is StoreBusy {
            throw heldByAnotherIndexer
        }
    }

    /// The store's write lock was held by another connection for longer than the busy timeout.
    struct StoreBusy: Error {}

    /// `StoreBusy` as told to a caller that does not wait for the other indexer.
    private var heldByAnotherIndexer: ReportStoreError {
        .database(
            path: path, operation: "indexing results from the inbox",
            reason: "another indexer held the store's write lock for over 10 s")
    }

    /// `indexPending`, throwing `StoreBusy` when another indexer holds the write lock too long.
    func indexPendingUnlessBusy(limit: Int) throws -> (moved: Int, skipped: Int) {
        guard let inbox, limit > 0 else { return (0, 0) }
        return try indexingTransaction(copyingLogOf: inbox) { db in
            let done = try Self.indexedSequence(db)
            saw(indexedSequence: done)
            let batch = try prepareBatch(after: done, limit: limit, from: inbox)
            try write(batch, in: db)
            return (batch.rows, batch.skipped)
        }
    }

    /// One indexing transaction: `StoreBusy` when another indexer holds the write lock too long, the inbox's log
    /// copied into its file when due, and after a full disk the store's log checkpointed often.
    private func indexingTransaction<T>(
        copyingLogOf inbox: ResultInbox, _ body: (Database) throws -> T
    ) throws -> T {
        do {
            let outcome = try perform("indexing results from the inbox") {
                do {
                    return try pool.write(body)
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                    throw StoreBusy()
                }
            }
            inbox.copyLogIfDue()
            return outcome
        } catch ReportStoreError.diskFull(let path, let reason) {
            checkpointOftenAfterDiskFull()
            throw ReportStoreError.diskFull(path: path, reason: reason)
        }
    }

    /// Inbox rows read after one indexed sequence, decoded, with their articles' facts: everything indexing does
    /// before it needs the store's write lock.
    struct PreparedBatch: Sendable {
        /// The store's `indexed_seq` the rows were read after: the batch may be written only while it still is.
        var after: Int64
        /// The last row's sequence; nil when no row waited.
        var last: Int64?
        var rows: Int
        /// Rows that no longer read as results, passed over.
        var skipped: Int
        var results: [IndexedResult]
    }

    /// Reads up to `limit` inbox rows after sequence `done` and works out each one's analysis and facts.
    func prepareBatch(after done: Int64, limit: Int, from inbox: ResultInbox) throws -> PreparedBatch {
        let rows = try inbox.pool.read { inboxDB in
            try Row.fetchAll(
                inboxDB, sql: ResultInbox.selectWithSequenceSQL + " WHERE seq > ? ORDER BY seq LIMIT ?",
                arguments: [done, limit])
        }
        let decoder = JSONDecoder()
        var skipped = 0
        // Each analysis decompressed and decoded once, for its row and its article both.
        let keepsArticles = options.keepsArticles
        let results = rows.compactMap { row -> IndexedResult? in
            guard let (result, analysis) = try? ResultRow.decode(row, decoder: decoder, decodingAnalysis: keepsArticles) else {
                skipped += 1
                return nil
            }
            let storedAt: Int64 = row["stored_at"]
            let facts = analysis.map { ArticleFacts(result, analysis: $0, storedAt: storedAt) }
            return IndexedResult(result: result, storedAt: storedAt, analysis: analysis, facts: facts)
        }
        return PreparedBatch(after: done, last: rows.last?["seq"], rows: rows.count, skipped: skipped, results: results)
    }

    /// Writes `batch` into the store's tables and records where indexing stopped, in the caller's transaction,
    /// whose `indexed_seq` must be `batch.after`.
    private func write(_ batch: PreparedBatch, in db: Database) throws {
        guard let last = batch.last else { return }
        _ = try index(batch.results, in: db)
        try db.execute(sql: """
            INSERT INTO inbox_progress (id, indexed_seq) VALUES (1, ?)
            ON CONFLICT (id) DO UPDATE SET indexed_seq = excluded.indexed_seq
            """, arguments: [last])
        // Seen once committed: a rollback must not let the inbox lose rows the store does not hold.
        db.afterNextTransaction { _ in self.saw(indexedSequence: last) }
    }

    /// Indexes until nothing waits, for an indexer that expects to be the only one (`mirsad run` once its collector
    /// has stopped): while one batch is written under the write lock, the next is read, decoded and its facts
    /// worked out on a second thread, about a quarter of the work taken off the writer. Another indexer is still
    /// safe beside it: a batch read ahead whose rows another indexer moved meanwhile is read again, never written
    /// twice. Returns how many results it moved; `afterBatch` is called after each batch written and may throw to
    /// stop (what is written stays indexed).
    @discardableResult
    public func indexAllReadingAhead(batch: Int = 1024, afterBatch: () throws -> Void = {}) throws -> Int {
        guard let inbox, batch > 0 else { return 0 }
        func readFromWhereIndexingStopped() throws -> PreparedBatch {
            try perform("reading results from the inbox") {
                try prepareBatch(after: indexedSequence(), limit: batch, from: inbox)
            }
        }
        var next = try readFromWhereIndexingStopped()
        var total = 0
        while let last = next.last {
            let current = next
            let ahead = ReadAhead { [self] in try prepareBatch(after: last, limit: batch, from: inbox) }
            let written: Bool
            do {
                // Written unless another indexer moved rows since the batch was read.
                written = try indexingTransaction(copyingLogOf: inbox) { db in
                    let done = try Self.indexedSequence(db)
                    saw(indexedSequence: done)
                    guard done == current.after else { return false }
                    try write(current, in: db)
                    return true
                }
            } catch is StoreBusy {
                throw heldByAnotherIndexer
            }
            let following = try perform("reading results from the inbox") { try ahead.result() }
            guard written else {
                next = try readFromWhereIndexingStopped()
                continue
            }
            total += current.rows
            next = following
            try afterBatch()
        }
        return total
    }

    /// Indexes until nothing waits; returns how many results it moved. Beside another process's indexer (a
    /// collector's, which runs at a low priority and may hold the write lock long on busy cores) it waits for that
    /// one's batches, up to `patience` busy timeouts of 10 s in a row.
    @discardableResult
    public func indexAll(batch: Int = 1024, patience: Int = 30) throws -> Int {
        var total = 0
        var busy = 0
        while true {
            do {
                let (moved, _) = try indexPendingUnlessBusy(limit: batch)
                busy = 0
                if moved == 0 { return total }
                total += moved
            } catch is StoreBusy {
                busy += 1
                if busy >= patience {
                    throw ReportStoreError.database(
                        path: path, operation: "indexing results from the inbox",
                        reason: "another indexer held the store's write lock for \(busy) waits of 10 s in a row")
                }
            }
        }
    }

    /// Results committed and not yet indexed: reports do not count them yet.
    public func notYetIndexed() throws -> Int {
        guard let inbox else { return 0 }
        return try perform("counting results waiting to be indexed") {
            try inbox.pool.read { inboxDB in
                let done = try indexedSequence()
                return try Int.fetchOne(
                    inboxDB, sql: "SELECT COUNT(*) FROM \(ResultInbox.countingSource) WHERE seq > ?", arguments: [done]) ?? 0
            }
        }
    }

    /// Rows by status of the inbox rows the store does not hold, matching `condition` (with `arguments`), then
    /// `storeCounts` over the store, both from snapshots in the order that counts every result once.
    func countsWithInbox(
        condition: String, arguments: [any DatabaseValueConvertible],
        storeCounts: (Database) throws -> StoreCounts
    ) throws -> StoreCounts {
        guard let inbox else { return try pool.read(storeCounts) }
        return try inbox.pool.read { inboxDB in
            let (counts, done) = try pool.read { db in (try storeCounts(db), try Self.indexedSequence(db)) }
            var total = counts
            let rows = try Row.fetchAll(
                inboxDB, sql: """
                    SELECT status, COUNT(*) FROM \(ResultInbox.countingSource) WHERE seq > ? AND \(condition) GROUP BY status
                    """,
                arguments: StatementArguments([done] + arguments))
            for row in rows {
                if (row[0] as String) == "analysed" { total.analysed += row[1] as Int } else { total.failed += row[1] as Int }
            }
            return total
        }
    }

    /// The result of `jobID` from the inbox, when it waits there.
    func stagedResult(jobID: String) throws -> StoredResult? {
        guard let inbox else { return nil }
        let row = try inbox.pool.read { db in
            try Row.fetchOne(db, sql: ResultInbox.selectAllSQL + " WHERE job_id = ?", arguments: [jobID])
        }
        guard let row else { return nil }
        do {
            return try ResultRow.decode(row, decoder: JSONDecoder())
        } catch let error as ResultRow.RowError {
            throw ReportStoreError.corruptRow(path: inbox.path, jobID: error.jobID, reason: error.reason)
        }
    }
}

/// Work started on a thread of its own, whose result is waited for once (`result()`).
///
/// Written by hand: the indexer's threads are plain threads, not tasks, and the work blocks on SQLite.
final class ReadAhead<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    /// Written once by the thread before it signals `done`, read after waiting on it.
    private var outcome: Result<Value, any Error>?

    init(_ work: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            outcome = Result { try work() }
            done.signal()
        }
        thread.name = "index-read-ahead"
        thread.start()
    }

    /// Waits for the work and returns what it returned, or throws what it threw. Called once.
    func result() throws -> Value {
        done.wait()
        return try outcome!.get()
    }
}
