import Testing
@testable import MirsadCore
@testable import MirsadWire

/// What the dispatcher tells people and peers: refusals in words that fit, how long workers or collectors have been
/// missing, jobs whose STORED is overdue, and the points where the spec and the implementation once disagreed.
@Suite struct DispatcherSignalTests {
    @Test func aSessionCommandWithoutASessionIsUnknownPeerAndDoesNotCallTheSenderAClient() throws {
        var h = DispatcherHarness()
        let actions = try h.done("w1", ["b:0"])
        let error = try #require(actions.error(to: "w1"))
        #expect(error.code == .unknownPeer && error.command == UInt32(Command.done.rawValue))
        #expect(!error.message.contains("client"), "\(error.message)")
        #expect(error.message.contains("HELLO"))
    }

    @Test func aCollectorHelloWithACapacityIsRefused() throws {
        var h = DispatcherHarness()
        let actions = try h.hello("c1", capacity: 3, role: .collector)
        let error = try #require(actions.error(to: "c1"))
        #expect(error.code == .invalid && error.command == UInt32(Command.hello.rawValue))
        #expect(error.message.contains("collector capacity must be 0"))
        #expect(h.machine.role(of: .peer("c1")) == .client)
        #expect(try h.hello("c1", capacity: 0, role: .collector).error(to: "c1") == nil)
    }

    @Test func versionMismatchNamesTheRefusedCommand() throws {
        var h = DispatcherHarness()
        let hello = try Mirsad_V1_Hello.with { $0.role = .worker; $0.id = "w2"; $0.capacity = 1 }.serializedBytes() as [UInt8]
        let actions = h.machine.received(frames: [RoutingID.peer("w2"), Array("MRSD2".utf8), [0x01], hello], now: h.now)
        let error = try #require(actions.error(to: "w2"))
        #expect(error.code == .versionMismatch && error.command == 0x01)
    }

    @Test func welcomeCarriesEveryLimitAWorkerMustKeep() throws {
        var h = DispatcherHarness()
        let welcome = try #require(try h.hello("w1", capacity: 1).sent(to: "w1").compactMap { message -> Mirsad_V1_Welcome? in
            if case .welcome(let welcome) = message { return welcome }
            return nil
        }.first)
        #expect(welcome.limits.maxIdsPerMessage == UInt32(ProtocolLimits.maxIDsPerMessage))
        #expect(welcome.limits.maxCredit == UInt32(ProtocolLimits.maxCredit))
    }

    @Test func batchStatusTotalCountsRetryingJobs() throws {
        var h = DispatcherHarness()
        try h.submit(batch: "b", 0..<3)
        try h.hello("w1", capacity: 3)
        try h.done("w1", ["b:0"], failed: ["b:1"])
        let reply = h.machine.batchStatus("b", requestID: "", now: h.now)
        #expect(reply.retrying == 1)
        #expect(reply.total == reply.queued + reply.inFlight + reply.retrying + reply.awaitingStore + reply.stored + reply.failed)
        #expect(reply.total == 3)
    }

    @Test func statusSaysHowLongNoWorkerOrCollectorHasBeenConnected() throws {
        var h = DispatcherHarness()
        h.advance(ms: 2_000)
        var status = h.machine.status(requestID: "", now: h.now)
        #expect(status.noWorkerForMs == 2_000 && status.noCollectorForMs == 2_000)
        try h.hello("w1", capacity: 1)
        try h.hello("c1", capacity: 0, role: .collector)
        status = h.machine.status(requestID: "", now: h.now)
        #expect(status.noWorkerForMs == 0 && status.noCollectorForMs == 0)
        try h.deliver(.bye(.init()), from: .peer("w1"))
        h.advance(ms: 700)
        status = h.machine.status(requestID: "", now: h.now)
        #expect(status.noWorkerForMs == 700, "counted from when the last worker left")
        #expect(h.machine.batchStatus("x", requestID: "", now: h.now).noWorkerForMs == 700)
        // The collector, silent past the liveness timeout, is declared dead: missing from then on.
        h.advance(ms: 5_000)
        status = h.machine.status(requestID: "", now: h.now)
        #expect(status.noCollectorForMs >= 1 && status.noCollectorForMs <= 1_000)
        #expect(h.violations() == [])
    }

    @Test func aJobWhoseStoredIsOverdueRunsAgainAndIsStoredOnce() throws {
        var h = DispatcherHarness(.init(collectorEndpoint: "tcp://127.0.0.1:5571", storeDeadline: .seconds(60)))
        try h.submit(batch: "b", 0..<2)
        try h.hello("w1", capacity: 2)
        try h.hello("c1", capacity: 0, role: .collector)
        try h.done("w1", ["b:0", "b:1"])
        try h.stored(["b:1"], collector: "c1")
        #expect(h.machine.counts.awaitingStore == 1)
        // Keep the worker and the collector alive, and come to the deadline.
        for _ in 0..<59 {
            try h.heartbeat("w1")
            try h.heartbeat("c1")
            h.advance(ms: 1_000)
        }
        #expect(h.machine.counts.awaitingStore == 1)
        try h.heartbeat("w1")
        try h.heartbeat("c1")
        let actions = h.advance(ms: 1_000)
        #expect(actions.contains(.storeOverdue(count: 1, firstJobID: "b:0", deadline: .seconds(60))))
        #expect(actions.jobIDs(to: "w1") == ["b:0"], "queued again and dispatched from its kept article")
        #expect(h.machine.inFlightJob("b:0")?.dispatches == 2)
        try h.stored(["b:0"], collector: "c1")
        #expect(h.machine.counts.stored == 2 && h.machine.counts.total == 2)
        #expect(h.violations() == [])
    }
}
