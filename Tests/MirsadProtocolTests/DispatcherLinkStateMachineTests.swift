import Testing
@testable import MirsadCore
@testable import MirsadWire

/// The dispatcher link's session logic on a hand-moved clock: HELLO and WELCOME, heartbeats and lease renewals,
/// liveness and reconnection with backoff, and what the dispatcher's ERROR and BYE bring.
@Suite struct DispatcherLinkStateMachineTests {
    typealias H = DispatcherLinkHarness

    @Test func helloReportsThePreviousProcessUntilWelcomed() throws {
        let crashed = Mirsad_V1_JobFailure.with { $0.jobID = "c:7"; $0.error = "worker process crashed with SIGSEGV while analysing it" }
        var h = H(replaces: "worker-given-id-1", crashed: [crashed])
        let first = try #require(h.actions.hellos.first)
        #expect(h.actions.hellos.count == 1)
        #expect(first.id == "w1")
        #expect(first.replaces == "worker-given-id-1")
        #expect(first.crashed == [crashed])
        #expect(!h.machine.isWelcomed)

        // Welcomed: the dispatcher has it. A later HELLO (the dispatcher forgot the worker) repeats neither.
        let welcome = H.welcome()
        #expect(h.receive(welcome) == [.deliver(welcome)])
        #expect(h.machine.isWelcomed)
        let again = h.receive(.error(.unknownPeer, "who are you"))
        #expect(again.notices == [.forgotten(helloSent: true)])
        let second = try #require(again.hellos.first)
        #expect(second.id == "w1")
        #expect(second.replaces.isEmpty)
        #expect(second.crashed.isEmpty)
        #expect(second.capacity == 8)
    }

    @Test func oneHelloAnswersABurstOfUnknownPeerUntilItIsOverdue() {
        var h = H()
        h.receive(H.welcome(heartbeatMs: 50))
        h.run(for: .milliseconds(500), step: .milliseconds(10))
        // A restarted dispatcher answers each message sent before the new HELLO reached it with UNKNOWN_PEER: one
        // HELLO answers the burst (each HELLO would re-register the worker and requeue its jobs).
        var burst: [DispatcherLinkAction] = []
        for _ in 0..<5 {
            burst += h.receive(.error(.unknownPeer, "who are you"))
            h.now = h.now.advanced(by: .milliseconds(5))
        }
        #expect(burst.hellos.count == 1)
        #expect(burst.notices == [.forgotten(helloSent: true)] + Array(repeating: .forgotten(helloSent: false), count: 4))
        // Unanswered for two heartbeat intervals, the HELLO is overdue: the next UNKNOWN_PEER brings another.
        h.now = h.now.advanced(by: .milliseconds(100))
        #expect(h.receive(.error(.unknownPeer, "who are you")).hellos.count == 1)
        #expect(h.actions.hellos.count == 3)

        // Welcomed again, then the dispatcher says BYE: HELLO again at once.
        h.receive(H.welcome(heartbeatMs: 50))
        h.now = h.now.advanced(by: .milliseconds(50))
        let bye = h.receive(.bye(.with { $0.reason = "restarting" }))
        #expect(bye.notices == [.dispatcherLeft(reason: "restarting", helloSent: true)])
        #expect(bye.hellos.count == 1)
        #expect(h.actions.hellos.allSatisfy { $0.id == "w1" })
    }

    @Test func heartbeatsAtTheWelcomedIntervalWhenNothingElseWasSent() {
        var h = H()
        h.run(for: .milliseconds(900), step: .milliseconds(10))
        #expect(h.actions.heartbeats.isEmpty, "the HELLO counts as sent: nothing before the default 1 s interval")
        h.receive(H.welcome(heartbeatMs: 50))
        var times: [MonotonicInstant] = []
        for _ in 0..<100 {
            h.now = h.now.advanced(by: .milliseconds(10))
            if !h.tick().heartbeats.isEmpty { times.append(h.now) }
        }
        #expect(times.count == 20, "\(times.count) heartbeats in 1 s at a 50 ms interval")
        for (earlier, later) in zip(times, times.dropFirst()) {
            #expect(earlier.duration(to: later) >= .milliseconds(50))
        }
        #expect(h.actions.heartbeats.allSatisfy { $0.jobIds.isEmpty })

        // Anything the service sends counts: a DONE every 30 ms leaves no room for a heartbeat.
        let before = h.actions.heartbeats.count
        for _ in 0..<20 {
            h.now = h.now.advanced(by: .milliseconds(30))
            h.machine.sent(now: h.now)
            h.tick()
        }
        #expect(h.actions.heartbeats.count == before)
    }

