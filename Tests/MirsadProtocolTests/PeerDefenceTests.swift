import Testing
@testable import MirsadCore
@testable import MirsadWire

/// What a service does about peers that misbehave: cut-offs for peers that do not read, the per-kind counts STATUS
/// reports, the rate limit of the log lines they cause, and the escaping of the text they choose.
@Suite struct PeerDefenceTests {
    static let batch = "9a1c1a7e-4b1d-4f0e-8b3a-2c5d6e7f8a90"
    static let t0 = MonotonicInstant(sinceOrigin: .seconds(10))

    // MARK: Cut-offs

    @Test func aPeerWhoseQueueIsFullIsCutOffForTheCooldownOnly() {
        var cutOff = PeerCutOff(cooldown: .seconds(5))
        let peer: RoutingID = [1, 2, 3]
        #expect(!cutOff.isCutOff(peer, now: Self.t0))
        let first = cutOff.queueFull(peer, now: Self.t0)
        let again = cutOff.queueFull(peer, now: Self.t0.advanced(by: .seconds(1)))
        #expect(first)
        #expect(!again, "already cut off: not a new cut-off")
        #expect(cutOff.isCutOff(peer, now: Self.t0.advanced(by: .seconds(5))), "the cooldown restarts with each full queue")
        #expect(!cutOff.isCutOff(peer, now: Self.t0.advanced(by: .seconds(6))))
        #expect(!cutOff.isCutOff([9], now: Self.t0), "other peers are served")
    }

    @Test func cutOffsAreBoundedInNumber() {
        var cutOff = PeerCutOff(cooldown: .seconds(5), capacity: 8)
        for index in 0..<100 { _ = cutOff.queueFull([UInt8(index)], now: Self.t0.advanced(by: .milliseconds(index))) }
        #expect(cutOff.count <= 8)
        #expect(cutOff.isCutOff([99], now: Self.t0.advanced(by: .milliseconds(100))), "the newest are kept")
    }

    @Test func theDispatcherEndsTheSessionOfAWorkerThatDoesNotReadAndDropsItsMessages() throws {
        var h = DispatcherHarness()
        try h.hello("w1", capacity: 4)
        try h.submit(batch: Self.batch, 0..<3)
        #expect(h.machine.counts.inFlight == 3)

        let actions = h.machine.peerQueueFull(.peer("w1"), now: h.now)
        #expect(actions.contains(.cutOff(.peer("w1"), sessionID: "w1")))
        #expect(actions.contains(.peerLeft(id: "w1", role: .worker, reason: .cutOff, requeued: 3)))
        #expect(h.machine.workers.isEmpty && h.machine.counts.queued == 3 && h.machine.counts.inFlight == 0)
        #expect(h.machine.isCutOff(.peer("w1"), now: h.now))
        let again = h.machine.peerQueueFull(.peer("w1"), now: h.now)
        #expect(again.isEmpty, "counted once per cut-off")

        // While cut off, what it sends is dropped unread and counted; nothing is answered.
        #expect(try h.heartbeat("w1", jobs: []).isEmpty)
        #expect(try h.hello("w1", capacity: 4).isEmpty)
        #expect(h.machine.workers.isEmpty)
        let status = h.machine.status(requestID: "s", now: h.now)
        #expect(status.peerProblems == ["cut_off": 1, "dropped_while_cut_off": 2])
        #expect(h.machine.invariantViolations().isEmpty)

        // After the cooldown it may start over.
        h.now = DispatcherTime(monotonic: h.now.monotonic.advanced(by: .seconds(6)), wall: h.now.wall)
        #expect(try h.hello("w1", capacity: 4).contains { if case .peerJoined = $0 { true } else { false } })
    }

    @Test func everyDroppedOrRefusedMessageIsCountedByKind() throws {
        var h = DispatcherHarness()
        _ = h.machine.received(frames: [[1], [2]], now: h.now)
        _ = h.machine.receivedTooManyFrames(2_000_000)
        _ = h.machine.receivedTooManyBytes(40 << 20)
        try h.done("stranger", ["\(Self.batch):0"])
        let status = h.machine.status(requestID: "s", now: h.now)
        #expect(status.peerProblems == ["malformed": 1, "too_many_frames": 1, "too_many_bytes": 1, "refused": 1])
        #expect(status.malformedMessages == 3 && status.refusedMessages == 1)
    }

    // MARK: Log lines

    @Test func logLinesAreLimitedPerKindAndTheHeldBackAreReported() {
        var throttle = LogThrottle(interval: .seconds(1), burst: 2)
        #expect(throttle.admit("refused", now: Self.t0) == .log(suppressed: 0))
        #expect(throttle.admit("refused", now: Self.t0) == .log(suppressed: 0))
        #expect(throttle.admit("refused", now: Self.t0) == .suppress)
        #expect(throttle.admit("refused", now: Self.t0.advanced(by: .milliseconds(999))) == .suppress)
        #expect(throttle.admit("malformed", now: Self.t0) == .log(suppressed: 0), "one kind never hides another")
        #expect(throttle.pending("refused") == 2)
        #expect(throttle.admit("refused", now: Self.t0.advanced(by: .seconds(1))) == .log(suppressed: 2))
        #expect(throttle.pending("refused") == 0)
    }

    @Test func peerTextCannotForgeOrHideLogLines() {
        #expect(PeerText.escaped("worker-7") == "worker-7")
        #expect(PeerText.escaped("عامل ٣") == "عامل ٣")
        #expect(PeerText.escaped("x\n2026-11-29 critical: fake") == "x\\u{A}2026-11-29 critical: fake")
        #expect(PeerText.escaped("a\r\u{1B}[31mb") == "a\\u{D}\\u{1B}[31mb")
        #expect(PeerText.escaped("left\u{202E}thgir") == "left\\u{202E}thgir")
        #expect(PeerText.escaped("back\\u{A}slash") == "back\\\\u{A}slash", "an escape cannot be faked")
        let long = PeerText.escaped(String(repeating: "z", count: 1_000))
        #expect(long.hasPrefix(String(repeating: "z", count: PeerText.maxCharacters)) && long.hasSuffix("...(800 more characters)"))
        #expect(PeerText.routingID(nil) == "unknown peer")
        #expect(PeerText.routingID(Array("host-12-345".utf8)) == "host-12-345")
        #expect(PeerText.routingID([0x00, 0x0a, 0xff]) == "000aff")
        let forged = PeerText.routingID(Array("evil\nWARNING fake".utf8))
        #expect(forged.allSatisfy { $0.isHexDigit })
    }
}
