import Foundation
import GRDB
import MirsadCore
import MirsadWire
import Testing
@testable import DispatcherJournal
import TestSupport

/// The SQLite journal's size over time: pruning, space given back, the write-ahead log emptied, and a full file.
@Suite(.offTheCooperativePool) struct JournalSizeTests {
    static let start = UnixTime(milliseconds: 1_764_000_000_000)

    /// Bytes of the journal's file and its write-ahead log.
    private func onDisk(_ path: String) -> Int {
        ["", "-wal"].reduce(0) { total, suffix in
            total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
        }
    }

    /// One cycle: `count` tiny jobs of batch `batch` inserted, taken, done and stored, committed.
    private func runCycle(_ journal: SQLiteJobJournal, batch: String, count: Int) throws {
        let jobs = try (0..<count).map { try EncodedJob(JournalFixtures.job("\(batch):\($0)", batch: batch, textBytes: 60)) }
        #expect(journal.insert(contentsOf: jobs).allSatisfy { $0 })
        try journal.commit()
        let taken = journal.takeQueued(limit: count).map(\.job.jobID)
        #expect(taken.count == count)
        journal.markAwaitingStore(contentsOf: taken, storeDeadline: nil)
        try journal.commit()
        #expect(journal.markStored(contentsOf: taken).allSatisfy { $0 != nil })
        try journal.commit()
    }

    @Test func pruningKeepsTheFileFlatOverManyCycles() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        let clock = ManualWallClock(Self.start)
        let journal = try SQLiteJobJournal(path: path, options: .init(synchronous: .normal, clock: { clock.now }))
        let retention: Duration = .seconds(60)
        var sizes: [Int] = []
        for cycle in 0..<16 {
            try runCycle(journal, batch: "c\(cycle)", count: 2_000)
            // 30 s a cycle and 60 s of retention: after each cycle's pruning only the jobs of that cycle are left.
            clock.now = clock.now.advanced(by: .seconds(30))
            let cutoff = UnixTime(milliseconds: clock.now.milliseconds - UInt64(retention.wholeMilliseconds))
            let pruned = journal.pruneStored(storedBefore: cutoff, limit: 100_000)
            #expect(pruned == (cycle == 0 ? [:] : ["c\(cycle - 1)": 2_000]))
            try journal.commit()
            journal.reclaimSpace()
            sizes.append(onDisk(path))
        }
        print("journal size per cycle (bytes): \(sizes)")
        let settled = sizes[1]
        #expect(sizes.dropFirst(2).allSatisfy { $0 <= settled + settled / 4 }, "the journal grew: \(sizes)")
        // Without pruning, 32,000 jobs' rows alone take several times the settled size.
        #expect(settled < 32_000 * 60, "the settled journal is larger than all jobs' rows: \(sizes)")
    }

    @Test func aFullJournalKeepsItsLastCommitAndHasRoomAgainOnceSpaceIsFreed() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        let journal = try SQLiteJobJournal(path: path, options: JournalFixtures.options(maximumSizeBytes: 512 << 10))
        var committed = 0
        var full: JobJournalError?
        for round in 0..<200 where full == nil {
            let jobs = try (0..<20).map { try EncodedJob(JournalFixtures.job("r\(round):\($0)", textBytes: 4_000)) }
            _ = journal.insert(contentsOf: jobs)
            do {
                try journal.commit()
                committed += jobs.count
            } catch let error as JobJournalError {
                full = error
            }
        }
        guard case .diskFull = full else {
            Issue.record("the journal never filled: \(String(describing: full))")
            return
        }
        #expect(!journal.hasRoom(bytes: 64 << 10), "a full journal said it had room")
        // Finishing jobs frees their articles' pages: room again, without reopening.
        let taken = journal.takeQueued(limit: committed).map(\.job.jobID)
        #expect(taken.count == committed, "the jobs committed before the failure are not all there")
        _ = journal.markStored(contentsOf: taken)
        try journal.commit()
        #expect(journal.hasRoom(bytes: 64 << 10), "space freed by stored jobs was not found")
        #expect(journal.insert(JournalFixtures.job("after", textBytes: 4_000)))
        try journal.commit()
    }

    @Test func aJournalUsesIncrementalVacuumAndAnOlderFileIsConverted() throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        do {
            // A file as the previous version made it: no auto-vacuum.
            let queue = try DatabaseQueue(path: path)
            try queue.inDatabase { db in try db.execute(sql: "PRAGMA auto_vacuum = NONE; CREATE TABLE x (y)") }
            try queue.inDatabase { db in try db.execute(sql: "DROP TABLE x") }
        }
        do {
            let journal = try SQLiteJobJournal(path: path, options: JournalFixtures.options())
            #expect(journal.insert(JournalFixtures.job("kept")))
            try journal.commit()
        }
        let mode = try DatabaseQueue(path: path).inDatabase { db in try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") }
        #expect(mode == 2, "the journal is not in incremental auto-vacuum mode")
        let reopened = try SQLiteJobJournal(path: path, options: JournalFixtures.options())
        #expect(reopened.recovered().batches["b1"]?.queued == 1)
        #expect(!reopened.insert(JournalFixtures.job("kept")), "a job id was forgotten by reopening")
    }
}
