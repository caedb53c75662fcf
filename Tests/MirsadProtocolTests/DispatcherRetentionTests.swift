import Testing
@testable import MirsadCore
@testable import MirsadWire

/// Stored jobs forgotten after the retention window, SUBMITs refused while the journal is full, and the journal's
/// identity in WELCOME, SUBMIT_ACK and BATCH_STATUS_REPLY.
@Suite struct DispatcherRetentionTests {
    private func harness(retention: Duration) -> DispatcherHarness {
        var configuration = DispatcherConfiguration(collectorEndpoint: "tcp://127.0.0.1:5571")
        configuration.storedRetention = retention
        return DispatcherHarness(configuration)
    }

    @Test func aStoredJobIsADuplicateWithinTheWindowAndForgottenAfterIt() throws {
        var h = harness(retention: .seconds(60))
        try h.hello("c1", capacity: 0, role: .collector)
        try h.submit(batch: "b1", 0..<3)
        try h.stored(["b1:0", "b1:1", "b1:2"])
        #expect(h.machine.counts.stored == 3)

        h.advance(ms: 59_000)
        let within = try h.submit(batch: "b1", 0..<3, requestID: "again")
        #expect(within.submitAck()?.duplicates == 3, "a resubmission within the window was queued again")
        #expect(h.machine.batchStatus("b1", requestID: "s", now: h.now).known)

        h.advance(ms: 1_100)
        #expect(h.machine.counts.stored == 0, "stored jobs outlived the window")
        #expect(!h.machine.batchStatus("b1", requestID: "s", now: h.now).known, "a batch with every job forgotten is still known")
        #expect(h.violations().isEmpty, "\(h.violations())")
        let after = try h.submit(batch: "b1", 0..<3, requestID: "later")
        #expect(after.submitAck()?.accepted == 3, "a forgotten job was not taken as new")
        #expect(h.violations().isEmpty, "\(h.violations())")
    }

    @Test func onlyStoredJobsAreForgotten() throws {
        var h = harness(retention: .seconds(1))
        try h.hello("c1", capacity: 0, role: .collector)
        try h.hello("w1", capacity: 1)
        try h.submit(batch: "b1", 0..<4)  // b1:0 in flight with w1, the rest queued
        try h.done("w1", [], failed: ["b1:0"], permanent: true)  // dead
        try h.stored(["b1:1"])
        h.advance(ms: 5_000)
        let counts = try #require(h.machine.counts(ofBatch: "b1"))
        #expect(counts.stored == 0 && counts.failed == 1 && counts.total == 3, "\(counts)")
        #expect(h.violations().isEmpty, "\(h.violations())")
    }

    @Test func whileIntakeIsRefusedSubmitsGetStorageFullAndEverythingElseIsServed() throws {
        var h = harness(retention: .seconds(60))
        try h.submit(batch: "b1", 0..<2)
        h.machine.intakeRefusal = "the job journal is full"
        let refused = try h.submit(batch: "b1", 2..<4, requestID: "full")
        let error = try #require(refused.error(to: "producer"))
        #expect(error.code == .storageFull && error.requestID == "full" && error.message.contains("full"))
        let query = try h.deliver(.submit(.with { $0.requestID = "credit" }), from: DispatcherHarness.producer)
        #expect(query.error(to: "producer")?.code == .storageFull, "a credit query was answered as if jobs were taken")
        #expect(h.machine.counts.queued == 2)
        #expect(h.machine.batchStatus("b1", requestID: "s", now: h.now).total == 2)
        #expect(h.machine.status(requestID: "s", now: h.now).journal.contains("full"))
        let welcome = try h.hello("w1", capacity: 2)
        #expect(welcome.jobIDs(to: "w1") == ["b1:0", "b1:1"], "workers are not served while intake is refused")
        h.machine.intakeRefusal = nil
        #expect(try h.submit(batch: "b1", 2..<4, requestID: "room").submitAck()?.accepted == 2)
    }

    @Test func theJournalIdentityIsInWelcomeSubmitAckAndBatchStatus() throws {
        var h = harness(retention: .seconds(60))
        let identity = h.machine.journal.identity
        #expect(!identity.isEmpty)
        let welcome = try h.hello("w1", capacity: 1).sent(to: "w1").compactMap { message -> String? in
            if case .welcome(let welcome) = message { return welcome.journalID }
            return nil
        }
        #expect(welcome == [identity])
        #expect(try h.submit(batch: "b1", 0..<1).submitAck()?.journalID == identity)
        #expect(h.machine.batchStatus("b1", requestID: "s", now: h.now).journalID == identity)
        h.restart()
        #expect(h.machine.journal.identity == identity, "a restart on the same journal changed its identity")
    }
}
