import Testing
@testable import MirsadWire

@Suite struct DispatcherStateMachineTests {
    static let batch = "b1"
    static func id(_ i: Int) -> String { "b1:\(i)" }

    @Test func helloIsWelcomedWithTimingAndLimits() throws {
        var h = DispatcherHarness()
        let actions = try h.hello("w1", capacity: 4)
        #expect(actions.contains(.peerJoined(id: "w1", role: .worker, capacity: 4)))
        guard case .welcome(let welcome)? = actions.sent(to: "w1").first else {
            Issue.record("no WELCOME in \(actions)")
            return
        }
        #expect(welcome.collectorEndpoint == "tcp://127.0.0.1:5571")
        #expect(welcome.heartbeatIntervalMs == 1000)
        #expect(welcome.livenessTimeoutMs == 5000)
        #expect(welcome.limits.maxArticleBytes == UInt32(ProtocolLimits.maxArticleBytes))
        #expect(h.machine.role(of: .peer("w1")) == .worker)
    }

    @Test func dispatchNeverExceedsCreditAndDoneReturnsIt() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 3)
        let first = try h.submit(batch: Self.batch, 0..<10)
        #expect(first.jobIDs(to: "w1") == [Self.id(0), Self.id(1), Self.id(2)])
        #expect(h.machine.counts.queued == 7 && h.machine.counts.inFlight == 3)

        let more = try h.done("w1", [Self.id(0), Self.id(1)])
        #expect(more.jobIDs(to: "w1") == [Self.id(3), Self.id(4)])
        #expect(h.machine.jobsHeld(by: .peer("w1")).count == 3)
        #expect(h.machine.counts.awaitingStore == 2)
        #expect(h.advance(ms: 10).jobIDs(to: "w1").isEmpty, "no credit left, nothing more is sent")
    }

    @Test func jobsAreBatchedUpToTheMessageLimit() throws {
        var h = DispatcherHarness()
        try h.submit(batch: Self.batch, 0..<256)
        try h.submit(batch: Self.batch, 256..<300)
        let actions = try h.hello("w1", capacity: 300)
        let sizes = actions.sent(to: "w1").compactMap { message -> Int? in
            if case .jobsView(let jobs) = message { return jobs.jobs.count }
            return nil
        }
        #expect(sizes == [256, 44])
        #expect(actions.jobIDs(to: "w1") == (0..<300).map(Self.id))
    }

    @Test func equalWorkersShareTheQueueEvenly() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 4)
        try h.hello("w2", capacity: 4)
        let actions = try h.submit(batch: Self.batch, 0..<4)
        #expect(actions.jobIDs(to: "w1").count == 2)
        #expect(actions.jobIDs(to: "w2").count == 2)

        // One job at a time: the worker served first alternates.
        try h.done("w1", actions.jobIDs(to: "w1"))
        try h.done("w2", actions.jobIDs(to: "w2"))
        var firsts: [String] = []
        for i in 4..<8 {
            let one = try h.submit(batch: Self.batch, i..<(i + 1))
            firsts.append(one.jobIDs(to: "w1").isEmpty ? "w2" : "w1")
            try h.done(firsts.last!, [Self.id(i)])
        }
        #expect(Set(firsts) == ["w1", "w2"])
    }

    @Test func unequalCapacitiesAreFilled() throws {
        var h = DispatcherHarness()
        try h.hello("small", capacity: 1)
        try h.hello("big", capacity: 8)
        let actions = try h.submit(batch: Self.batch, 0..<20)
        #expect(actions.jobIDs(to: "small").count == 1)
        #expect(actions.jobIDs(to: "big").count == 8)
        #expect(h.machine.counts.queued == 11)
    }

    @Test func silentWorkerIsDeclaredDeadAndItsJobsGoFirstToTheNext() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 2)
        try h.submit(batch: Self.batch, 0..<3)
        h.advance(ms: 4_999)
        #expect(h.machine.workers == [.peer("w1")])
        let dead = h.advance(ms: 1)
        #expect(dead.contains(.peerLeft(id: "w1", role: .worker, reason: .silent, requeued: 2)))
        #expect(h.machine.counts.queued == 3 && h.machine.counts.inFlight == 0)
        #expect(h.machine.workers.isEmpty)

        let next = try h.hello("w2", capacity: 3)
        #expect(next.jobIDs(to: "w2") == [Self.id(0), Self.id(1), Self.id(2)])
        // The dead worker is told to start again if it speaks.
        #expect(try h.done("w1", [Self.id(0)]).error(to: "w1")?.code == .unknownPeer)
    }

    @Test func anyMessageKeepsAWorkerAlive() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 1)
        try h.submit(batch: Self.batch, 0..<1)
        for _ in 0..<10 {
            h.advance(ms: 1_000)
            try h.deliver(.heartbeat, from: .peer("w1"))
        }
        #expect(h.machine.workers == [.peer("w1")])
        #expect(h.machine.inFlightJob(Self.id(0))?.worker == .peer("w1"))
    }

    @Test func heartbeatsAreSentOnlyToIdleSessions() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 1)
        try h.hello("c1", capacity: 0, role: .collector)
        #expect(h.advance(ms: 999).sent(to: "w1").isEmpty)
        let beat = h.advance(ms: 1)
        #expect(beat.sent(to: "w1") == [.heartbeat])
        #expect(beat.sent(to: "c1") == [.heartbeat])
        #expect(beat.sent(to: "producer").isEmpty)
    }

    @Test func resubmissionIsIdempotent() throws {
        var h = DispatcherHarness()
        #expect(try h.submit(batch: Self.batch, 0..<5).submitAck()?.accepted == 5)
        let again = try #require(try h.submit(batch: Self.batch, 3..<8).submitAck())
        #expect(again.accepted == 3 && again.duplicates == 2)
        #expect(h.machine.counts.total == 8 && h.machine.counts.queued == 8)

        try h.hello("c1", capacity: 0, role: .collector)
        try h.deliver(.stored(.with { $0.jobIds = [Self.id(0)] }), from: .peer("c1"))
        let late = try #require(try h.submit(batch: Self.batch, 0..<1).submitAck())
        #expect(late.duplicates == 1 && late.accepted == 0)
        #expect(h.journal.state(of: Self.id(0)) == .stored)
    }

    @Test func badJobsAreRejectedByIndexAndTheRestAccepted() throws {
        var h = DispatcherHarness()
        var submit = SampleValues.submit(batch: Self.batch, indices: 0..<5)
        submit.jobs[1].jobID = "other:1"
        submit.jobs[2].article.text = String(repeating: "a", count: ProtocolLimits.maxArticleBytes + 1)
        submit.jobs[3].clearArticle()
        submit.jobs[4].jobID = "b1:04"
        let ack = try #require(try h.deliver(.submit(submit), from: DispatcherHarness.producer).submitAck())
        #expect(ack.accepted == 1)
        #expect(ack.rejected.map(\.index) == [1, 2, 3, 4])
        #expect(ack.rejected[1].reason.contains("above the limit"))
        #expect(h.machine.counts.total == 1)
    }

    @Test func wholeSubmitRefusals() throws {
        var h = DispatcherHarness(.init(maxQueuedJobs: 10))
        let tooMany = try h.deliver(.submit(SampleValues.submit(batch: Self.batch, indices: 0..<257, requestID: "x")),
                                    from: DispatcherHarness.producer)
        #expect(tooMany.error(to: "producer")?.code == .tooLarge)
        #expect(tooMany.error(to: "producer")?.requestID == "x")
        var unnamed = SampleValues.submit(batch: Self.batch, indices: 0..<1)
        unnamed.batchID = ""
        #expect(try h.deliver(.submit(unnamed), from: DispatcherHarness.producer).error(to: "producer")?.code == .invalid)
        try h.submit(batch: Self.batch, 0..<8)
        #expect(try h.submit(batch: Self.batch, 8..<11).error(to: "producer")?.code == .busy)
        #expect(h.machine.counts.total == 8)
        #expect(h.machine.refusedMessages == 3)
    }

    @Test func statusAndBatchStatusCountEveryState() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 5)
        try h.hello("c1", capacity: 0, role: .collector)
        try h.submit(batch: Self.batch, 0..<6)
        try h.submit(batch: "b2", 0..<1)
        h.now = h.now.advanced(by: .milliseconds(2_000))
        try h.done("w1", [Self.id(0), Self.id(1), Self.id(2)], failed: [Self.id(3)])
        let stored = try h.deliver(.stored(.with { $0.jobIds = [Self.id(0), Self.id(1)] }), from: .peer("c1"))
        #expect(stored.contains(.jobStored(jobID: Self.id(0), batchID: Self.batch, latency: .milliseconds(2_000))))
        #expect(stored.sent(to: "c1") == [.storedAck(.with { $0.jobIds = [Self.id(0), Self.id(1)] })])

        let batch = try h.deliver(.batchStatus(.with { $0.requestID = "q"; $0.batchID = Self.batch }), from: DispatcherHarness.producer)
        guard case .batchStatusReply(let b)? = batch.sent(to: "producer").first else {
            Issue.record("no BATCH_STATUS_REPLY")
            return
        }
        #expect(b.requestID == "q" && b.known)
        #expect([b.total, b.queued, b.inFlight, b.retrying, b.awaitingStore, b.stored, b.failed] == [6, 0, 2, 1, 1, 2, 0])

        let status = try h.deliver(.status(.with { $0.requestID = "s" }), from: DispatcherHarness.producer)
        guard case .replyStatus(let s, let to)? = status.first else {
            Issue.record("no status reply in \(status)")
            return
        }
        #expect(to == DispatcherHarness.producer && s.requestID == "s")
        // The four jobs reported in DONE freed credit for b1:5 and b2:0, so b1:4, b1:5 and b2:0 are in flight;
        // b1:3 failed its first attempt and waits for its retry.
        #expect([s.queued, s.inFlight, s.retrying, s.awaitingStore, s.stored, s.failed, s.deadLetters] == [0, 3, 1, 1, 2, 0, 0])
        #expect(s.journal == "memory" && s.redispatches == 0)
        #expect(s.workers.map(\.id) == ["w1"] && s.workers[0].done == 3 && s.workers[0].failed == 1)
        #expect(s.collectors == 1 && s.batches == 2 && s.uptimeMs == 2_000)
        #expect(s.throughput10S == 0.2)

        let unknown = try h.deliver(.batchStatus(.with { $0.batchID = "nope" }), from: DispatcherHarness.producer)
        let journalID = h.machine.journal.identity
        #expect(unknown.sent(to: "producer") == [.batchStatusReply(.with {
            $0.batchID = "nope"; $0.known = false; $0.journalID = journalID
        })])
    }

    @Test func storedBeforeDoneStoresAndDoneOnlyReturnsCredit() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 1)
        try h.hello("c1", capacity: 0, role: .collector)
        try h.submit(batch: Self.batch, 0..<2)
        try h.deliver(.stored(.with { $0.jobIds = [Self.id(0)] }), from: .peer("c1"))
        #expect(h.journal.state(of: Self.id(0)) == .stored)
        #expect(h.machine.inFlightJob(Self.id(0)) == nil)
        #expect(h.machine.jobsHeld(by: .peer("w1")) == [Self.id(0)])
        let next = try h.done("w1", [Self.id(0)])
        #expect(h.journal.state(of: Self.id(0)) == .stored)
        #expect(next.jobIDs(to: "w1") == [Self.id(1)])
        #expect(h.machine.counts.stored == 1 && h.machine.counts.awaitingStore == 0)
    }

    @Test func doneForJobsNotHeldChangesNothing() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 1)
        try h.hello("w2", capacity: 1)
        try h.submit(batch: Self.batch, 0..<1)
        let holder = h.machine.jobsHeld(by: .peer("w1")).isEmpty ? "w2" : "w1"
        let other = holder == "w1" ? "w2" : "w1"
        try h.done(other, [Self.id(0), "b1:99"], failed: [Self.id(0)])
        #expect(h.machine.inFlightJob(Self.id(0))?.worker == .peer(holder))
        #expect(h.machine.inFlightJob(Self.id(0))?.deadline == h.now.monotonic.advanced(by: ProtocolTiming.defaultJobLease))
        #expect(h.machine.counts.inFlight == 1 && h.machine.counts.retrying == 0 && h.machine.counts.failed == 0)
    }

    @Test func byeRequeuesAndEndsTheSession() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 2)
        try h.submit(batch: Self.batch, 0..<2)
        let bye = try h.deliver(.bye(.with { $0.reason = "stopping" }), from: .peer("w1"))
        #expect(bye == [.peerLeft(id: "w1", role: .worker, reason: .bye, requeued: 2)])
        #expect(h.machine.counts.queued == 2)
        #expect(h.advance(ms: 5_000).sent(to: "w1").isEmpty, "no heartbeats to a peer that left")
    }

    @Test func sameWorkerIDOnANewConnectionReplacesTheOldSession() throws {
        var h = DispatcherHarness()
        try h.hello("conn-a", capacity: 2, id: "worker-7")
        try h.submit(batch: Self.batch, 0..<2)
        let again = try h.hello("conn-b", capacity: 2, id: "worker-7")
        #expect(again.contains(.peerLeft(id: "worker-7", role: .worker, reason: .replaced, requeued: 2)))
        #expect(again.jobIDs(to: "conn-b") == [Self.id(0), Self.id(1)])
        #expect(h.machine.workers == [.peer("conn-b")])
    }

    @Test(arguments: [
        ("w1", MirsadMessage.submit(SampleValues.submit(batch: "b1", indices: 0..<1)), Mirsad_V1_ErrorCode.notAllowed),
        ("w1", .stored(.init()), .notAllowed),
        ("c1", .done(.init()), .notAllowed),
        ("c1", .status(.init()), .notAllowed),
        ("stranger", .done(.init()), .unknownPeer),
        ("stranger", .heartbeat, .unknownPeer),
        ("stranger", .stored(.init()), .unknownPeer),
        ("stranger", .jobs(.init()), .notAllowed),
        ("stranger", .welcome(.init()), .notAllowed),
        ("w1", .results(.init()), .notAllowed),
    ] as [(String, MirsadMessage, Mirsad_V1_ErrorCode)])
    func commandsAreCheckedAgainstTheSendersRole(peer: String, message: MirsadMessage, code: Mirsad_V1_ErrorCode) throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 1)
        try h.hello("c1", capacity: 0, role: .collector)
        let actions = try h.deliver(message, from: .peer(peer))
        #expect(actions.error(to: peer)?.code == code)
        #expect(actions.error(to: peer)?.command == UInt32(message.command.rawValue))
        #expect(h.machine.refusedMessages == 1)
        #expect(h.machine.counts.total == 0)
    }

    @Test(arguments: [
        Mirsad_V1_Hello.with { $0.role = .worker; $0.id = "w"; $0.capacity = 0 },
        .with { $0.role = .worker; $0.id = "w"; $0.capacity = UInt32(ProtocolLimits.maxCredit + 1) },
        .with { $0.role = .unspecified; $0.id = "w"; $0.capacity = 1 },
        .with { $0.role = .worker; $0.id = ""; $0.capacity = 1 },
    ])
    func invalidHelloIsRefused(hello: Mirsad_V1_Hello) throws {
        var h = DispatcherHarness()
        let actions = try h.deliver(.hello(hello), from: .peer("w"))
        #expect(actions.error(to: "w")?.code == .invalid)
        #expect(h.machine.workers.isEmpty)
    }

    @Test func malformedFramesAreCountedAndNeverAnswered() {
        var h = DispatcherHarness()
        let garbage: [[[UInt8]]] = [[], [[1]], [[1], [2], [3], [4], [5]], [[1], Array("MRSD1".utf8), [0x99], []],
                                    [[1], Array("MRSD1".utf8), [0x10], [0xFF, 0xFF]]]
        for frames in garbage {
            let actions = h.machine.received(frames: frames, now: h.now)
            #expect(actions.count == 1)
            guard case .droppedMalformed? = actions.first else {
                Issue.record("expected a drop, got \(actions)")
                continue
            }
        }
        #expect(h.machine.malformedMessages == UInt64(garbage.count))
    }

    @Test func anotherProtocolVersionIsToldSo() {
        var h = DispatcherHarness()
        let actions = h.machine.received(frames: [[7], Array("MRSD2".utf8), [0x01], []], now: h.now)
        #expect(actions.error(to: "\u{7}")?.code == .versionMismatch)
        #expect(h.machine.malformedMessages == 1)
    }

    @Test func peerErrorsAreReportedNotAnswered() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 1)
        let error = Mirsad_V1_Error.with { $0.code = .invalid; $0.message = "bad job" }
        #expect(try h.deliver(.error(error), from: .peer("w1")) == [.peerReportedError(error, from: .peer("w1"))])
    }

    @Test func stopSaysByeToEverySession() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 1)
        try h.hello("c1", capacity: 0, role: .collector)
        try h.submit(batch: Self.batch, 0..<1)
        let actions = h.machine.stop(now: h.now)
        #expect(actions.sent(to: "w1").count == 1 && actions.sent(to: "c1").count == 1)
        #expect(actions.contains(.peerLeft(id: "w1", role: .worker, reason: .dispatcherStopping, requeued: 1)))
        #expect(h.machine.workers.isEmpty && h.machine.counts.queued == 1)
    }
}
