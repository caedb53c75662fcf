import Foundation
import GRDB
import MirsadCore
import MirsadWire
import Testing
@testable import DispatcherJournal

/// The journal's transitions, on real SQLite files, each checked again after a commit and reopen.
@Suite struct SQLiteJobJournalTests {
    /// A journal under test and its file; only one journal is open on a file at a time.
    final class Session {
        let path: String
        private var current: SQLiteJobJournal?

        init(path: String) throws {
            self.path = path
            current = try SQLiteJobJournal(path: path, options: JournalFixtures.options())
        }

        var journal: SQLiteJobJournal { current! }

        /// Closes the journal (its uncommitted changes are lost) and opens the file again.
        func reopen() throws -> SQLiteJobJournal {
            current = nil
            current = try SQLiteJobJournal(path: path, options: JournalFixtures.options())
            return current!
        }
    }

    /// Opens a journal in a fresh directory, runs `body`, removes the directory.
    private func withJournal(_ body: (Session) throws -> Void) throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        try body(Session(path: path))
    }

    private func reopen(_ path: String) throws -> SQLiteJobJournal {
        try SQLiteJobJournal(path: path, options: JournalFixtures.options())
    }

    @Test func insertIsIdempotent() throws {
        try withJournal { s in
            #expect(s.journal.insert(JournalFixtures.job("j1")))
            #expect(!s.journal.insert(JournalFixtures.job("j1")), "a known id inserted twice")
            try s.journal.commit()
            let again = try s.reopen()
            #expect(!again.insert(JournalFixtures.job("j1", batch: "other")), "a committed id inserted again")
            #expect(again.recovered().batches == ["b1": counts(queued: 1)])
            let taken = again.takeQueued(limit: 10)
            #expect(try taken.map { try $0.job.decoded() } == [JournalFixtures.job("j1")], "the stored job is not the one first inserted")
        }
    }

    @Test func queueKeepsInsertOrderAndARequeuedJobKeepsItsPlace() throws {
        try withJournal { s in
            for id in ["c", "a", "b", "d"] { #expect(s.journal.insert(JournalFixtures.job(id))) }
            #expect(s.journal.takeQueued(limit: 2).map(\.job.jobID) == ["c", "a"])
            s.journal.requeue("c")
            s.journal.requeue("b")  // queued, not in flight: nothing changes
            #expect(s.journal.takeQueued(limit: 2).map(\.job.jobID) == ["c", "b"])
            try s.journal.commit()
            #expect(s.journal.takeQueued(limit: 10).map(\.job.jobID) == ["d"])
            #expect(s.journal.takeQueued(limit: 10).isEmpty)
            #expect(s.journal.takeQueued(limit: 0).isEmpty)
        }
    }

    @Test func takeQueuedMarksInFlightAndCountsDispatches() throws {
        try withJournal { s in
            _ = s.journal.insert(JournalFixtures.job("j1"))
            let first = s.journal.takeQueued(limit: 5)
            #expect(first == [JournalJob(
                job: try EncodedJob(JournalFixtures.job("j1")), failures: 0, dispatches: 1,
                submitted: JournalFixtures.submitted)])
            #expect(s.journal.takeQueued(limit: 5).isEmpty, "an in-flight job was handed out again")
            s.journal.requeue("j1")
            #expect(s.journal.takeQueued(limit: 5).map(\.dispatches) == [2])
            try s.journal.commit()

            let reopened = try s.reopen()
            #expect(reopened.recovered() == JournalRecovery(batches: ["b1": counts(queued: 1)], redispatches: 1))
            #expect(reopened.takeQueued(limit: 5).map(\.dispatches) == [3])
        }
    }

    @Test func uncommittedChangesAreLostAtReopenAndCommittedOnesKept() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        do {
            let journal = try reopen(path)
            _ = journal.insert(JournalFixtures.job("kept"))
            try journal.commit()
            _ = journal.insert(JournalFixtures.job("lost"))
            journal.markAwaitingStore("kept")
            // Closed here with the transaction open.
        }
        let journal = try reopen(path)
        #expect(journal.recovered().batches == ["b1": counts(queued: 1)])
        #expect(journal.takeQueued(limit: 5).map(\.job.jobID) == ["kept"])
        #expect(journal.insert(JournalFixtures.job("lost")), "an uncommitted insert survived the close")
    }

    @Test func commitWithNothingChangedIsFreeAndRepeatable() throws {
        try withJournal { s in
            try s.journal.commit()
            try s.journal.commit()
            // Calls that change no row leave no transaction behind either.
            #expect(s.journal.deadLetters(batchID: nil, afterJobID: nil, limit: 5).isEmpty)
            #expect(s.journal.takeQueued(limit: 5).isEmpty)
            #expect(s.journal.promoteDueRetries(now: UnixTime(milliseconds: .max)).isEmpty)
            s.journal.requeue("unknown")
            #expect(s.journal.markStored("unknown") == nil)
            // No write transaction is held: another connection can write at once.
            let other = try DatabaseQueue(path: s.path)
            try other.write { db in try db.execute(sql: "CREATE TABLE probe (x)") }
        }
    }

    @Test func reopenTurnsInFlightJobsBackIntoQueuedOnesInTheirPlace() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        do {
            let journal = try reopen(path)
            for id in ["a", "b", "c"] { _ = journal.insert(JournalFixtures.job(id, batch: id == "c" ? "b2" : "b1")) }
            #expect(journal.takeQueued(limit: 2).map(\.job.jobID) == ["a", "b"])
            try journal.commit()
        }
        let journal = try reopen(path)
        #expect(journal.recovered().batches == ["b1": counts(queued: 2), "b2": counts(queued: 1)])
        #expect(journal.takeQueued(limit: 5).map(\.job.jobID) == ["a", "b", "c"])
    }

    @Test func retriesWaitForTheirTimeAndAreQueuedAgainByPromotion() throws {
        try withJournal { s in
            for id in ["r1", "r2", "q"] { _ = s.journal.insert(JournalFixtures.job(id)) }
            _ = s.journal.takeQueued(limit: 2)
            s.journal.scheduleRetry("r1", failures: 1, notBefore: UnixTime(milliseconds: 2_000), error: "boom", workerID: "w1")
            s.journal.scheduleRetry("r2", failures: 2, notBefore: UnixTime(milliseconds: 1_000), error: "bang", workerID: "w2")
            s.journal.scheduleRetry("nobody", failures: 1, notBefore: UnixTime(milliseconds: 0), error: "x", workerID: "w")
            #expect(s.journal.promoteDueRetries(now: UnixTime(milliseconds: 999)).isEmpty)
            try s.journal.commit()
            #expect(try s.reopen().recovered().batches == ["b1": counts(queued: 1, retrying: 2)])

            #expect(s.journal.promoteDueRetries(now: UnixTime(milliseconds: 1_000)) == [JournalJobRef(jobID: "r2", batchID: "b1")])
            #expect(s.journal.promoteDueRetries(now: UnixTime(milliseconds: 1_500)).isEmpty)
            // Queue order is first-queued order: r2 was queued before q.
            let taken = s.journal.takeQueued(limit: 1)
            #expect(taken.map(\.job.jobID) == ["r2"])
            #expect(taken.map(\.failures) == [2])
            #expect(taken.map(\.dispatches) == [2])
            #expect(s.journal.promoteDueRetries(now: UnixTime(milliseconds: 5_000)) == [JournalJobRef(jobID: "r1", batchID: "b1")])
            try s.journal.commit()
        }
    }

    @Test func deadLettersAreListedInJobIDOrderByBatchAndPage() throws {
        try withJournal { s in
            let ids = [("d3", "b1"), ("d1", "b2"), ("d2", "b1"), ("alive", "b1"), ("d4", "b1")]
            for (id, batch) in ids { _ = s.journal.insert(JournalFixtures.job(id, batch: batch)) }
            _ = s.journal.takeQueued(limit: 10)
            for (n, (id, _)) in ids.enumerated() where id != "alive" {
                s.journal.deadLetter(id, failures: 5, error: "error \(id)", workerID: "w\(n)", at: UnixTime(milliseconds: UInt64(n)))
            }
            try s.journal.commit()
            let reopened = try s.reopen()
            #expect(reopened.recovered().batches == ["b1": counts(queued: 1, failed: 3), "b2": counts(failed: 1)])

            let all = reopened.deadLetters(batchID: nil, afterJobID: nil, limit: 10)
            #expect(all.map(\.jobID) == ["d1", "d2", "d3", "d4"])
            var expected = Mirsad_V1_DeadLetter()
            expected.jobID = "d3"
            expected.batchID = "b1"
            expected.error = "error d3"
            expected.workerID = "w0"
            expected.attempts = 5
            expected.deadUnixMs = 0
            expected.articleID = "article-d3"
            #expect(all.first { $0.jobID == "d3" } == expected)
            #expect(reopened.deadLetters(batchID: "b1", afterJobID: nil, limit: 10).map(\.jobID) == ["d2", "d3", "d4"])
            #expect(reopened.deadLetters(batchID: "b1", afterJobID: "d2", limit: 1).map(\.jobID) == ["d3"])
            #expect(reopened.deadLetters(batchID: nil, afterJobID: "d3", limit: 10).map(\.jobID) == ["d4"])
            #expect(reopened.deadLetters(batchID: "none", afterJobID: nil, limit: 10).isEmpty)
            #expect(reopened.deadLetters(batchID: nil, afterJobID: nil, limit: 0).isEmpty)
        }
    }

    @Test func deadLettersAreQueuedAgainByIDByBatchOrAllWithNoFailuresCounted() throws {
        try withJournal { s in
            let ids = [("x1", "b1"), ("x2", "b1"), ("y1", "b2"), ("y2", "b2"), ("z1", "b3"), ("live", "b1")]
            for (id, batch) in ids { _ = s.journal.insert(JournalFixtures.job(id, batch: batch)) }
            _ = s.journal.takeQueued(limit: 10)
            for (id, _) in ids where id != "live" {
                s.journal.deadLetter(id, failures: 3, error: "e", workerID: "w", at: UnixTime(milliseconds: 7))
            }
            s.journal.requeue("live")

            let byID = s.journal.retryDeadLetters(jobIDs: ["x2", "live", "unknown", "x2"], batchID: nil)
            #expect(byID == [JournalJobRef(jobID: "x2", batchID: "b1")], "only dead jobs are queued again, once")
            let byBatch = s.journal.retryDeadLetters(jobIDs: nil, batchID: "b2")
            #expect(Set(byBatch) == [JournalJobRef(jobID: "y1", batchID: "b2"), JournalJobRef(jobID: "y2", batchID: "b2")])
            #expect(s.journal.retryDeadLetters(jobIDs: ["x1"], batchID: "b3").isEmpty, "a job of another batch was queued")
            let rest = s.journal.retryDeadLetters(jobIDs: nil, batchID: nil)
            #expect(Set(rest.map(\.jobID)) == ["x1", "z1"])
            #expect(s.journal.deadLetters(batchID: nil, afterJobID: nil, limit: 10).isEmpty)
            try s.journal.commit()

            let taken = s.journal.takeQueued(limit: 10)
            #expect(taken.map(\.job.jobID) == ["x1", "x2", "y1", "y2", "z1", "live"], "not in first-queued order")
            #expect(taken.allSatisfy { $0.failures == 0 })
            #expect(try taken.first?.job.decoded() == JournalFixtures.job("x1"), "a dead job lost its article")
        }
    }

    @Test func markStoredNamesThePreviousStateFromEveryState() throws {
        try withJournal { s in
            for id in ["q", "f", "r", "a", "d", "s"] { _ = s.journal.insert(JournalFixtures.job(id)) }
            #expect(s.journal.takeQueued(limit: 5).map(\.job.jobID) == ["q", "f", "r", "a", "d"])
            s.journal.requeue("q")
            s.journal.scheduleRetry("r", failures: 1, notBefore: UnixTime(milliseconds: 10), error: "e", workerID: "w")
            s.journal.markAwaitingStore("a")
            s.journal.deadLetter("d", failures: 5, error: "e", workerID: "w", at: UnixTime(milliseconds: 1))
            #expect(s.journal.markStored("s")?.previous == .queued)
            try s.journal.commit()

            let expected: [(String, JobCounts.Kind)] = [
                ("q", .queued), ("f", .inFlight), ("r", .retrying), ("a", .awaitingStore), ("d", .failed),
            ]
            for (id, kind) in expected {
                #expect(
                    s.journal.markStored(id)
                        == StoredTransition(batchID: "b1", previous: kind, submitted: JournalFixtures.submitted),
                    "job \(id)")
            }
            #expect(s.journal.markStored("s") == nil, "a stored job was stored again")
            #expect(s.journal.markStored("unknown") == nil)
            s.journal.markAwaitingStore("s")
            s.journal.requeue("s")
            s.journal.deadLetter("s", failures: 1, error: "late", workerID: "w", at: UnixTime(milliseconds: 2))
            try s.journal.commit()
            #expect(try s.reopen().recovered().batches == ["b1": counts(stored: 6)])
            #expect(try articlesKept(s.path) == 0, "a finished job kept its article")
        }
    }

    @Test func awaitingStoreAndDeadKeepTheArticle() throws {
        try withJournal { s in
            for id in ["a", "d", "q"] { _ = s.journal.insert(JournalFixtures.job(id)) }
            _ = s.journal.takeQueued(limit: 2)
            s.journal.markAwaitingStore("a")
            s.journal.deadLetter("d", failures: 1, error: "e", workerID: "w", at: UnixTime(milliseconds: 1))
            try s.journal.commit()
            #expect(try articlesKept(s.path) == 3)
            #expect(try s.reopen().recovered().batches == ["b1": counts(queued: 1, awaitingStore: 1, failed: 1)])
        }
    }

    /// The count at open reads the table in queue order, where batches alternate here: each batch's jobs are counted
    /// whole, and no index over every job's state is kept (each change of state would rewrite it).
    @Test func recoveredCountsBatchesWhoseJobsAlternateInTheQueue() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        do {
            let journal = try reopen(path)
            for n in 0..<12 { _ = journal.insert(JournalFixtures.job("j\(n)", batch: n % 3 == 0 ? "A" : "B")) }
            _ = journal.takeQueued(limit: 7)  // j0 ... j6 in flight
            journal.requeue("j0")
            _ = journal.takeQueued(limit: 1)  // j0 dispatched twice
            journal.markAwaitingStore("j1")
            _ = journal.markStored("j2")
            _ = journal.markStored("j3")
            try journal.commit()
        }
        let recovered = try reopen(path).recovered()
        // A: j0 (in flight: queued again), j3 stored, j6 (in flight), j9. B: j1 awaiting store, j2 stored, j4 and j5
        // (in flight), j7, j8, j10, j11.
        #expect(recovered.batches == [
            "A": counts(queued: 3, stored: 1),
            "B": counts(queued: 6, awaitingStore: 1, stored: 1),
        ])
        #expect(recovered.redispatches == 1)
        let indexes = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs'")
        }
        #expect(!indexes.contains("jobs_batch_state"))
    }

    @Test func recoveredCountsEveryStatePerBatchAndRedispatches() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        do {
            let journal = try reopen(path)
            for n in 0..<6 { _ = journal.insert(JournalFixtures.job("a\(n)", batch: "A")) }
            for n in 0..<3 { _ = journal.insert(JournalFixtures.job("b\(n)", batch: "B")) }
            _ = journal.takeQueued(limit: 9)
            journal.requeue("a0")
            journal.requeue("a1")
            _ = journal.takeQueued(limit: 1)  // a0 dispatched twice, stays in flight
            journal.scheduleRetry("a2", failures: 1, notBefore: UnixTime(milliseconds: 1), error: "e", workerID: "w")
            journal.markAwaitingStore("a3")
            _ = journal.markStored("a4")
            journal.deadLetter("b0", failures: 5, error: "e", workerID: "w", at: UnixTime(milliseconds: 1))
            _ = journal.markStored("b1")
            try journal.commit()
        }
        let recovery = try reopen(path).recovered()
        #expect(recovery.batches == [
            // a1 was queued; a0 and a5 were in flight.
            "A": counts(queued: 3, retrying: 1, awaitingStore: 1, stored: 1),
            "B": counts(queued: 1, stored: 1, failed: 1),
        ])
        #expect(recovery.redispatches == 1)
        #expect(recovery.batches.values.allSatisfy { $0.inFlight == 0 })
    }

    @Test func hotQueriesUseTheirPartialIndexes() throws {
        try withJournal { s in
            _ = s.journal.insert(JournalFixtures.job("j"))
            try s.journal.commit()
            let db = try DatabaseQueue(path: s.path)
            let plans: [(String, String)] = [
                (SQLiteJobJournal.takeQueuedSQL, "jobs_queued"),
                (SQLiteJobJournal.markTakenSQL, "jobs_queued"),
                (SQLiteJobJournal.promoteDueRetriesSQL, "jobs_retrying"),
                (SQLiteJobJournal.takeQueuedOfBatchSQL, "jobs_queued_batch"),
                (SQLiteJobJournal.markTakenOfBatchSQL, "jobs_queued_batch"),
                (SQLiteJobJournal.requeueOverdueAwaitingStoreSQL, "jobs_awaiting_store"),
                (SQLiteJobJournal.deadLettersSQL(batch: false, after: false), "jobs_dead"),
                (SQLiteJobJournal.deadLettersSQL(batch: false, after: true), "jobs_dead"),
                (SQLiteJobJournal.deadLettersSQL(batch: true, after: false), "jobs_dead_batch"),
                (SQLiteJobJournal.deadLettersSQL(batch: true, after: true), "jobs_dead_batch"),
            ]
            for (sql, index) in plans {
                let plan = try db.read { db in
                    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(
                        Array(repeating: "x", count: sql.filter { $0 == "?" }.count)))
                        .map { $0["detail"] as String }.joined(separator: "; ")
                }
                let words = plan.split { !($0.isLetter || $0 == "_") }
                #expect(words.contains(Substring(index)), "\(sql) does not use \(index): \(plan)")
            }
        }
    }

    @Test func theFileIsInWALModeSoThatReadersNeverBlockTheDispatcher() throws {
        try withJournal { s in
            _ = s.journal.insert(JournalFixtures.job("j"))
            // A reader is not blocked by the open write transaction, and sees only committed jobs.
            let reader = try DatabaseQueue(path: s.path)
            #expect(try reader.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
            #expect(try reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs") } == 0)
            try s.journal.commit()
            #expect(try reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs") } == 1)
        }
    }

    @Test func aVersion4JournalIsMigratedWithItsJobsAndRemembersSilentWorkersFromThen() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        do {
            let journal = try SQLiteJobJournal(path: path, options: JournalFixtures.options())
            #expect(journal.insert(JournalFixtures.job("j1")))
            #expect(journal.insert(JournalFixtures.job("j2")))
            #expect(journal.takeQueued(limit: 1).map(\.job.jobID) == ["j1"])
            try journal.commit()
        }
        // The file as version 4 wrote it: without the column and the migration's record.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "ALTER TABLE jobs DROP COLUMN silent_workers")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v5: late crash reports'")
        }
        try queue.close()

        let migrated = try SQLiteJobJournal(path: path, options: JournalFixtures.options())
        #expect(migrated.recovered().batches == ["b1": counts(queued: 2)])
        let taken = migrated.takeQueued(limit: 2)
        #expect(taken.map(\.job.jobID) == ["j1", "j2"])
        migrated.requeue("j1", fromSilentWorker: "w1")
        #expect(migrated.countLateCrash("j1", workerID: "w1", error: "SIGSEGV") == LateCrash(batchID: "b1", state: .queued, failures: 1))
        try migrated.commit()
    }

    @Test func descriptionNamesTheFile() throws {
        try withJournal { s in
            #expect(s.journal.description == "sqlite:\(s.path)")
        }
    }

    // MARK: - Helpers

    private func counts(
        queued: Int = 0, retrying: Int = 0, awaitingStore: Int = 0, stored: Int = 0, failed: Int = 0
    ) -> JobCounts {
        var counts = JobCounts()
        counts.queued = queued
        counts.retrying = retrying
        counts.awaitingStore = awaitingStore
        counts.stored = stored
        counts.failed = failed
        return counts
    }

    /// Jobs whose bytes are still kept.
    private func articlesKept(_ path: String) throws -> Int {
        try DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM job_bodies") ?? -1
        }
    }
}
