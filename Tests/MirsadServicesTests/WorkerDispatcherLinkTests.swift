import Foundation
import MirsadCore
import MirsadWire
import Testing
import ZeroMQ
@testable import MirsadServices

/// `DispatcherLink`'s wiring to its socket and clock: what its state machine decides goes out on the DEALER, what
/// comes in reaches the machine, and a reconnection opens a new socket. The session logic itself is tested on
/// `DispatcherLinkStateMachine`.
@Suite(.timeLimit(.minutes(5)))
struct WorkerDispatcherLinkTests {
    private static func heartbeats(_ received: [FakeRouterPeer.Received]) -> [Mirsad_V1_Heartbeat] {
        received.compactMap { if case .heartbeat(let h) = $0.message { h } else { nil } }
    }

    private static func hellos(_ received: [FakeRouterPeer.Received]) -> [Mirsad_V1_Hello] {
        received.compactMap { if case .hello(let h) = $0.message { h } else { nil } }
    }

    /// A link to `dispatcher` on a hand-moved clock.
    private static func link(to dispatcher: FakeRouterPeer, context: ZMQContext, clock: ManualClock) throws -> DispatcherLink {
        try DispatcherLink(
            context: context, setup: SocketSetup(maxMessageSize: Defaults.socketMaxMessageSize), endpoint: dispatcher.endpoint,
            role: .worker, id: "link-test-\(UInt32.random(in: 0...UInt32.max))", capacity: 8, clock: clock.serviceClock,
            logger: quietLogger)
    }

    /// Reads from the link until it delivers a message or `seconds` pass.
    private static func nextDelivered(_ link: DispatcherLink, seconds: Double = 5) throws -> MirsadMessage? {
        var problems = ProblemLog()
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            var poller = Poller()
            poller.register(link.socket)
            guard try poller.poll(timeoutMilliseconds: 50)[0].contains(.readable) else { continue }
            if let message = try link.receive(problems: &problems) { return message }
        }
        return nil
    }

    @Test func leaseRenewalsAndHeartbeatsGoOutOnTheSocket() throws {
        let dispatcher = try FakeRouterPeer()
        defer { dispatcher.stop() }
        let context = try ZMQContext()
        defer { context.shutdown() }
        let clock = ManualClock()
        let link = try Self.link(to: dispatcher, context: context, clock: clock)
        defer { link.close(reason: "test over") }
        #expect(dispatcher.waitUntil { Self.hellos($0).count == 1 })

        let held = (0..<(ProtocolLimits.maxIDsPerMessage + 904)).map { "l:\($0)" }
        try link.maintain(heldJobs: { held })
        #expect(dispatcher.waitUntil { Self.heartbeats($0).count >= 2 })
        let renewals = Self.heartbeats(dispatcher.received)
        #expect(renewals.map(\.jobIds.count) == [ProtocolLimits.maxIDsPerMessage, 904])
        #expect(renewals.flatMap(\.jobIds) == held)

        // Holding nothing an interval later: one plain heartbeat.
        clock.advance(by: .seconds(1))
        try link.maintain(heldJobs: { [] })
        #expect(dispatcher.waitUntil { Self.heartbeats($0).count == 3 })
        #expect(Self.heartbeats(dispatcher.received).last?.jobIds.isEmpty == true)
    }

    @Test func welcomeIsDeliveredAndUnknownPeerBringsHelloAgain() throws {
        let dispatcher = try FakeRouterPeer()
        defer { dispatcher.stop() }
        let context = try ZMQContext()
        defer { context.shutdown() }
        let clock = ManualClock()
        let link = try Self.link(to: dispatcher, context: context, clock: clock)
        defer { link.close(reason: "test over") }
        #expect(dispatcher.waitUntil { Self.hellos($0).count == 1 })
        let peer = try #require(dispatcher.received.first?.peer)

        var welcome = Mirsad_V1_Welcome()
        welcome.heartbeatIntervalMs = 250
        try dispatcher.send(.welcome(welcome), to: peer)
        #expect(try Self.nextDelivered(link) == .welcome(welcome))

        // The session's own messages stay with the link: UNKNOWN_PEER is answered with HELLO, and the JOBS after
        // it is the next thing delivered.
        try dispatcher.send(.error(.unknownPeer, "who are you"), to: peer)
        try dispatcher.send(.jobs(Mirsad_V1_Jobs()), to: peer)
        let next = try Self.nextDelivered(link)
        if case .jobsView = next {} else { Issue.record("delivered \(String(describing: next))") }
        #expect(dispatcher.waitUntil { Self.hellos($0).count == 2 })

        // The welcomed interval is the link's now.
        clock.advance(by: .milliseconds(250))
        try link.maintain()
        #expect(dispatcher.waitUntil { Self.heartbeats($0).count == 1 })
    }

    @Test func aSilentDispatcherGetsANewSocketAndHelloAfterTheBackoff() throws {
        // A ROUTER as services bind it: a new connection with the same routing id takes over (ZMQ_ROUTER_HANDOVER).
        let context = try ZMQContext()
        defer { context.shutdown() }
        let setup = SocketSetup(maxMessageSize: Defaults.socketMaxMessageSize)
        let router = try setup.boundRouter(context, endpoint: "tcp://127.0.0.1:*")
        defer { router.close() }
        var hellos = 0
        func waitForHellos(_ count: Int) throws -> Bool {
            var poller = Poller()
            poller.register(router)
            let deadline = Date(timeIntervalSinceNow: 10)
            while hellos < count && Date() < deadline {
                guard try poller.poll(timeoutMilliseconds: 50)[0].contains(.readable) else { continue }
                while let raw = try router.receive(dontWait: true) {
                    if case (_, .success(.hello)) = FrameCodec.decodeRouted(raw.frames) { hellos += 1 }
                }
            }
            return hellos >= count
        }
        let clock = ManualClock()
        let link = try DispatcherLink(
            context: context, setup: setup, endpoint: try router.lastEndpoint, role: .worker, id: "link-reconnect",
            capacity: 8, clock: clock.serviceClock, logger: quietLogger)
        defer { link.close(reason: "test over") }
        #expect(try waitForHellos(1))
        let first = link.socket

        clock.advance(by: .milliseconds(5_001))
        try link.maintain()
        #expect(link.socket === first, "reconnected before the backoff")
        clock.advance(by: .seconds(1))
        try link.maintain()
        #expect(link.socket !== first)
        #expect(try waitForHellos(2), "no HELLO on the new connection")
    }
}
