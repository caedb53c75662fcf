import Foundation
import MirsadCore
import MirsadWire
import Testing
@testable import DispatcherJournal

/// A wall clock a test moves by hand, read by a journal to record submission times.
final class ManualWallClock: @unchecked Sendable {
    // Read and written only by the thread of the test that made it.
    var now: UnixTime
    init(_ now: UnixTime) { self.now = now }
}

/// The `JobJournal` implementations that must behave alike; each test of `JournalConformanceTests` runs on all.
enum JournalImplementation: String, CaseIterable, Sendable, CustomStringConvertible {
    case inMemory
    case sqlite

    var description: String { rawValue }

    /// A fresh, empty journal of this kind whose submission times come from `clock`.
    func open(clock: ManualWallClock) throws -> OpenedJournal {
        try OpenedJournal(self, clock: clock)
    }
}

/// A journal under test and what it takes to close and open it again as a new dispatcher process would.
final class OpenedJournal {
    let implementation: JournalImplementation
    private let clock: ManualWallClock
    /// The SQLite file's directory, removed at `close()`.
    private let directory: URL?
    private let path: String?
    private var current: (any JobJournal)?

    init(_ implementation: JournalImplementation, clock: ManualWallClock) throws {
        self.implementation = implementation
        self.clock = clock
        switch implementation {
        case .inMemory:
            directory = nil
            path = nil
            current = InMemoryJobJournal(clock: { clock.now })
        case .sqlite:
            let (path, directory) = try JournalFixtures.journalPath()
            self.directory = directory
            self.path = path
            current = try Self.openSQLite(path, clock: clock)
        }
    }

    /// The open journal.
    var journal: any JobJournal {
        get { current! }
        set { current = newValue }
    }

    // The journal's methods, callable on a constant (as `#expect` needs).

    func recovered() -> JournalRecovery { journal.recovered() }
    func insert(_ job: Mirsad_V1_Job) -> Bool { journal.insert(job) }
    func takeQueued(limit: Int) -> [JournalJob] { journal.takeQueued(limit: limit) }
    func requeue(_ jobID: String) { journal.requeue(jobID) }
    func requeue(_ jobID: String, fromSilentWorker workerID: String) { journal.requeue(jobID, fromSilentWorker: workerID) }
    func countLateCrash(_ jobID: String, workerID: String, error: String) -> LateCrash? {
        journal.countLateCrash(jobID, workerID: workerID, error: error)
    }
    func scheduleRetry(_ jobID: String, failures: Int, notBefore: UnixTime, error: String, workerID: String) {
        journal.scheduleRetry(jobID, failures: failures, notBefore: notBefore, error: error, workerID: workerID)
    }
    func promoteDueRetries(now: UnixTime) -> [JournalJobRef] { journal.promoteDueRetries(now: now) }
    func markAwaitingStore(_ jobID: String) { journal.markAwaitingStore(jobID) }
    func markStored(_ jobID: String) -> StoredTransition? { journal.markStored(jobID) }
    func state(of jobID: String) -> JobCounts.Kind? { journal.state(of: jobID) }
    func deadLetter(_ jobID: String, failures: Int, error: String, workerID: String, at time: UnixTime) {
        journal.deadLetter(jobID, failures: failures, error: error, workerID: workerID, at: time)
    }
    func deadLetters(batchID: String?, afterJobID: String?, limit: Int) -> [Mirsad_V1_DeadLetter] {
        journal.deadLetters(batchID: batchID, afterJobID: afterJobID, limit: limit)
    }
    func retryDeadLetters(jobIDs: [String]?, batchID: String?) -> [JournalJobRef] {
        journal.retryDeadLetters(jobIDs: jobIDs, batchID: batchID)
    }
    func commit() throws { try journal.commit() }
    func pruneStored(storedBefore: UnixTime, limit: Int) -> [String: Int] {
        journal.pruneStored(storedBefore: storedBefore, limit: limit)
    }
    var identity: String { journal.identity }

    /// The journal as the next process finds it: what was committed, in-flight jobs queued again. (The in-memory
    /// journal keeps uncommitted changes too: tests commit before they reopen.)
    func reopen() throws {
        switch implementation {
        case .inMemory:
            current = (current as! InMemoryJobJournal).reopened()
        case .sqlite:
            current = nil  // closes the file and releases its owner lock first
            current = try Self.openSQLite(path!, clock: clock)
        }
    }

    /// Commits, reopens and returns what the reopened journal recovered.
    func committedAndRecovered() throws -> JournalRecovery {
        try journal.commit()
        try reopen()
        return journal.recovered()
    }

