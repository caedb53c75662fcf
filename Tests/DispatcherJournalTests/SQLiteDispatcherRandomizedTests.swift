import Foundation
import GRDB
import Testing
@testable import DispatcherJournal
@testable import MirsadCore
@testable import MirsadWire
import TestSupport

/// A `DispatcherStateMachine` over a real journal file, driven as the service drives it: messages and ticks, a
/// commit after each drain, and dispatcher restarts (the journal closed and opened again, a new state machine).
/// Reads the file through a connection of its own, so it sees what a new process would: the last commit.
final class SQLiteDispatcherDriver {
    let path: String
    let configuration: DispatcherConfiguration
    let wall: ManualWallClock
    private(set) var now: DispatcherTime
    /// Nil only while restarting.
    private var current: DispatcherStateMachine<SQLiteJobJournal>?
    private let reader: DatabaseQueue

    static let start = DispatcherTime(
        monotonic: MonotonicInstant(sinceOrigin: .seconds(1)), wall: UnixTime(milliseconds: 1_764_000_000_000))
    static let producer: RoutingID = Array("producer".utf8)

    init(path: String, configuration: DispatcherConfiguration) throws {
        self.path = path
        self.configuration = configuration
        wall = ManualWallClock(Self.start.wall)
        now = Self.start
        current = DispatcherStateMachine(configuration: configuration, journal: try Self.open(path, wall), now: now)
        reader = try DatabaseQueue(path: path)
    }

    var machine: DispatcherStateMachine<SQLiteJobJournal> { current! }

    @discardableResult
    func deliver(_ message: MirsadMessage, from peer: RoutingID) -> [DispatcherAction] {
        current!.received(message, from: peer, now: now)
    }

    @discardableResult
    func deliver(_ message: MirsadMessage, from peer: String) -> [DispatcherAction] {
        deliver(message, from: Array(peer.utf8))
    }

    @discardableResult
    func advance(ms: UInt64) -> [DispatcherAction] {
        now = now.advanced(by: .milliseconds(ms))
        wall.now = now.wall
        return current!.tick(now: now)
    }

    func commit() throws {
        try current!.commit()
    }

    /// The dispatcher process ends (after a commit when `committing`, else losing what the last drain changed) and
    /// a new one opens the file, with no peers.
    func restart(committing: Bool) throws {
        if committing { try commit() }
        current = nil  // closes the journal: an open transaction is rolled back, the owner lock released
        current = DispatcherStateMachine(configuration: configuration, journal: try Self.open(path, wall), now: now)
    }

    // MARK: - The file, as committed

    /// Job counts per batch, by one GROUP BY over the jobs table.
    func fileCounts() throws -> [String: JobCounts] {
        try reader.read { db in
            var counts: [String: JobCounts] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT batch_id, state, COUNT(*) AS n FROM jobs GROUP BY batch_id, state") {
                let name: String = row["state"]
                guard let state = JournalRowState(rawValue: name) else {
                    Issue.record("unknown state \(name) in the journal file")
                    continue
                }
                counts[row["batch_id"], default: JobCounts()][state.kind] += row["n"] as Int
            }
            return counts
        }
    }

    func fileJobIDs(_ state: JournalRowState) throws -> [String] {
        try reader.read { db in
            try String.fetchAll(db, sql: "SELECT job_id FROM jobs WHERE state = ? ORDER BY seq", arguments: [state.rawValue])
        }
    }

    /// Dispatches beyond each job's first, as the file counts them.
    func fileRedispatches() throws -> UInt64 {
        try reader.read { db in
            UInt64(try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(MAX(dispatches - 1, 0)), 0) FROM jobs") ?? 0)
        }
    }

    /// The state machine's own invariants, and its counts and in-flight records against the committed file. Call
    /// right after a commit or a restart.
    func violations() throws -> [String] {
        var problems = machine.invariantViolations()
        let file = try fileCounts()
        for batch in Set(file.keys) {
            let counted = machine.counts(ofBatch: batch) ?? JobCounts()
            if counted != file[batch] { problems.append("batch \(batch): counted \(counted), the file holds \(file[batch]!)") }
        }
        let total = file.values.reduce(JobCounts(), +)
        if total != machine.counts { problems.append("counted \(machine.counts), the file holds \(total)") }
        let inFlight = try fileJobIDs(.inFlight)
        for jobID in inFlight where machine.inFlightJob(jobID) == nil {
            problems.append("\(jobID) is in flight in the file without an in-flight record")
        }
        if inFlight.count != machine.counts.inFlight {
            problems.append("the file has \(inFlight.count) jobs in flight, \(machine.counts.inFlight) counted")
        }
        let redispatches = try fileRedispatches()
        if redispatches != machine.redispatches {
            problems.append("the file counts \(redispatches) redispatches, the state machine \(machine.redispatches)")
        }
        return problems
    }

    private static func open(_ path: String, _ wall: ManualWallClock) throws -> SQLiteJobJournal {
        // NORMAL: no fsync per commit (the test never loses power), so that a commit per step stays cheap.
        try SQLiteJobJournal(path: path, options: .init(synchronous: .normal, clock: { wall.now }))
    }
}

