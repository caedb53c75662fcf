import Testing
@testable import MirsadCore
@testable import MirsadWire

/// Retries, dead letters, leases, crash reports and recovery: what makes every acknowledged job end stored or dead.
@Suite struct DispatcherDeliveryTests {
    static let batch = "b1"
    static func id(_ i: Int) -> String { "b1:\(i)" }

    static func configuration(
        maxAttempts: Int = 5, leaseMs: UInt64 = 30_000, backoffMs: UInt64 = 1_000, backoffMaxMs: UInt64 = 60_000
    ) -> DispatcherConfiguration {
        .init(jobLease: .milliseconds(leaseMs), maxAttempts: maxAttempts, retryBackoff: .milliseconds(backoffMs),
              retryBackoffMax: .milliseconds(backoffMaxMs))
    }

    /// Moves time on in steps of `stepMs`, the workers staying alive (listing what they hold), until `condition`.
    static func wait(_ h: inout DispatcherHarness, workers: [String], stepMs: UInt64 = 100, upToMs: UInt64,
                     until condition: (DispatcherHarness) -> Bool) throws -> [DispatcherAction] {
        var actions: [DispatcherAction] = []
        var waited: UInt64 = 0
        while !condition(h), waited < upToMs {
            actions += h.advance(ms: stepMs)
            waited += stepMs
            for worker in workers { actions += try h.heartbeat(worker, jobs: Array(h.machine.jobsHeld(by: .peer(worker)))) }
        }
        return actions
    }

    @Test func failedAttemptWaitsItsBackoffThenRunsAgain() throws {
        var h = DispatcherHarness(Self.configuration(backoffMs: 1_000))
        try h.hello("w1", capacity: 1)
        try h.submit(batch: Self.batch, 0..<1)
        let failed = try h.done("w1", [], failed: [Self.id(0)])
        let first = try #require(failed.retries.first)
        #expect(first.jobID == Self.id(0) && first.failures == 1)
        #expect((h.now.wall.milliseconds + 500...h.now.wall.milliseconds + 1_000).contains(first.notBefore.milliseconds),
                "jitter within [delay/2, delay]")
        #expect(h.journal.state(of: Self.id(0)) == .retrying && h.journal.failures(of: Self.id(0)) == 1)
        #expect(h.machine.counts.retrying == 1 && h.machine.counts.inFlight == 0)
        #expect(failed.jobIDs(to: "w1").isEmpty, "not sent again before its time")

        // Just before its not-before time nothing happens; at it, the job is queued and dispatched again.
        let early = h.advance(ms: first.notBefore.milliseconds - h.now.wall.milliseconds - 1)
        #expect(early.jobIDs(to: "w1").isEmpty && h.machine.counts.retrying == 1)
        let due = h.advance(ms: 1)
        #expect(due.jobIDs(to: "w1") == [Self.id(0)])
        let record = try #require(h.machine.inFlightJob(Self.id(0)))
        #expect(record.failures == 1 && record.dispatches == 2)
        #expect(h.machine.redispatches == 1)

