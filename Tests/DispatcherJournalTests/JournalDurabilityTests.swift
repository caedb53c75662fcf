import Foundation
import GRDB
import MirsadCore
import Testing
@testable import DispatcherJournal

/// What survives a kill, a full disk and bad files: always the last committed state, with errors naming the file.
@Suite struct JournalDurabilityTests {
    /// A child process commits some changes, makes more, and is killed with SIGKILL before committing them.
    @Test func killedProcessKeepsExactlyTheCommittedChanges() async throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        await #expect(processExitsWith: .signal(SIGKILL)) { [path = path as String] in
            let journal = try SQLiteJobJournal(path: path, options: JournalFixtures.options())
            for id in ["a", "b", "c"] { _ = journal.insert(JournalFixtures.job(id)) }
            _ = journal.takeQueued(limit: 1)
            try journal.commit()
            _ = journal.insert(JournalFixtures.job("uncommitted"))
            _ = journal.markStored("b")
            _ = journal.takeQueued(limit: 5)
            kill(getpid(), SIGKILL)
        }
        let journal = try SQLiteJobJournal(path: path, options: JournalFixtures.options())
        var queued = JobCounts()
        queued.queued = 3
        #expect(journal.recovered() == JournalRecovery(batches: ["b1": queued], redispatches: 0))
        let taken = journal.takeQueued(limit: 10)
        #expect(taken.map(\.job.jobID) == ["a", "b", "c"])
        #expect(taken.map(\.dispatches) == [2, 1, 1], "the committed dispatch of a was lost")
        #expect(journal.insert(JournalFixtures.job("uncommitted")))
        try journal.commit()
    }

    @Test func fullDiskMakesCommitThrowAndTheLastCommittedStateReopens() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        var committed = 0
        var failure: Error?
        do {
            let journal = try SQLiteJobJournal(path: path, options: JournalFixtures.options(maximumSizeBytes: 256 * 1024))
            for chunk in 0..<200 where failure == nil {
                for n in 0..<4 { _ = journal.insert(JournalFixtures.job("j\(chunk)-\(n)", textBytes: 4000)) }
                do {
                    try journal.commit()
                    committed += 4
                } catch {
                    failure = error
                }
            }
            // The failed chunk was rolled back and no write lock is left held: another connection sees the
            // committed jobs only.
            let rows = try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs") }
            #expect(rows == committed)
            withExtendedLifetime(journal) {}
        }
        guard case .diskFull(let failedPath, _)? = failure as? JobJournalError else {
            Issue.record("expected a disk-full error, got \(String(describing: failure))")
            return
        }
        #expect(failedPath == path)
        #expect("\(failure!)".contains(path) && "\(failure!)".contains("full"))
        #expect(committed > 0)

        let reopened = try SQLiteJobJournal(path: path, options: JournalFixtures.options())
        #expect(reopened.recovered().batches["b1"]?.queued == committed)
        #expect(reopened.recovered().redispatches == 0, "an uncommitted change after the failure was kept")
        #expect(reopened.insert(JournalFixtures.job("after")))
        try reopened.commit()
    }

    /// After a failure, methods change nothing until `commit()` throws it; then the journal works again.
    @Test func aFailureIsRememberedUntilCommitThrowsIt() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        let journal = try SQLiteJobJournal(path: path, options: JournalFixtures.options())
        for id in ["bad", "good"] { _ = journal.insert(JournalFixtures.job(id)) }
        try journal.commit()
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE job_bodies SET body = x'ffffffff' WHERE seq = (SELECT seq FROM jobs WHERE job_id = 'bad')")
        }

        #expect(journal.takeQueued(limit: 10).isEmpty)
        #expect(!journal.insert(JournalFixtures.job("while-failed")), "a change was accepted after a failure")
        #expect(journal.deadLetters(batchID: nil, afterJobID: nil, limit: 10).isEmpty)
        #expect(throws: JobJournalError.self) { try journal.commit() }
        do {
            try journal.commit()
        } catch {
            Issue.record("the failure was thrown twice: \(error)")
        }
        #expect(journal.insert(JournalFixtures.job("while-failed")), "the change after the failure was kept")
        let error = #expect(throws: JobJournalError.self) {
            _ = journal.takeQueued(limit: 10)
            try journal.commit()
        }
        guard case .corruptRow(let errorPath, let jobID, _)? = error else {
            Issue.record("expected a corrupt-row error, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(jobID == "bad")
    }

    @Test func aFileThatIsNotSQLiteIsRefusedUntouched() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        let garbage = Data(String(repeating: "not a journal at all\n", count: 300).utf8)
        try garbage.write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: JobJournalError.self) { try SQLiteJobJournal(path: path) }
        guard case .notAJournal(let errorPath, _)? = error else {
            Issue.record("expected notAJournal, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(error.map { "\($0)".contains(path) } == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test func anotherProgramsDatabaseIsRefused() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "CREATE TABLE results (job_id TEXT)") }
        let error = #expect(throws: JobJournalError.self) { try SQLiteJobJournal(path: path) }
        guard case .notAJournal(_, let reason)? = error else {
            Issue.record("expected notAJournal, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("results"))
        let tables = try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        #expect(tables == ["results"], "the foreign database was changed")
    }

    @Test func aMissingDirectoryIsNamed() throws {
        let (_, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        let path = directory.appendingPathComponent("missing/journal.sqlite").path
        let error = #expect(throws: JobJournalError.self) { try SQLiteJobJournal(path: path) }
        #expect(error == .cannotOpen(path: path, reason: "the directory \(directory.path)/missing does not exist"))
    }

    @Test func aSecondJournalOnTheSameFileIsRefusedWhileTheFirstIsOpen() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        var first: SQLiteJobJournal? = try SQLiteJobJournal(path: path)
        _ = first?.insert(JournalFixtures.job("j"))
        try first?.commit()
        let error = #expect(throws: JobJournalError.self) {
            try SQLiteJobJournal(path: path, options: SQLiteJobJournal.Options(ownerWait: .milliseconds(50)))
        }
        guard case .cannotOpen(let errorPath, let reason)? = error else {
            Issue.record("expected cannotOpen, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(reason.contains("in use by another dispatcher (process \(getpid()))"))
        first = nil
        #expect(try SQLiteJobJournal(path: path).recovered().batches["b1"]?.queued == 1)
    }

    @Test func aJournalReopensAfterManyCommitsWithEveryJob() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        do {
            let journal = try SQLiteJobJournal(path: path, options: SQLiteJobJournal.Options(synchronous: .normal))
            for n in 0..<2_000 {
                _ = journal.insert(JournalFixtures.job("n\(n)", batch: "b\(n % 3)"))
                if n % 100 == 99 { try journal.commit() }
            }
            try journal.commit()
        }
        let recovery = try SQLiteJobJournal(path: path).recovered()
        #expect(recovery.batches.mapValues(\.queued) == ["b0": 667, "b1": 667, "b2": 666])
    }
}