/// The random event sequences of the in-memory state-machine test, over the SQLite journal: after every drain (and
/// its commit) the state machine's counts are those of the journal file; a dispatcher restart, clean or losing an
/// uncommitted drain, starts from exactly the counts last committed (in-flight jobs queued again); and once the
/// workers behave, every acknowledged job ends stored or dead.
@Suite(.offTheCooperativePool) struct SQLiteDispatcherRandomizedTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func countsMatchTheJournalFileThroughRandomEventsAndRestarts(seed: UInt64) throws {
        let (path, directory) = try JournalFixtures.journalPath()
        defer { JournalFixtures.remove(directory) }
        var random = SeededRandom(seed: seed)
        let d = try SQLiteDispatcherDriver(path: path, configuration: .init(
            livenessTimeout: .milliseconds(3_000), jobLease: .milliseconds(4_000), maxQueuedJobs: 400, maxAttempts: 3,
            retryBackoff: .milliseconds(200), retryBackoffMax: .milliseconds(2_000), maxProducerCredit: 64,
            randomSeed: seed))
        let workers = ["w0", "w1", "w2", "w3"]
        var generation = [String: Int]()  // each worker's process generation: its HELLO id is "<name>-<generation>"
        func workerID(_ name: String) -> String { "\(name)-\(generation[name, default: 0])" }
        /// Job ids whose SUBMIT_ACK was committed (a producer would resend the others); and those of this drain.
        var acknowledged = Set<String>()
        var acknowledgedInDrain = Set<String>()
        var deadLettered = 0, restarts = 0, lostDrains = 0
        /// Per-batch counts at the last commit: what a restart must recover (with in-flight jobs queued).
        var committedCounts: [String: JobCounts] = [:]

        func hello(_ peer: String, capacity: UInt32, role: Mirsad_V1_Role = .worker, id: String? = nil,
                   replaces: String = "", crashed: [String] = []) {
            d.deliver(.hello(.with {
                $0.role = role; $0.id = id ?? peer; $0.host = "host"; $0.pid = 1; $0.version = "test"; $0.capacity = capacity
                $0.replaces = replaces
                $0.crashed = crashed.map { jobID in .with { $0.jobID = jobID; $0.error = "SIGILL" } }
            }), from: peer)
        }
        func done(_ peer: String, _ ids: [String], failed: [String] = [], permanent: Bool = false) {
            let actions = d.deliver(.done(.with {
                $0.jobIds = ids
                $0.failures = failed.map { id in .with { $0.jobID = id; $0.error = "boom"; $0.permanent = permanent } }
            }), from: peer)
            deadLettered += actions.filter { if case .deadLettered = $0 { true } else { false } }.count
        }
        func stored(_ ids: [String]) { d.deliver(.stored(.with { $0.jobIds = ids }), from: "c") }
        func heartbeat(_ peer: String, jobs: [String] = []) { d.deliver(.heartbeat(.with { $0.jobIds = jobs }), from: peer) }
        func commitAndCheck(_ when: String) throws -> Bool {
            try d.commit()
            acknowledged.formUnion(acknowledgedInDrain)
            acknowledgedInDrain = []
            committedCounts = try d.fileCounts()
            return try check(when)
        }
        func check(_ when: String) throws -> Bool {
            let problems = try d.violations()
            #expect(problems.isEmpty, "\(when): \(problems)")
            return problems.isEmpty
        }
        func restart(committing: Bool, _ when: String) throws -> Bool {
            if committing {
                guard try commitAndCheck(when) else { return false }
            } else {
                acknowledgedInDrain = []  // never acknowledged: the drain's changes are lost with its replies
                lostDrains += 1
            }
            try d.restart(committing: false)
            restarts += 1
            var expected = committedCounts
            for batch in expected.keys {
                expected[batch]!.queued += expected[batch]!.inFlight
                expected[batch]!.inFlight = 0
            }
            let recovered = Set(expected.keys).union(d.machine.journal.recovered().batches.keys)
                .filter { d.machine.counts(ofBatch: $0) != expected[$0] }
            #expect(recovered.isEmpty, "\(when): a restart recovered other counts than the last commit's in batches \(recovered.sorted())")
            // The collector learns of the restart from an UNKNOWN_PEER and says HELLO again; workers do later.
            hello("c", capacity: 0, role: .collector)
            return try commitAndCheck("\(when), after the restart")
        }

