import Testing
@testable import MirsadCore
@testable import MirsadWire

/// Producer credit, credit queries, and the dead-letter requests (DEAD_LETTERS, RETRY_DEAD_LETTERS).
@Suite struct DispatcherClientRequestTests {
    static let producer = DispatcherHarness.producer

    /// A harness whose jobs `batch:0 ..< count` of each batch are all dead letters (one attempt allowed).
    static func withDeadLetters(_ batches: [(String, Int)]) throws -> DispatcherHarness {
        var h = DispatcherHarness(.init(maxAttempts: 1))
        try h.hello("w1", capacity: 64)
        for (batch, count) in batches {
            try h.submit(batch: batch, 0..<count)
            try h.done("w1", [], failed: (0..<count).map { "\(batch):\($0)" })
        }
        return h
    }

    static func deadLetters(_ h: inout DispatcherHarness, batch: String = "", after: String = "", limit: UInt32 = 0) throws
        -> Mirsad_V1_DeadLettersReply
    {
        let actions = try h.deliver(.deadLetters(.with {
            $0.requestID = "d"; $0.batchID = batch; $0.afterJobID = after; $0.limit = limit
        }), from: producer)
        guard case .deadLettersReply(let reply)? = actions.sent(to: "producer").first else {
            Issue.record("no DEAD_LETTERS_REPLY in \(actions)")
            return .init()
        }
        #expect(reply.requestID == "d")
        return reply
    }

    static func retry(_ h: inout DispatcherHarness, _ request: Mirsad_V1_RetryDeadLetters) throws
        -> (Mirsad_V1_RetryDeadLettersReply?, [DispatcherAction])
    {
        let actions = try h.deliver(.retryDeadLetters(request), from: producer)
        for case .retryDeadLettersReply(let reply) in actions.sent(to: "producer") { return (reply, actions) }
        return (nil, actions)
    }

    @Test func submitAckGrantsTheRoomLeftUnderTheQueueLimitUpToTheCreditCap() throws {
        var h = DispatcherHarness(.init(maxQueuedJobs: 100, maxProducerCredit: 30))
        #expect(try h.submit(batch: "b", 0..<10).submitAck()?.credit == 30)
        #expect(try h.submit(batch: "b", 10..<80).submitAck()?.credit == 20)
        #expect(try h.submit(batch: "b", 80..<95).submitAck()?.credit == 5)
        // Jobs waiting for a retry count as waiting.
        try h.hello("w1", capacity: 5)
        try h.done("w1", [], failed: (0..<5).map { "b:\($0)" })
        #expect(h.machine.counts.retrying == 5 && h.machine.counts.queued == 85)
        #expect(h.machine.producerCredit == 10)
        // Duplicates take no room.
        #expect(try h.submit(batch: "b", 0..<10).submitAck()?.credit == 10)
    }