    func close() {
        current = nil
        if let directory { JournalFixtures.remove(directory) }
    }

    private static func openSQLite(_ path: String, clock: ManualWallClock) throws -> SQLiteJobJournal {
        try SQLiteJobJournal(path: path, options: .init(synchronous: .normal, clock: { clock.now }))
    }
}

/// One set of behaviours, run against every `JobJournal` implementation: the transitions each method makes (and the
/// states it leaves alone), queue order, retry promotion, dead-letter listing and revival, recovery at open.
@Suite struct JournalConformanceTests {
    static let start = UnixTime(milliseconds: 1_764_000_000_000)

    /// Opens a fresh journal of `implementation`, runs `body`, closes and removes it.
    private func with(
        _ implementation: JournalImplementation, _ body: (OpenedJournal, ManualWallClock) throws -> Void
    ) throws {
        let clock = ManualWallClock(Self.start)
        let opened = try implementation.open(clock: clock)
        defer { opened.close() }
        try body(opened, clock)
    }

    /// Inserts `ids` (each "batch:n" in that batch) and takes them all, so that they are in flight.
    private func inFlight(_ ids: [String], in j: OpenedJournal) -> [JournalJob] {
        for id in ids { #expect(j.insert(job(id)), "inserting \(id)") }
        let taken = j.takeQueued(limit: ids.count)
        #expect(taken.map(\.job.jobID) == ids)
        return taken
    }

    // MARK: - State

    /// `state(of:)` follows every transition (the dispatcher asks it for a STORED without a valid lease).
    @Test(arguments: JournalImplementation.allCases)
    func stateOfAJobFollowsItsTransitions(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            #expect(j.state(of: "b:0") == nil)
            #expect(j.insert(job("b:0")) && j.insert(job("b:1")))
            #expect(j.state(of: "b:0") == .queued)
            _ = j.takeQueued(limit: 2)
            #expect(j.state(of: "b:0") == .inFlight)
            j.markAwaitingStore("b:0")
            #expect(j.state(of: "b:0") == .awaitingStore)
            j.scheduleRetry("b:1", failures: 1, notBefore: Self.start, error: "e", workerID: "w")
            #expect(j.state(of: "b:1") == .retrying)
            _ = j.markStored("b:0")
            #expect(j.state(of: "b:0") == .stored)
            try j.commit()
            #expect(j.state(of: "b:0") == .stored && j.state(of: "b:1") == .retrying)
        }
    }

    // MARK: - Insert and take

