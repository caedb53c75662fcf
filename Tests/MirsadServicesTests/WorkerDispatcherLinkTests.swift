import Foundation
import MirsadProtocol
import Testing
import ZeroMQ
@testable import MirsadServices

/// `DispatcherLink` as a worker uses it: lease renewals in chunks, never a plain heartbeat beside them.
@Suite(.timeLimit(.minutes(5)))
struct WorkerDispatcherLinkTests {
    private static func heartbeats(_ received: [FakeRouterPeer.Received]) -> [Mirsad_V1_Heartbeat] {
        received.compactMap { if case .heartbeat(let h) = $0.message { h } else { nil } }
    }

    @Test func leaseRenewalIsChunkedUnderTheIDLimitAndReplacesThePlainHeartbeat() throws {
        let dispatcher = try FakeRouterPeer()
        defer { dispatcher.stop() }
        let context = try ZMQContext()
        defer { context.shutdown() }
        let link = try DispatcherLink(
            context: context, setup: SocketSetup(maxMessageSize: Defaults.socketMaxMessageSize), endpoint: dispatcher.endpoint,
            role: .worker, id: "link-test-\(UInt32.random(in: 0...UInt32.max))", capacity: 8, logger: quietLogger)
        defer { link.close(reason: "test over") }
        let held = (0..<(ProtocolLimits.maxIDsPerMessage + 904)).map { "l:\($0)" }
        var asked = 0
        try link.maintain(heldJobs: { asked += 1; return held })
        #expect(dispatcher.waitUntil { Self.heartbeats($0).count >= 2 })
        let renewals = Self.heartbeats(dispatcher.received)
        #expect(renewals.map(\.jobIds.count) == [ProtocolLimits.maxIDsPerMessage, 904])
        #expect(renewals.flatMap(\.jobIds) == held)

        // Within the interval: neither another renewal (the held jobs are not even asked for) nor a plain heartbeat.
        for _ in 0..<5 { try link.maintain(heldJobs: { asked += 1; return held }) }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(Self.heartbeats(dispatcher.received).count == 2)
        #expect(asked == 1)

        // Holding nothing after an interval: one plain heartbeat.
        Thread.sleep(forTimeInterval: ProtocolTiming.defaultHeartbeatInterval.inSeconds)
        try link.maintain(heldJobs: { [] })
        #expect(dispatcher.waitUntil { Self.heartbeats($0).count == 3 })
        #expect(Self.heartbeats(dispatcher.received).last?.jobIds.isEmpty == true)
    }
}