        // The second failure waits twice as long.
        let second = try #require(try h.done("w1", [], failed: [Self.id(0)]).retries.first)
        #expect(second.failures == 2)
        #expect((h.now.wall.milliseconds + 1_000...h.now.wall.milliseconds + 2_000).contains(second.notBefore.milliseconds))
        #expect(h.violations().isEmpty)
    }

    @Test func theLastAllowedAttemptDeadLettersTheJob() throws {
        var h = DispatcherHarness(Self.configuration(maxAttempts: 3, backoffMs: 100))
        try h.hello("w1", capacity: 1)
        try h.submit(batch: Self.batch, 0..<1)
        var dead: [String] = []
        for attempt in 1...3 {
            _ = try Self.wait(&h, workers: ["w1"], upToMs: 10_000) { $0.machine.inFlightJob(Self.id(0)) != nil }
            let actions = try h.deliver(.done(.with {
                $0.failures = [.with { $0.jobID = Self.id(0); $0.error = "attempt \(attempt) failed" }]
            }), from: .peer("w1"))
            dead += actions.deadLettered
            #expect(actions.retries.count == (attempt < 3 ? 1 : 0))
        }
        #expect(dead == [Self.id(0)])
        #expect(h.journal.state(of: Self.id(0)) == .failed && h.machine.counts.failed == 1)
        let letters = h.journal.deadLetters(batchID: nil, afterJobID: nil, limit: 10)
        #expect(letters.count == 1)
        #expect(letters.first?.attempts == 3 && letters.first?.error == "attempt 3 failed")
        #expect(letters.first?.workerID == "w1" && letters.first?.articleID == "article-0")
        #expect(letters.first?.deadUnixMs == h.now.wall.milliseconds)
        #expect(h.journal.keepsArticle(of: Self.id(0)), "a dead job keeps its article so it can be retried")
        #expect(try Self.wait(&h, workers: ["w1"], upToMs: 120_000) { _ in false }.jobIDs(to: "w1").isEmpty, "never sent again")
        #expect(h.violations().isEmpty)
    }

    @Test func aPermanentFailureIsDeadLetteredAtOnce() throws {
        var h = DispatcherHarness(Self.configuration(maxAttempts: 5))
        try h.hello("w1", capacity: 2)
        try h.submit(batch: Self.batch, 0..<2)
        let actions = try h.done("w1", [], failed: [Self.id(1)], permanent: true)
        #expect(actions.contains(.deadLettered(jobID: Self.id(1), batchID: Self.batch, attempts: 1, error: "boom")))
        #expect(actions.retries.isEmpty)
        #expect(h.machine.counts(ofBatch: Self.batch)?.failed == 1 && h.machine.counts.inFlight == 1)
    }

    @Test func longErrorsAreCutOnACharacterBoundary() throws {
        var h = DispatcherHarness(Self.configuration(maxAttempts: 1))
        try h.hello("w1", capacity: 1)
        try h.submit(batch: Self.batch, 0..<1)
        try h.deliver(.done(.with {
            $0.failures = [.with { $0.jobID = Self.id(0); $0.error = String(repeating: "خطأ ", count: 1_000) }]
        }), from: .peer("w1"))
        let error = try #require(h.journal.deadLetters(batchID: nil, afterJobID: nil, limit: 1).first?.error)
        #expect(error.utf8.count <= DispatcherStateMachine<InMemoryJobJournal>.maxErrorBytes)
        #expect(error.hasPrefix("خطأ خطأ") && error.hasSuffix("..."))
    }

    @Test func heartbeatsListingAJobKeepItsLeaseAlive() throws {
        var h = DispatcherHarness(Self.configuration(leaseMs: 10_000))
        try h.hello("w1", capacity: 1)
        try h.hello("w2", capacity: 1)
        try h.submit(batch: Self.batch, 0..<1)
        let holder = h.machine.inFlightJob(Self.id(0))?.worker == .peer("w1") ? "w1" : "w2"
        let other = holder == "w1" ? "w2" : "w1"
        var actions: [DispatcherAction] = []
        for _ in 0..<30 {  // 30 s, three lease periods
            actions += h.advance(ms: 1_000)
            actions += try h.heartbeat(holder, jobs: [Self.id(0)])
            actions += try h.heartbeat(other, jobs: [Self.id(0)])  // not its job: changes nothing
        }
        #expect(!actions.contains(.leaseExpired(jobID: Self.id(0), workerID: holder)))
        #expect(h.machine.inFlightJob(Self.id(0))?.worker == .peer(holder))
        #expect(h.machine.inFlightJob(Self.id(0))?.deadline == h.now.monotonic.advanced(by: .milliseconds(10_000)))
        #expect(h.machine.inFlightJob(Self.id(0))?.failures == 0)
    }

    @Test func aJobItsWorkerStopsListingIsTakenBackAsAFailedAttempt() throws {
        var h = DispatcherHarness(Self.configuration(leaseMs: 10_000, backoffMs: 1_000))
        try h.hello("w1", capacity: 1)
        try h.submit(batch: Self.batch, 0..<1)
        var actions: [DispatcherAction] = []
        for _ in 0..<9 {
            actions += h.advance(ms: 1_000)
            actions += try h.heartbeat("w1")  // alive, but not listing the job
        }
        #expect(actions.retries.isEmpty)
        let lapse = h.advance(ms: 1_000)
        #expect(lapse.contains(.leaseExpired(jobID: Self.id(0), workerID: "w1")))
        #expect(lapse.retries.map(\.jobID) == [Self.id(0)])
        guard case .retryScheduled(_, _, _, _, let error)? = lapse.first(where: { if case .retryScheduled = $0 { true } else { false } }) else {
            Issue.record("no retry in \(lapse)")
            return
        }
        #expect(error == "lease expired on worker w1")
        #expect(h.machine.jobsHeld(by: .peer("w1")).isEmpty, "the worker said by omission that it does not hold the job")

        // A late DONE from w1 changes nothing; after the backoff the job goes out again.
        try h.done("w1", [Self.id(0)])
        #expect(h.journal.state(of: Self.id(0)) == .retrying)
        let again = try Self.wait(&h, workers: ["w1"], upToMs: 5_000) { $0.machine.inFlightJob(Self.id(0)) != nil }
        #expect(again.jobIDs(to: "w1") == [Self.id(0)])
        #expect(h.violations().isEmpty)
    }

    @Test func aReplacementHelloCountsTheCrashAndRequeuesTheRestAtOnce() throws {
        var h = DispatcherHarness(Self.configuration(backoffMs: 1_000))
        try h.hello("conn-a", capacity: 3, id: "worker-a")
        try h.submit(batch: Self.batch, 0..<3)
        let crashed: [Mirsad_V1_JobFailure] = [
            .with { $0.jobID = Self.id(1); $0.error = "SIGILL while analysing it" },
            .with { $0.jobID = "b1:99"; $0.error = "SIGSEGV" },
        ]
        let actions = try h.hello("conn-b", capacity: 3, id: "worker-b", replaces: "worker-a", crashed: crashed)
        #expect(actions.contains(.crashReported(jobID: Self.id(1), workerID: "worker-a",
                                                error: "worker worker-a crashed: SIGILL while analysing it", counted: true)))
        #expect(actions.contains(.crashReported(jobID: "b1:99", workerID: "worker-a",
                                                error: "worker worker-a crashed: SIGSEGV", counted: false)))
        #expect(actions.retries.map(\.jobID) == [Self.id(1)])
        #expect(actions.contains(.peerLeft(id: "worker-a", role: .worker, reason: .replaced, requeued: 2)))
        #expect(actions.jobIDs(to: "conn-b") == [Self.id(0), Self.id(2)])
        #expect(h.machine.workers == [.peer("conn-b")])
        #expect(h.journal.failures(of: Self.id(1)) == 1 && h.journal.failures(of: Self.id(0)) == 0)
        #expect(h.violations().isEmpty)
    }

    @Test func aCrashReportForAJobTakenBackAlreadyCountedOrNeverHeldIsIgnored() throws {
        var h = DispatcherHarness(Self.configuration(leaseMs: 2_000))
        try h.hello("conn-a", capacity: 1, id: "worker-a")
        try h.submit(batch: Self.batch, 0..<1)
        h.advance(ms: 1_000)
        try h.heartbeat("conn-a")
        let lapse = h.advance(ms: 1_000)  // not listed: the lapse counts the attempt
        #expect(lapse.retries.map(\.jobID) == [Self.id(0)])
        let actions = try h.hello("conn-b", capacity: 1, id: "worker-b", replaces: "worker-a", crashed: [
            .with { $0.jobID = Self.id(0); $0.error = "SIGILL" },
            .with { $0.jobID = "b1:5"; $0.error = "SIGILL" },
        ])
        #expect(actions.contains(.crashReported(jobID: Self.id(0), workerID: "worker-a", error: "worker worker-a crashed: SIGILL",
                                                counted: false)))
        #expect(actions.contains(.crashReported(jobID: "b1:5", workerID: "worker-a", error: "worker worker-a crashed: SIGILL",
                                                counted: false)))
        #expect(h.journal.failures(of: Self.id(0)) == 1)
        #expect(h.violations().isEmpty)
    }

    @Test func aCrashReportAfterTheCrashedProcessWentSilentStillCountsOnce() throws {
        var h = DispatcherHarness(Self.configuration(maxAttempts: 3))
        try h.hello("conn-a", capacity: 1, id: "worker-a")
        try h.submit(batch: Self.batch, 0..<1)
        let silent = h.advance(ms: 5_000)  // the supervisor is slow: worker-a is declared dead first
        #expect(silent.contains(.peerLeft(id: "worker-a", role: .worker, reason: .silent, requeued: 1)))
        #expect(h.machine.counts.queued == 1)

        // Reported while the job is queued: counted when it is next dispatched.
        let report: [Mirsad_V1_JobFailure] = [.with { $0.jobID = Self.id(0); $0.error = "SIGILL" }]
        let actions = try h.hello("conn-b", capacity: 1, id: "worker-b", replaces: "worker-a", crashed: report)
        #expect(actions.contains(.crashReported(jobID: Self.id(0), workerID: "worker-a", error: "worker worker-a crashed: SIGILL",
                                                counted: true)))
        #expect(actions.jobIDs(to: "conn-b") == [Self.id(0)])
        #expect(h.machine.inFlightJob(Self.id(0))?.failures == 1)
        // The same report again counts nothing more.
        try h.hello("conn-x", capacity: 1, id: "worker-x", replaces: "worker-a", crashed: report)
        #expect(h.machine.inFlightJob(Self.id(0))?.failures == 1)
        try h.deliver(.bye(.init()), from: .peer("conn-x"))

        // worker-b crashes on it too and is also declared dead before its successor says HELLO; with no worker the
        // job waits queued, and its third failure, reported late, dead-letters it instead of sending it again.
        try h.heartbeat("conn-b", jobs: [Self.id(0)])
        h.advance(ms: 5_000)
        #expect(h.machine.counts.queued == 1)
        #expect(h.machine.workers.isEmpty)
        try h.hello("conn-c", capacity: 1, id: "worker-c", replaces: "worker-b", crashed: report)
        #expect(h.machine.counts.failed == 0, "two failures so far")
        try h.heartbeat("conn-c", jobs: [Self.id(0)])
        h.advance(ms: 5_000)
        let last = try h.hello("conn-d", capacity: 1, id: "worker-d", replaces: "worker-c", crashed: report)
        #expect(last.deadLettered == [Self.id(0)])
        #expect(last.jobIDs(to: "conn-d").isEmpty)
        #expect(h.journal.failures(of: Self.id(0)) == 3 && h.machine.counts.failed == 1)
        #expect(h.violations().isEmpty)
    }

    @Test func aLateCrashReportCountsAfterTheDispatcherRestarted() throws {
        var h = DispatcherHarness(Self.configuration(maxAttempts: 2))
        try h.hello("conn-a", capacity: 2, id: "worker-a")
        try h.submit(batch: Self.batch, 0..<2)
        let silent = h.advance(ms: 5_000)  // the supervisor is slow: worker-a is declared dead first
        #expect(silent.contains(.peerLeft(id: "worker-a", role: .worker, reason: .silent, requeued: 2)))

        // The dispatcher restarts before worker-a's successor reports the crash: the journal still knows.
        h.restart()
        let report: [Mirsad_V1_JobFailure] = [.with { $0.jobID = Self.id(0); $0.error = "SIGSEGV" }]
        let actions = try h.hello("conn-b", capacity: 2, id: "worker-b", replaces: "worker-a", crashed: report)
        #expect(actions.contains(.crashReported(jobID: Self.id(0), workerID: "worker-a",
                                                error: "worker worker-a crashed: SIGSEGV", counted: true)))
        #expect(h.journal.failures(of: Self.id(0)) == 1)
        #expect(h.journal.failures(of: Self.id(1)) == 0, "only the job named in the report")
        #expect(h.machine.inFlightJob(Self.id(0))?.failures == 1)

        // The same report again, after another restart, counts nothing more.
        h.restart()
        let again = try h.hello("conn-c", capacity: 2, id: "worker-c", replaces: "worker-a", crashed: report)
        #expect(again.contains(.crashReported(jobID: Self.id(0), workerID: "worker-a",
                                              error: "worker worker-a crashed: SIGSEGV", counted: false)))
        #expect(h.journal.failures(of: Self.id(0)) == 1)
        #expect(h.violations().isEmpty)
    }

    @Test func lateCrashReportsOfWorkersThatWentSilentInTurnAllCount() throws {
        // A poison article crashes each worker it reaches, and each crashed process is declared dead before its
        // successor reports: every report counts, so the job is dead-lettered after its attempts.
        var h = DispatcherHarness(Self.configuration(maxAttempts: 2))
        try h.hello("conn-a", capacity: 1, id: "worker-a")
        try h.submit(batch: Self.batch, 0..<1)
        h.advance(ms: 5_000)  // worker-a silent
        #expect(try h.hello("conn-b", capacity: 1, id: "worker-b").jobIDs(to: "conn-b") == [Self.id(0)])
        h.advance(ms: 5_000)  // worker-b silent too, before worker-a's successor says HELLO
        let report: [Mirsad_V1_JobFailure] = [.with { $0.jobID = Self.id(0); $0.error = "SIGILL" }]
        let first = try h.hello("conn-a2", capacity: 1, id: "worker-a2", replaces: "worker-a", crashed: report)
        #expect(first.contains(.crashReported(jobID: Self.id(0), workerID: "worker-a",
                                              error: "worker worker-a crashed: SIGILL", counted: true)))
        h.advance(ms: 5_000)  // worker-a2 holds the job and goes silent as well
        let second = try h.hello("conn-b2", capacity: 1, id: "worker-b2", replaces: "worker-b", crashed: report)
        #expect(second.deadLettered == [Self.id(0)])
        #expect(h.journal.failures(of: Self.id(0)) == 2 && h.machine.counts.failed == 1)
        #expect(h.violations().isEmpty)
    }

    @Test func aLateCrashReportForAJobThatWasStoredMeanwhileCountsNothing() throws {
        var h = DispatcherHarness(Self.configuration(maxAttempts: 1))
        try h.hello("conn-a", capacity: 1, id: "worker-a")
        try h.submit(batch: Self.batch, 0..<1)
        h.advance(ms: 5_000)  // worker-a goes silent; the job goes to worker-x
        let sent = try h.hello("conn-x", capacity: 1, id: "worker-x")
        #expect(sent.jobIDs(to: "conn-x") == [Self.id(0)])
        try h.hello("c1", capacity: 0, role: .collector)
        try h.done("conn-x", [Self.id(0)])
        try h.stored([Self.id(0)])
        let report: [Mirsad_V1_JobFailure] = [.with { $0.jobID = Self.id(0); $0.error = "SIGSEGV" }]
        let actions = try h.hello("conn-b", capacity: 1, id: "worker-b", replaces: "worker-a", crashed: report)
        #expect(actions.contains(.crashReported(jobID: Self.id(0), workerID: "worker-a",
                                                error: "worker worker-a crashed: SIGSEGV", counted: false)))
        #expect(h.machine.counts.stored == 1 && h.machine.counts.failed == 0)
        #expect(h.violations().isEmpty)
    }

    @Test func aLateCrashReportThatUsesTheLastAttemptDeadLettersTheRunUnderWay() throws {
        var h = DispatcherHarness(Self.configuration(maxAttempts: 1))
        try h.hello("conn-a", capacity: 1, id: "worker-a")
        try h.submit(batch: Self.batch, 0..<1)
        try h.hello("conn-x", capacity: 1, id: "worker-x")
        // worker-a goes silent (its supervisor is slow); the job goes to worker-x, uncounted.
        _ = try Self.wait(&h, workers: ["conn-x"], upToMs: 10_000) {
            $0.machine.inFlightJob(Self.id(0))?.worker == .peer("conn-x")
        }
        #expect(h.machine.inFlightJob(Self.id(0))?.worker == .peer("conn-x"))
        #expect(h.machine.counts.failed == 0)

        // The crash is reported now: it was the job's one allowed attempt, so the run on worker-x is not waited for.
        let report: [Mirsad_V1_JobFailure] = [.with { $0.jobID = Self.id(0); $0.error = "SIGILL" }]
        let actions = try h.hello("conn-b", capacity: 1, id: "worker-b", replaces: "worker-a", crashed: report)
        #expect(actions.deadLettered == [Self.id(0)])
        #expect(h.machine.inFlightJob(Self.id(0)) == nil)
        #expect(h.machine.jobsHeld(by: .peer("conn-x")).isEmpty)
        #expect(h.journal.failures(of: Self.id(0)) == 1 && h.machine.counts.failed == 1)
        #expect(h.violations().isEmpty)
    }

    @Test func workersThatLeaveOrDieGiveTheirJobsBackWithNoAttemptCounted() throws {
        var h = DispatcherHarness(Self.configuration(maxAttempts: 1))
        try h.hello("w1", capacity: 2)
        try h.hello("w2", capacity: 2)
        try h.submit(batch: Self.batch, 0..<4)
        try h.deliver(.bye(.init()), from: .peer("w1"))
        for _ in 0..<5 {
            h.advance(ms: 1_000)
            try h.heartbeat("w2", jobs: Array(h.machine.jobsHeld(by: .peer("w2"))))
        }
        try h.hello("w3", capacity: 4)  // w2 now goes silent
        var actions: [DispatcherAction] = []
        for _ in 0..<5 {
            actions += h.advance(ms: 1_000)
            actions += try h.heartbeat("w3", jobs: Array(h.machine.jobsHeld(by: .peer("w3"))))
        }
        #expect(actions.contains(.peerLeft(id: "w2", role: .worker, reason: .silent, requeued: 2)))
        #expect(h.machine.counts.failed == 0 && h.machine.counts.retrying == 0)
        #expect(h.machine.jobsHeld(by: .peer("w3")).count == 4)
        #expect((0..<4).allSatisfy { h.journal.failures(of: Self.id($0)) == 0 })
    }

    @Test func storedForADeadJobMakesItStoredAndNoLongerADeadLetter() throws {
        var h = DispatcherHarness(Self.configuration(maxAttempts: 1))
        try h.hello("w1", capacity: 1)
        try h.hello("c1", capacity: 0, role: .collector)
        try h.submit(batch: Self.batch, 0..<1)
        try h.done("w1", [], failed: [Self.id(0)])
        #expect(h.machine.counts.failed == 1)
        let stored = try h.stored([Self.id(0), Self.id(0), "b1:77"])
        #expect(stored.contains { if case .jobStored(Self.id(0), Self.batch, _) = $0 { true } else { false } })
        #expect(stored.sent(to: "c1") == [.storedAck(.with { $0.jobIds = [Self.id(0), Self.id(0), "b1:77"] })])
        #expect(h.machine.counts.failed == 0 && h.machine.counts.stored == 1)
        #expect(h.journal.deadLetters(batchID: nil, afterJobID: nil, limit: 10).isEmpty)
        #expect(h.violations().isEmpty)
    }

    @Test func storedWhileRetryingOrQueuedEndsTheJob() throws {
        var h = DispatcherHarness(Self.configuration())
        try h.hello("w1", capacity: 1)
        try h.hello("c1", capacity: 0, role: .collector)
        try h.submit(batch: Self.batch, 0..<2)
        try h.done("w1", [], failed: [Self.id(0)])  // b1:0 retrying, b1:1 now in flight
        try h.stored([Self.id(0)])
        #expect(h.journal.state(of: Self.id(0)) == .stored && h.machine.counts.retrying == 0)
        let later = try Self.wait(&h, workers: ["w1"], upToMs: 5_000) { _ in false }
        #expect(!later.jobIDs(to: "w1").contains(Self.id(0)), "a stored job is never sent again")
        #expect(h.violations().isEmpty)
    }

    @Test func aRestartedDispatcherFindsEveryJobAndQueuesThoseThatWereInFlight() throws {
        var h = DispatcherHarness(Self.configuration(backoffMs: 1_000))
        try h.hello("w1", capacity: 3)
        try h.hello("c1", capacity: 0, role: .collector)
        try h.submit(batch: Self.batch, 0..<6)
        try h.done("w1", [Self.id(0)], failed: [Self.id(1)])  // b1:3, b1:4 dispatched
        try h.stored([Self.id(0)])
        let before = h.machine.counts
        #expect([before.queued, before.inFlight, before.retrying, before.stored] == [1, 3, 1, 1])

        h.restart()
        #expect(h.machine.workers.isEmpty)
        let after = h.machine.counts
        #expect([after.queued, after.inFlight, after.retrying, after.stored, after.total] == [4, 0, 1, 1, 6])
        #expect(h.violations().isEmpty)
        #expect(try h.deliver(.done(.with { $0.jobIds = [Self.id(2)] }), from: .peer("w1")).error(to: "w1")?.code == .unknownPeer)

        // The jobs go out again in their first-queued order; each counts as a redispatch.
        let jobs = try h.hello("w1", capacity: 8)
        #expect(jobs.jobIDs(to: "w1") == [Self.id(2), Self.id(3), Self.id(4), Self.id(5)])
        #expect(h.machine.redispatches == 3)
        let retried = try Self.wait(&h, workers: ["w1"], upToMs: 5_000) { $0.machine.inFlightJob(Self.id(1)) != nil }
        #expect(retried.jobIDs(to: "w1") == [Self.id(1)])
        #expect(h.machine.inFlightJob(Self.id(1))?.failures == 1, "failures survive the restart")

        // A second restart reports the redispatches made so far.
        h.restart()
        #expect(h.machine.redispatches == 4)
    }
}