    @Test(arguments: JournalImplementation.allCases)
    func insertIsIdempotentAndKeepsTheFirstJobAndItsSubmissionTime(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, clock in
            #expect(j.recovered() == JournalRecovery(), "a fresh journal recovered jobs")
            #expect(j.insert(job("b:1")))
            clock.now = clock.now.advanced(by: .seconds(5))
            #expect(!j.insert(job("b:1")), "a known id was inserted again")
            #expect(!j.insert(job("b:1", batch: "other", text: "another text")), "a known id in another batch")
            let recovery = try j.committedAndRecovered()
            #expect(recovery == JournalRecovery(batches: ["b": counts(queued: 1)], redispatches: 0))
            #expect(!j.insert(job("b:1")), "a committed id was inserted again after reopening")
            let taken = j.takeQueued(limit: 5)
            #expect(taken == [JournalJob(job: try EncodedJob(job("b:1")), failures: 0, dispatches: 1, submitted: Self.start)])
            // Idempotent whatever the job's state.
            j.markAwaitingStore("b:1")
            #expect(!j.insert(job("b:1")))
            _ = j.markStored("b:1")
            #expect(!j.insert(job("b:1")))
            #expect(try j.committedAndRecovered().batches == ["b": counts(stored: 1)])
        }
    }

    @Test(arguments: JournalImplementation.allCases)
    func takeQueuedHandsOutInInsertOrderOnceAndCountsDispatches(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            for id in ["b:c", "b:a", "b:b", "b:d"] { #expect(j.insert(job(id))) }
            #expect(j.takeQueued(limit: 0).isEmpty)
            #expect(j.takeQueued(limit: -1).isEmpty)
            let first = j.takeQueued(limit: 2)
            #expect(first.map(\.job.jobID) == ["b:c", "b:a"], "not in insert order (ids sort otherwise)")
            #expect(first.map(\.dispatches) == [1, 1] && first.map(\.failures) == [0, 0])
            j.requeue("b:c")
            let second = j.takeQueued(limit: 10)
            #expect(second.map(\.job.jobID) == ["b:c", "b:b", "b:d"], "a requeued job lost its place")
            #expect(second.map(\.dispatches) == [2, 1, 1])
            #expect(j.takeQueued(limit: 10).isEmpty, "an in-flight job was handed out again")
        }
    }

    /// Many ids in one call (more than one SQL statement lists) do what one call per id would: an unknown id and a
    /// repeated one (the second time, in the same statement's list or a later one) change nothing and give nil.
    @Test(arguments: JournalImplementation.allCases)
    func manyIDsInOneCallActAsOneCallPerID(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            let ids = (0..<600).map { "b:\($0)" }
            _ = inFlight(ids, in: j)
            j.journal.markAwaitingStore(contentsOf: Array(ids[..<550]) + ["b:unknown"], storeDeadline: nil)
            #expect(j.state(of: "b:549") == .awaitingStore && j.state(of: "b:550") == .inFlight)
            let listed = ["b:0", "b:unknown", "b:0"] + ids[1..<540] + ["b:1", "b:599"]
            let transitions = j.journal.markStored(contentsOf: listed)
            let expected: [JobCounts.Kind?] = [.awaitingStore, nil, nil]
                + Array(repeating: .awaitingStore, count: 539) + [nil, .inFlight]
            #expect(transitions.map { $0?.previous } == expected)
            #expect(transitions.allSatisfy { $0 == nil || $0?.batchID == "b" })
            #expect(j.journal.markStored(contentsOf: ["b:0", "b:599"]) == [nil, nil], "stored jobs were stored again")
            // b:0 ... b:539 and b:599 stored; b:540 ... b:549 awaiting store; the rest was in flight.
            let recovered = try j.committedAndRecovered()
            #expect(recovered.batches == ["b": counts(queued: 49, awaitingStore: 10, stored: 541)])
        }
    }

    // MARK: - Transitions, state by state

    @Test(arguments: JournalImplementation.allCases)
    func requeueMovesOnlyAnInFlightJob(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            try makeOneJobInEveryState(j)
            for id in everyStateIDs + ["b:unknown"] { j.requeue(id) }
            #expect(try j.committedAndRecovered().batches == ["b": counts(queued: 2, retrying: 1, awaitingStore: 1, stored: 1, failed: 1)])
            // In flight (f) went back to queued; the others stayed.
            #expect(try previousStates(j) == ["q": .queued, "f": .queued, "r": .retrying, "a": .awaitingStore, "d": .failed])
        }
    }

    @Test(arguments: JournalImplementation.allCases)
    func aLateCrashCountsOnceForTheSilentWorkerItWasTakenFromAcrossAReopen(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            for id in ["b:0", "b:1", "b:2"] { #expect(j.insert(job(id))) }
            #expect(j.takeQueued(limit: 3).count == 3)
            j.requeue("b:0", fromSilentWorker: "w1")
            j.requeue("b:1", fromSilentWorker: "w1")
            j.requeue("b:2")  // its worker left: nothing to count later
            try j.commit()
            try j.reopen()

            #expect(j.countLateCrash("b:0", workerID: "w2", error: "SIGSEGV") == nil, "another worker's report")
            #expect(j.countLateCrash("b:2", workerID: "w1", error: "SIGSEGV") == nil, "not taken from a silent worker")
            #expect(j.countLateCrash("b:0", workerID: "w1", error: "SIGSEGV")
                    == LateCrash(batchID: "b", state: .queued, failures: 1))
            #expect(j.countLateCrash("b:0", workerID: "w1", error: "SIGSEGV") == nil, "counted twice")
            try j.commit()
            try j.reopen()
            // In flight again when its report comes: still counted, with the job's state.
            #expect(j.takeQueued(limit: 2).map(\.failures) == [1, 0])
            #expect(j.countLateCrash("b:1", workerID: "w1", error: "SIGILL")
                    == LateCrash(batchID: "b", state: .inFlight, failures: 1))
            // Taken from two silent workers in turn (a poison article crashes each), the job counts both reports.
            j.requeue("b:1", fromSilentWorker: "w3")
            #expect(j.takeQueued(limit: 1).map(\.job.jobID) == ["b:1"])
            j.requeue("b:1", fromSilentWorker: "w4")
            #expect(j.countLateCrash("b:1", workerID: "w3", error: "SIGILL")?.failures == 2)
            #expect(j.countLateCrash("b:1", workerID: "w4", error: "SIGILL")?.failures == 3)
            #expect(j.countLateCrash("b:1", workerID: "w3", error: "SIGILL") == nil)
            j.requeue("b:0", fromSilentWorker: "w3")
            _ = j.markStored("b:0")
            #expect(j.countLateCrash("b:0", workerID: "w3", error: "SIGSEGV") == nil, "a stored job counts no crash")
            #expect(try j.committedAndRecovered().batches == ["b": counts(queued: 2, stored: 1)])
            #expect(j.takeQueued(limit: 2).map(\.failures) == [3, 0])
        }
    }

    @Test(arguments: JournalImplementation.allCases)
    func scheduleRetryMovesQueuedInFlightAndRetryingJobsOnly(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            try makeOneJobInEveryState(j)
            for id in everyStateIDs + ["b:unknown"] {
                j.scheduleRetry(id, failures: 2, notBefore: UnixTime(milliseconds: 700), error: "again", workerID: "w9")
            }
            #expect(try j.committedAndRecovered().batches == ["b": counts(retrying: 3, awaitingStore: 1, stored: 1, failed: 1)])
            #expect(j.takeQueued(limit: 10).isEmpty, "a job scheduled for retry stayed queued")
            #expect(j.promoteDueRetries(now: UnixTime(milliseconds: 699)).isEmpty, "r kept its earlier not-before time")
            let promoted = j.promoteDueRetries(now: UnixTime(milliseconds: 700))
            #expect(Set(promoted) == Set(["b:q", "b:f", "b:r"].map { JournalJobRef(jobID: $0, batchID: "b") }))
            let taken = j.takeQueued(limit: 10)
            #expect(taken.map(\.job.jobID) == ["b:q", "b:f", "b:r"])
            #expect(taken.map(\.failures) == [2, 2, 2])
            // The dead job kept its own error, not the retry's.
            #expect(j.deadLetters(batchID: nil, afterJobID: nil, limit: 10).map(\.error) == ["dead d"])
        }
    }

    @Test(arguments: JournalImplementation.allCases)
    func deadLetterMovesQueuedInFlightAndRetryingJobsOnly(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            try makeOneJobInEveryState(j)
            for (n, id) in (everyStateIDs + ["b:unknown"]).enumerated() {
                j.deadLetter(id, failures: 9, error: "late \(id)", workerID: "w\(n)", at: UnixTime(milliseconds: 50 + UInt64(n)))
            }
            #expect(try j.committedAndRecovered().batches == ["b": counts(awaitingStore: 1, stored: 1, failed: 4)])
            let letters = j.deadLetters(batchID: nil, afterJobID: nil, limit: 10)
            #expect(letters.map(\.jobID) == ["b:d", "b:f", "b:q", "b:r"])
            #expect(letters.map(\.error) == ["dead d", "late b:f", "late b:q", "late b:r"], "a dead job was dead-lettered again")
            #expect(letters.map(\.attempts) == [5, 9, 9, 9])
            #expect(j.promoteDueRetries(now: UnixTime(milliseconds: .max)).isEmpty, "a dead job was still due for retry")
            #expect(j.takeQueued(limit: 10).isEmpty, "a dead job was still queued")
        }
    }

    @Test(arguments: JournalImplementation.allCases)
    func markAwaitingStoreMovesQueuedInFlightAndRetryingJobsOnly(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            try makeOneJobInEveryState(j)
            for id in everyStateIDs + ["b:unknown"] { j.markAwaitingStore(id) }
            #expect(try j.committedAndRecovered().batches == ["b": counts(awaitingStore: 4, stored: 1, failed: 1)])
            #expect(j.takeQueued(limit: 10).isEmpty)
            #expect(j.promoteDueRetries(now: UnixTime(milliseconds: .max)).isEmpty, "an awaiting-store job was still due for retry")
            #expect(try previousStates(j) == ["q": .awaitingStore, "f": .awaitingStore, "r": .awaitingStore, "a": .awaitingStore, "d": .failed])
        }
    }

    @Test(arguments: JournalImplementation.allCases)
    func markStoredMovesEveryStateButStoredAndNamesTheStateLeft(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, clock in
            try makeOneJobInEveryState(j)
            clock.now = clock.now.advanced(by: .seconds(1))  // the transition reports the submission time, not now
            #expect(j.markStored("b:s") == nil, "a stored job was stored again")
            #expect(j.markStored("b:unknown") == nil)
            let expected: [(String, JobCounts.Kind)] = [
                ("b:q", .queued), ("b:f", .inFlight), ("b:r", .retrying), ("b:a", .awaitingStore), ("b:d", .failed),
            ]
            for (id, kind) in expected {
                #expect(j.markStored(id) == StoredTransition(batchID: "b", previous: kind, submitted: Self.start),
                        "job \(id)")
                #expect(j.markStored(id) == nil, "job \(id) stored twice")
            }
            // Nothing moves a stored job.
            for id in everyStateIDs {
                j.requeue(id)
                j.scheduleRetry(id, failures: 1, notBefore: UnixTime(milliseconds: 0), error: "e", workerID: "w")
                j.markAwaitingStore(id)
                j.deadLetter(id, failures: 1, error: "e", workerID: "w", at: UnixTime(milliseconds: 0))
            }
            #expect(j.retryDeadLetters(jobIDs: everyStateIDs, batchID: nil).isEmpty)
            #expect(j.promoteDueRetries(now: UnixTime(milliseconds: .max)).isEmpty)
            #expect(j.takeQueued(limit: 10).isEmpty)
            #expect(try j.committedAndRecovered().batches == ["b": counts(stored: 6)])
        }
    }

    // MARK: - Order

    @Test(arguments: JournalImplementation.allCases)
    func aJobTakenBackRetriedOrRevivedKeepsItsFirstPlaceInTheQueue(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            // Ids chosen so that id order, insert order and the order of the changes below all differ.
            let ids = ["b:5", "b:3", "b:9", "b:1", "b:7", "b:2"]
            _ = inFlight(ids, in: j)
            j.deadLetter("b:2", failures: 3, error: "e", workerID: "w", at: UnixTime(milliseconds: 1))
            j.requeue("b:7")
            j.scheduleRetry("b:3", failures: 1, notBefore: UnixTime(milliseconds: 10), error: "e", workerID: "w")
            j.scheduleRetry("b:5", failures: 1, notBefore: UnixTime(milliseconds: 20), error: "e", workerID: "w")
            j.requeue("b:9")
            #expect(j.insert(job("b:0")))
            #expect(j.retryDeadLetters(jobIDs: ["b:2"], batchID: nil) == [JournalJobRef(jobID: "b:2", batchID: "b")])
            #expect(Set(j.promoteDueRetries(now: UnixTime(milliseconds: 30)).map(\.jobID)) == ["b:3", "b:5"])
            let taken = j.takeQueued(limit: 3)
            #expect(taken.map(\.job.jobID) == ["b:5", "b:3", "b:9"])
            #expect(taken.map(\.dispatches) == [2, 2, 2])
            j.requeue("b:3")
            try j.commit()
            try j.reopen()
            // b:5, b:9 and b:1 were in flight at the reopen: queued again, in their places.
            #expect(j.takeQueued(limit: 10).map(\.job.jobID) == ["b:5", "b:3", "b:9", "b:1", "b:7", "b:2", "b:0"])
        }
    }

    // MARK: - Retries

    @Test(arguments: JournalImplementation.allCases)
    func retriesArePromotedWhenTheirTimeComesAndNotBefore(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            _ = inFlight(["b:1", "b:2", "b:3", "b:4"], in: j)
            j.scheduleRetry("b:1", failures: 1, notBefore: UnixTime(milliseconds: 2_000), error: "e1", workerID: "w1")
            j.scheduleRetry("b:2", failures: 2, notBefore: UnixTime(milliseconds: 1_000), error: "e2", workerID: "w2")
            j.scheduleRetry("b:3", failures: 1, notBefore: UnixTime(milliseconds: 1_000), error: "e3", workerID: "w3")
            // A retrying job scheduled again: the later time holds.
            j.scheduleRetry("b:4", failures: 1, notBefore: UnixTime(milliseconds: 500), error: "e4", workerID: "w4")
            j.scheduleRetry("b:4", failures: 2, notBefore: UnixTime(milliseconds: 3_000), error: "e4", workerID: "w4")
            #expect(j.promoteDueRetries(now: UnixTime(milliseconds: 999)).isEmpty)
            let recovered = try j.committedAndRecovered()
            #expect(recovered.batches == ["b": counts(retrying: 4)])

            let atThousand = j.promoteDueRetries(now: UnixTime(milliseconds: 1_000))
            #expect(Set(atThousand.map(\.jobID)) == ["b:2", "b:3"], "the not-before time is inclusive")
            #expect(atThousand.allSatisfy { $0.batchID == "b" })
            #expect(j.promoteDueRetries(now: UnixTime(milliseconds: 1_000)).isEmpty, "promoted twice")
            let taken = j.takeQueued(limit: 10)
            #expect(taken.map(\.job.jobID) == ["b:2", "b:3"])
            #expect(taken.map(\.failures) == [2, 1])
            #expect(j.promoteDueRetries(now: UnixTime(milliseconds: 2_999)).map(\.jobID) == ["b:1"])
            #expect(j.promoteDueRetries(now: UnixTime(milliseconds: 3_000)).map(\.jobID) == ["b:4"])
            let again = j.takeQueued(limit: 10)
            #expect(again.map(\.job.jobID) == ["b:1", "b:4"])
            #expect(again.map(\.failures) == [1, 2])
            #expect(again.map(\.dispatches) == [2, 2])
        }
    }

    // MARK: - Dead letters

    @Test(arguments: JournalImplementation.allCases)
    func deadLettersAreListedInUTF8JobIDOrderWithTheirReasons(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            // UTF-8 byte order: uppercase before lowercase, "10" before "2", "é" after "z".
            let dead = [("x:2", "x"), ("é:1", "é"), ("x:10", "x"), ("X:1", "X"), ("z:1", "z"), ("x:1", "x")]
            for (id, batch) in dead { #expect(j.insert(job(id, batch: batch))) }
            #expect(j.insert(job("x:alive", batch: "x")))
            _ = j.takeQueued(limit: 10)
            for (n, (id, _)) in dead.enumerated() {
                j.deadLetter(id, failures: n + 1, error: "error \(n)", workerID: "w\(n)", at: UnixTime(milliseconds: 100 + UInt64(n)))
            }
            let order = ["X:1", "x:1", "x:10", "x:2", "z:1", "é:1"]
            let all = j.deadLetters(batchID: nil, afterJobID: nil, limit: 100)
            #expect(all.map(\.jobID) == order)
            var expected = Mirsad_V1_DeadLetter()
            expected.jobID = "é:1"
            expected.batchID = "é"
            expected.articleID = "article-é:1"
            expected.error = "error 1"
            expected.workerID = "w1"
            expected.attempts = 2
            expected.deadUnixMs = 101
            #expect(all.last == expected)
            try j.commit()
            try j.reopen()
            #expect(j.deadLetters(batchID: nil, afterJobID: nil, limit: 100) == all, "not kept across a reopen")
        }
    }

    @Test(arguments: JournalImplementation.allCases)
    func deadLettersArePagedAfterAJobIDAndFilteredByBatch(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            let ids = ["a:3", "b:1", "a:1", "b:2", "a:2", "c:1", "a:4"]
            _ = inFlight(ids, in: j)
            for id in ids where id != "c:1" { j.deadLetter(id, failures: 1, error: "e", workerID: "w", at: UnixTime(milliseconds: 1)) }

            // Paging by the last id of each page walks the whole list once.
            var pages: [[String]] = []
            var after: String?
            while true {
                let page = j.deadLetters(batchID: nil, afterJobID: after, limit: 2).map(\.jobID)
                if page.isEmpty { break }
                pages.append(page)
                after = page.last
            }
            #expect(pages == [["a:1", "a:2"], ["a:3", "a:4"], ["b:1", "b:2"]])
            // An "after" id that is not a dead letter, or sorts before or after them all.
            #expect(j.deadLetters(batchID: nil, afterJobID: "a:25", limit: 10).map(\.jobID) == ["a:3", "a:4", "b:1", "b:2"])
            #expect(j.deadLetters(batchID: nil, afterJobID: "", limit: 2).map(\.jobID) == ["a:1", "a:2"])
            #expect(j.deadLetters(batchID: nil, afterJobID: "zz", limit: 10).isEmpty)
            // One batch, with and without paging.
            #expect(j.deadLetters(batchID: "a", afterJobID: nil, limit: 10).map(\.jobID) == ["a:1", "a:2", "a:3", "a:4"])
            #expect(j.deadLetters(batchID: "a", afterJobID: "a:2", limit: 1).map(\.jobID) == ["a:3"])
            #expect(j.deadLetters(batchID: "b", afterJobID: "a:9", limit: 10).map(\.jobID) == ["b:1", "b:2"])
            #expect(j.deadLetters(batchID: "c", afterJobID: nil, limit: 10).isEmpty, "a job in flight was listed")
            #expect(j.deadLetters(batchID: "none", afterJobID: nil, limit: 10).isEmpty)
            #expect(j.deadLetters(batchID: nil, afterJobID: nil, limit: 0).isEmpty)
            #expect(j.deadLetters(batchID: "a", afterJobID: nil, limit: -3).isEmpty)
        }
    }

    @Test(arguments: JournalImplementation.allCases)
    func deadLettersAreRevivedByIDsByBatchOrAllWithNoFailuresCounted(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            let ids = ["x:1", "x:2", "y:1", "y:2", "z:1", "x:3"]
            let original = inFlight(ids, in: j)
            for id in ids where id != "x:3" {
                j.deadLetter(id, failures: 3, error: "e", workerID: "w", at: UnixTime(milliseconds: 7))
            }
            j.requeue("x:3")

            let byID = j.retryDeadLetters(jobIDs: ["x:2", "x:3", "unknown", "x:2"], batchID: nil)
            #expect(byID == [JournalJobRef(jobID: "x:2", batchID: "x")], "only dead jobs are queued again, once")
            #expect(j.retryDeadLetters(jobIDs: ["x:1", "z:1"], batchID: "z") == [JournalJobRef(jobID: "z:1", batchID: "z")],
                    "the batch filter applies to a list of ids too")
            #expect(j.retryDeadLetters(jobIDs: [], batchID: nil).isEmpty, "an empty list is not every job")
            let byBatch = j.retryDeadLetters(jobIDs: nil, batchID: "y")
            #expect(Set(byBatch) == [JournalJobRef(jobID: "y:1", batchID: "y"), JournalJobRef(jobID: "y:2", batchID: "y")])
            #expect(j.deadLetters(batchID: nil, afterJobID: nil, limit: 10).map(\.jobID) == ["x:1"])
            let recovered = try j.committedAndRecovered()
            #expect(recovered.batches == ["x": counts(queued: 2, failed: 1), "y": counts(queued: 2), "z": counts(queued: 1)])

            #expect(j.retryDeadLetters(jobIDs: nil, batchID: nil) == [JournalJobRef(jobID: "x:1", batchID: "x")])
            #expect(j.retryDeadLetters(jobIDs: nil, batchID: nil).isEmpty)
            let taken = j.takeQueued(limit: 10)
            #expect(taken.map(\.job.jobID) == ids, "revived jobs lost their places")
            #expect(taken.allSatisfy { $0.failures == 0 })
            #expect(taken.map(\.dispatches) == Array(repeating: 2, count: ids.count))
            #expect(taken.map(\.job) == original.map(\.job), "a dead job lost its article")
            #expect(taken.map(\.submitted) == original.map(\.submitted))
        }
    }

    // MARK: - Recovery

    @Test(arguments: JournalImplementation.allCases)
    func reopeningQueuesInFlightJobsAndCountsEveryStatePerBatchAndRedispatches(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, _ in
            for n in 0..<6 { #expect(j.insert(job("A:\(n)", batch: "A"))) }
            for n in 0..<3 { #expect(j.insert(job("B:\(n)", batch: "B"))) }
            _ = j.takeQueued(limit: 9)
            j.requeue("A:0")
            j.requeue("A:1")
            _ = j.takeQueued(limit: 1)  // A:0 dispatched twice, in flight
            j.scheduleRetry("A:2", failures: 1, notBefore: UnixTime(milliseconds: 1), error: "e", workerID: "w")
            j.markAwaitingStore("A:3")
            _ = j.markStored("A:4")
            j.deadLetter("B:0", failures: 5, error: "e", workerID: "w", at: UnixTime(milliseconds: 1))
            _ = j.markStored("B:1")
            let recovery = try j.committedAndRecovered()
            // A:1 was queued; A:0, A:5 and B:2 were in flight.
            #expect(recovery == JournalRecovery(
                batches: ["A": counts(queued: 3, retrying: 1, awaitingStore: 1, stored: 1), "B": counts(queued: 1, stored: 1, failed: 1)],
                redispatches: 1))
            let taken = j.takeQueued(limit: 10)
            #expect(taken.map(\.job.jobID) == ["A:0", "A:1", "A:5", "B:2"])
            #expect(taken.map(\.dispatches) == [3, 2, 2, 2])
            // Reopening again: the dispatches just made count as redispatches; the in-flight jobs are queued again.
            let second = try j.committedAndRecovered()
            #expect(second.redispatches == 5)
            #expect(second.batches["A"] == counts(queued: 3, retrying: 1, awaitingStore: 1, stored: 1))
            #expect(second.batches.values.allSatisfy { $0.inFlight == 0 })
        }
    }

    // MARK: - Retention and identity

    @Test(arguments: JournalImplementation.allCases)
    func pruneStoredForgetsOnlyJobsStoredPastTheWindowAndTheirIDsAreNewAgain(
        _ implementation: JournalImplementation
    ) throws {
        try with(implementation) { j, clock in
            try makeOneJobInEveryState(j)  // b:s stored at `start`
            clock.now = Self.start.advanced(by: .seconds(10))
            #expect(j.insert(job("c:1")) && j.insert(job("c:2")))
            #expect(j.markStored("c:1") != nil)
            #expect(j.markStored("c:2") != nil)
            try j.commit()
            #expect(j.pruneStored(storedBefore: Self.start.advanced(by: .milliseconds(-1)), limit: 100).isEmpty)
            #expect(!j.insert(job("b:s")), "a job stored within the window was queued again")
            #expect(j.pruneStored(storedBefore: Self.start, limit: 100) == ["b": 1], "only b:s was stored by then")
            #expect(j.pruneStored(storedBefore: clock.now, limit: 1) == ["c": 1], "the limit was not kept")
            let recovery = try j.committedAndRecovered()
            #expect(recovery.batches == [
                "b": counts(queued: 2, retrying: 1, awaitingStore: 1, failed: 1), "c": counts(stored: 1),
            ])
            #expect(j.insert(job("b:s")), "a forgotten job id was taken for a known one")
            #expect(j.pruneStored(storedBefore: clock.now, limit: 100) == ["c": 1])
            let last = try j.committedAndRecovered()
            #expect(last.batches["c"] == nil, "a batch with every job forgotten is still counted")
            #expect(last.batches["b"] == counts(queued: 3, retrying: 1, awaitingStore: 1, failed: 1))
        }
    }

    @Test(arguments: JournalImplementation.allCases)
    func identityIsKeptAcrossReopeningAndDiffersBetweenJournals(_ implementation: JournalImplementation) throws {
        try with(implementation) { j, clock in
            let identity = j.identity
            #expect(identity.count >= 32, "an identity too short to be random: \(identity)")
            #expect(j.insert(job("b:1")))
            _ = try j.committedAndRecovered()
            #expect(j.identity == identity, "reopening changed the identity")
            let other = try implementation.open(clock: clock)
            defer { other.close() }
            #expect(other.identity != identity, "two journals share an identity")
        }
    }

    // MARK: - Helpers

    private static let everyStateIDs = ["b:q", "b:f", "b:r", "b:a", "b:d", "b:s"]
    private var everyStateIDs: [String] { Self.everyStateIDs }

    /// One job of batch "b" in each state, inserted in this order: b:q queued, b:f in flight, b:r retrying (not
    /// before 10), b:a awaiting store, b:d dead (error "dead d", 5 attempts), b:s stored. Committed and reopened.
    private func makeOneJobInEveryState(_ j: OpenedJournal) throws {
        _ = inFlight(everyStateIDs, in: j)
        j.requeue("b:q")
        j.scheduleRetry("b:r", failures: 1, notBefore: UnixTime(milliseconds: 10), error: "retry r", workerID: "w")
        j.markAwaitingStore("b:a")
        j.deadLetter("b:d", failures: 5, error: "dead d", workerID: "w", at: UnixTime(milliseconds: 1))
        #expect(j.markStored("b:s")?.previous == .inFlight)
        let recovery = try j.committedAndRecovered()
        #expect(recovery.batches == ["b": counts(queued: 2, retrying: 1, awaitingStore: 1, stored: 1, failed: 1)])
        // The reopen queued b:f again: take it so that it is in flight.
        #expect(j.takeQueued(limit: 1).map(\.job.jobID) == ["b:q"])
        j.requeue("b:q")
        #expect(j.takeQueued(limit: 2).map(\.job.jobID) == ["b:q", "b:f"])
        j.requeue("b:q")
    }

    /// The state each of b:q, b:f, b:r, b:a, b:d left when stored now (keyed by the letter); stores them.
    private func previousStates(_ j: OpenedJournal) throws -> [String: JobCounts.Kind] {
        var states: [String: JobCounts.Kind] = [:]
        for id in everyStateIDs.dropLast() {
            states[String(id.dropFirst(2))] = j.markStored(id)?.previous
        }
        return states
    }

    private func job(_ id: String, batch: String? = nil, text: String = "نص الخبر") -> Mirsad_V1_Job {
        var job = Mirsad_V1_Job()
        job.jobID = id
        job.batchID = batch ?? String(id.prefix { $0 != ":" })
        job.article.metadata.id = "article-\(id)"
        job.article.text = text
        return job
    }

    private func counts(
        queued: Int = 0, inFlight: Int = 0, retrying: Int = 0, awaitingStore: Int = 0, stored: Int = 0, failed: Int = 0
    ) -> JobCounts {
        var counts = JobCounts()
        counts.queued = queued
        counts.inFlight = inFlight
        counts.retrying = retrying
        counts.awaitingStore = awaitingStore
        counts.stored = stored
        counts.failed = failed
        return counts
    }
}
