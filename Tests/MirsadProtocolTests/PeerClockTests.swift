import Testing
@testable import MirsadCore
@testable import MirsadWire

/// STATUS_REPLY lists every peer's version and clock offset, collectors included (protocol section 10.7).
@Suite struct PeerClockTests {
    static func status(_ h: inout DispatcherHarness) throws -> Mirsad_V1_StatusReply {
        let actions = try h.deliver(.status(.with { $0.requestID = "s" }), from: DispatcherHarness.producer)
        guard case .replyStatus(let reply, _)? = actions.first else { throw TestError("no status reply in \(actions)") }
        return reply
    }

    struct TestError: Error { let text: String; init(_ text: String) { self.text = text } }

    @Test func offsetsComeFromHelloAndHeartbeatsAndCollectorsAreListed() throws {
        var h = DispatcherHarness()
        let now = h.now.wall.milliseconds
        try h.deliver(.hello(.with {
            $0.role = .worker; $0.id = "w1"; $0.host = "host-b"; $0.pid = 2; $0.version = "mirsad 2"; $0.capacity = 4
            $0.sentUnixMs = now + 1_500
        }), from: .peer("w1"))
        try h.hello("w2", capacity: 4)  // an older peer: no clock
        try h.hello("c1", capacity: 0, role: .collector)
        var reply = try Self.status(&h)
        #expect(reply.workers.map(\.id) == ["w1", "w2"])
        #expect(reply.workers[0].clockKnown && reply.workers[0].clockOffsetMs == 1_500)
        #expect(reply.workers[0].version == "mirsad 2" && reply.workers[0].host == "host-b")
        #expect(!reply.workers[1].clockKnown)
        #expect(reply.collectors == 1 && reply.collectorSessions.map(\.id) == ["c1"])
        #expect(reply.collectorSessions[0].version == "test")

        // A heartbeat keeps the offset current.
        try h.deliver(.heartbeat(.with { $0.sentUnixMs = now - 300 }), from: .peer("w1"))
        reply = try Self.status(&h)
        #expect(reply.workers[0].clockOffsetMs == -300)
        // One without the field leaves it as it was.
        try h.deliver(.heartbeat(.with { $0.sentUnixMs = 0 }), from: .peer("w1"))
        #expect(try Self.status(&h).workers[0].clockOffsetMs == -300)
    }
}