        hello("c", capacity: 0, role: .collector)
        guard try commitAndCheck("start") else { return }
        for step in 0..<800 {
            // One drain: a few messages or ticks, then one group commit (or a crash before it, or a clean restart).
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let worker = workers.randomElement(using: &random)!
                let held = Array(d.machine.jobsHeld(by: Array(worker.utf8))).sorted()
                switch Int.random(in: 0..<100, using: &random) {
                case 0..<5:
                    hello(worker, capacity: UInt32.random(in: 1...8, using: &random), id: workerID(worker))
                case 5..<8:
                    // The worker's process crashes running some of its jobs; its next process says so.
                    let crashed = held.filter { _ in Bool.random(using: &random) }
                    let previous = workerID(worker)
                    generation[worker, default: 0] += 1
                    hello(worker, capacity: UInt32.random(in: 1...8, using: &random), id: workerID(worker),
                          replaces: previous, crashed: crashed)
                case 8..<20:
                    let batch = "b\(Int.random(in: 0..<4, using: &random))"
                    let first = Int.random(in: 0..<60, using: &random)
                    let indices = first..<(first + Int.random(in: 0..<20, using: &random))
                    let actions = d.deliver(.submit(.with {
                        $0.requestID = "r\(step)"
                        $0.batchID = batch
                        $0.jobs = indices.map { index in .with {
                            $0.jobID = SubmitValidation.jobID(batchID: batch, index: index)
                            $0.batchID = batch
                            $0.article.metadata.id = "article-\(index)"
                            $0.article.text = "نص الخبر \(index)"
                        } }
                    }), from: SQLiteDispatcherDriver.producer)
                    let acked = actions.contains { action in
                        if case .send(.submitAck(let ack), _) = action { return ack.rejected.isEmpty }
                        return false
                    }
                    if acked { acknowledgedInDrain.formUnion(indices.map { SubmitValidation.jobID(batchID: batch, index: $0) }) }
                case 20..<50:
                    let some = held.filter { _ in Bool.random(using: &random) }
                    let failed = some.filter { _ in Int.random(in: 0..<6, using: &random) == 0 }
                    done(worker, some.filter { !failed.contains($0) } + ["b9:\(step)"], failed: failed,
                         permanent: Int.random(in: 0..<4, using: &random) == 0)
                case 50..<62:
                    // The collector stores some results, some of a previous process's jobs, and names unknown ids.
                    let awaiting = try d.fileJobIDs(.awaitingStore).filter { _ in Bool.random(using: &random) }
                    stored(held.filter { _ in Bool.random(using: &random) } + awaiting
                           + ["b0:\(Int.random(in: 0..<80, using: &random))"])
                case 62..<80:
                    heartbeat(worker, jobs: held.filter { _ in Int.random(in: 0..<8, using: &random) > 0 })
                    heartbeat("c")
                case 80..<83:
                    d.deliver(.bye(.init()), from: worker)
                case 83..<85:
                    d.deliver(.retryDeadLetters(.with { $0.all = Bool.random(using: &random) }), from: SQLiteDispatcherDriver.producer)
                default:
                    d.advance(ms: UInt64.random(in: 0..<1_500, using: &random))
                    heartbeat("c")
                }
            }
            let ending = Int.random(in: 0..<100, using: &random)
            let fine: Bool
            if ending < 3 {
                fine = try restart(committing: false, "step \(step), a crash before the commit")
            } else if ending < 6 {
                fine = try restart(committing: true, "step \(step), a clean restart")
            } else {
                fine = try commitAndCheck("step \(step)")
            }
            if !fine { return }
        }

        // Drain: one worker finishes everything it is given, the collector stores it, time lets retries come due.
        hello("finisher", capacity: 64)
        for round in 0..<2_000 {
            let file = try d.fileCounts().values.reduce(JobCounts(), +)
            if file.stored + file.failed == file.total { break }
            d.advance(ms: 250)
            heartbeat("c")
            let held = Array(d.machine.jobsHeld(by: Array("finisher".utf8)))
            heartbeat("finisher", jobs: held)
            done("finisher", held)
            stored(try d.fileJobIDs(.awaitingStore) + held)
            guard try commitAndCheck("drain round \(round)") else { return }
        }
        let file = try d.fileCounts().values.reduce(JobCounts(), +)
        #expect(file.stored + file.failed == file.total, "jobs neither stored nor dead: \(file)")
        #expect(file.total > 0 && file.total == acknowledged.count, "the file holds \(file.total) jobs, \(acknowledged.count) acknowledged")
        let kept = try Set(d.fileJobIDs(.stored) + d.fileJobIDs(.dead))
        #expect(kept == acknowledged, "the file's jobs are not those acknowledged")
        #expect(deadLettered > 0, "the random failures dead-lettered some jobs on the way")
        #expect(restarts > 5 && lostDrains > 0, "\(restarts) restarts, \(lostDrains) lost drains")
        // A reopened journal agrees with the file too.
        try d.restart(committing: true)
        #expect(d.machine.journal.recovered().batches == (try d.fileCounts()))
        #expect(try d.violations().isEmpty)
    }
}