    @Test func aSubmitWithoutJobsIsACreditQuery() throws {
        var h = DispatcherHarness(.init(maxQueuedJobs: 10))
        let empty = try h.deliver(.submit(.with { $0.requestID = "q1" }), from: Self.producer)
        let journalID = h.machine.journal.identity
        // No worker nor collector has said HELLO since the harness's dispatcher started.
        #expect(empty.submitAck() == .with {
            $0.requestID = "q1"; $0.credit = 10; $0.journalID = journalID; $0.noWorkerForMs = 1; $0.noCollectorForMs = 1
        })
        try h.submit(batch: "b", 0..<10)
        // Full: the query is still answered (credit 0), never refused with BUSY.
        let full = try h.deliver(.submit(.with { $0.requestID = "q2"; $0.batchID = "b" }), from: Self.producer)
        #expect(full.submitAck() == .with {
            $0.requestID = "q2"; $0.batchID = "b"; $0.credit = 0; $0.journalID = journalID; $0.noWorkerForMs = 1
            $0.noCollectorForMs = 1
        })
        #expect(h.machine.counts.total == 10 && h.machine.refusedMessages == 0)
        #expect(try h.submit(batch: "b", 10..<11).error(to: "producer")?.code == .busy)
        // Still a whole-message refusal when the request id is bad.
        let bad = try h.deliver(.submit(.with { $0.requestID = String(repeating: "x", count: 300) }), from: Self.producer)
        #expect(bad.error(to: "producer")?.code == .invalid)
    }

    @Test func deadLettersAreListedInJobIDOrderPageByPage() throws {
        var h = try Self.withDeadLetters([("b1", 12), ("b2", 3)])
        #expect(h.machine.counts.failed == 15)
        let expected = ((0..<12).map { "b1:\($0)" } + (0..<3).map { "b2:\($0)" })
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }

        var listed: [String] = []
        var after = ""
        var pages = 0
        while true {
            let page = try Self.deadLetters(&h, after: after, limit: 4)
            #expect(page.total == 15)
            #expect(page.letters.count <= 4)
            listed += page.letters.map(\.jobID)
            pages += 1
            guard page.more, let last = page.letters.last else { break }
            after = last.jobID
        }
        #expect(listed == expected)
        #expect(pages == 4)

        let b2 = try Self.deadLetters(&h, batch: "b2")
        #expect(b2.letters.map(\.jobID) == ["b2:0", "b2:1", "b2:2"] && b2.total == 3 && !b2.more)
        #expect(b2.letters.allSatisfy { $0.batchID == "b2" && $0.error == "boom" && $0.workerID == "w1" && $0.attempts == 1 })
        #expect(try Self.deadLetters(&h, batch: "nope").total == 0)
        // No limit: the default (100); a limit above the cap is cut to it (4096), not refused.
        #expect(try Self.deadLetters(&h).letters.count == 15)
        #expect(try Self.deadLetters(&h, limit: 1_000_000).letters.count == 15)
    }

    @Test func retryDeadLettersQueuesThemAgainWithAFreshCountOfAttempts() throws {
        var h = try Self.withDeadLetters([("b1", 3), ("b2", 2)])
        let (reply, actions) = try Self.retry(&h, .with { $0.requestID = "r"; $0.jobIds = ["b1:1", "b1:9", "b1:1", "b2:0"] })
        #expect(reply == .with { $0.requestID = "r"; $0.requeued = 2; $0.notDead = ["b1:9"] })
        #expect(actions.contains(.deadLettersRequeued(count: 2, from: Self.producer)))
        #expect(Set(actions.jobIDs(to: "w1")) == ["b1:1", "b2:0"], "dispatched at once")
        #expect(h.machine.inFlightJob("b1:1")?.failures == 0)
        #expect(h.machine.counts.failed == 3)

        // Retrying a job that is not dead (in flight now) changes nothing.
        #expect(try Self.retry(&h, .with { $0.jobIds = ["b1:1"] }).0?.notDead == ["b1:1"])

        let (batchReply, _) = try Self.retry(&h, .with { $0.all = true; $0.batchID = "b1" })
        #expect(batchReply?.requeued == 2)
        #expect(h.machine.counts(ofBatch: "b1")?.failed == 0 && h.machine.counts(ofBatch: "b2")?.failed == 1)
        let (allReply, _) = try Self.retry(&h, .with { $0.all = true })
        #expect(allReply?.requeued == 1 && h.machine.counts.failed == 0)
        #expect(h.violations().isEmpty)
    }

    @Test(arguments: [
        Mirsad_V1_RetryDeadLetters.with { $0.all = true; $0.jobIds = ["b1:0"] },
        .with { $0.batchID = "b1"; $0.jobIds = ["b1:0"] },
        .with { $0.requestID = String(repeating: "r", count: 257) },
    ])
    func contradictoryRetryRequestsAreRefused(request: Mirsad_V1_RetryDeadLetters) throws {
        var h = try Self.withDeadLetters([("b1", 1)])
        let (reply, actions) = try Self.retry(&h, request)
        #expect(reply == nil)
        #expect(actions.error(to: "producer")?.code == .invalid)
        #expect(h.machine.counts.failed == 1)
    }

    @Test func tooManyIDsAreRefused() throws {
        var h = DispatcherHarness()
        let ids = (0...ProtocolLimits.maxIDsPerMessage).map { "b:\($0)" }
        #expect(try Self.retry(&h, .with { $0.jobIds = ids }).1.error(to: "producer")?.code == .tooLarge)
        try h.hello("w1", capacity: 1)
        #expect(try h.heartbeat("w1", jobs: ids).error(to: "w1")?.code == .tooLarge)
    }

    @Test func onlyClientsMayAskForDeadLetters() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 1)
        try h.hello("c1", capacity: 0, role: .collector)
        #expect(try h.deliver(.deadLetters(.init()), from: .peer("w1")).error(to: "w1")?.code == .notAllowed)
        #expect(try h.deliver(.retryDeadLetters(.init()), from: .peer("c1")).error(to: "c1")?.code == .notAllowed)
    }
}