    @Test func leaseRenewalIsChunkedUnderTheIDLimitAndReplacesThePlainHeartbeat() {
        var h = H()
        h.receive(H.welcome())
        h.held = (0..<(ProtocolLimits.maxIDsPerMessage + 904)).map { "l:\($0)" }
        let renewals = h.tick().heartbeats
        #expect(renewals.map(\.jobIds.count) == [ProtocolLimits.maxIDsPerMessage, 904])
        #expect(renewals.flatMap(\.jobIds) == h.held)
        #expect(h.asked == 1)

        // Within the interval: neither another renewal (the held jobs are not even asked for) nor a plain heartbeat.
        h.run(for: .milliseconds(900))
        #expect(h.actions.heartbeats.count == 2)
        #expect(h.asked == 1)

        // Every interval after, whatever else was sent, the held jobs are listed again.
        h.machine.sent(now: h.now)
        h.run(for: .milliseconds(100))
        #expect(h.actions.heartbeats.count == 4)

        // Holding nothing after an interval: one plain heartbeat.
        h.held = []
        h.run(for: .seconds(1))
        #expect(h.actions.heartbeats.count == 5)
        #expect(h.actions.heartbeats.last?.jobIds.isEmpty == true)
    }

    @Test func aSilentDispatcherGetsANewConnectionWithBackoffDoublingTo32Seconds() throws {
        var h = H()
        h.receive(H.welcome())
        // Silent past the 5 s liveness timeout: the link waits 1 s, then reconnects and says HELLO.
        h.run(for: .seconds(5))
        #expect(h.actions.notices.isEmpty)
        let silent = h.run(for: .milliseconds(100))
        #expect(silent.notices == [.dispatcherSilent(silentFor: .milliseconds(5_100), reconnectingIn: .seconds(1))])
        let waiting = h.run(for: .milliseconds(900))
        #expect(waiting.isEmpty, "nothing is sent while waiting to reconnect: \(waiting)")
        let reconnect = h.run(for: .milliseconds(100))
        #expect(reconnect.first == .reconnect)
        #expect(reconnect.hellos.count == 1)

        // Each reconnection to a dispatcher that stays silent doubles the wait, up to 32 s.
        var waits: [Duration] = []
        for _ in 0..<7 {
            var notices: [DispatcherLinkNotice] = []
            while notices.isEmpty { notices = h.run(for: .milliseconds(100)).notices }
            guard case .dispatcherSilent(_, let wait) = notices.first else { Issue.record("\(notices)"); return }
            waits.append(wait)
            h.run(for: wait)
        }
        #expect(waits == [2, 4, 8, 16, 32, 32, 32].map { Duration.seconds($0) })
        #expect(h.actions.reconnects == 8)

        // A WELCOME on the new connection brings the backoff back to 1 s.
        h.receive(H.welcome())
        #expect(h.machine.reconnectBackoff == .seconds(1))
    }

    @Test func hearingTheDispatcherWhileWaitingCallsTheReconnectionOff() {
        var h = H()
        h.receive(H.welcome())
        h.run(for: .milliseconds(5_100))
        #expect(h.machine.reconnectAt != nil)
        h.receive(.heartbeat)
        #expect(h.machine.reconnectAt == nil)
        h.run(for: .seconds(3))
        #expect(h.actions.reconnects == 0)
        #expect(h.actions.hellos.count == 1)
    }

    @Test func welcomeSetsTheLivenessTimeout() {
        var h = H()
        h.receive(H.welcome(heartbeatMs: 100, livenessMs: 500))
        #expect(h.machine.heartbeatInterval == .milliseconds(100))
        #expect(h.machine.livenessTimeout == .milliseconds(500))
        h.run(for: .milliseconds(500))
        #expect(h.actions.notices.isEmpty)
        h.run(for: .milliseconds(100))
        #expect(h.actions.notices.count == 1)
    }

    @Test func messagesForTheServiceAreDeliveredAndTheSessionsOwnAreNot() {
        var h = H()
        let jobs = MirsadMessage.jobs(.with { $0.jobs = [SampleValues.job(batch: "b", index: 0)] })
        #expect(h.receive(jobs) == [.deliver(jobs)])
        #expect(h.receive(.heartbeat).isEmpty)
        // Refusals other than UNKNOWN_PEER are faults to log; no HELLO.
        let refused = h.receive(.error(.tooLarge, "too many ids"))
        #expect(refused == [.notice(.refused(code: .tooLarge, message: "too many ids"))])
        #expect(h.machine.close(reason: "shutdown", now: h.now) == [.send(.bye(.with { $0.reason = "shutdown" }))])
    }
}
