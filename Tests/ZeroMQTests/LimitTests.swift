#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import ZeroMQ

@Suite struct LimitTests {
    let context: ZMQContext
    init() throws { context = try ZMQContext() }

    @Test func maxFramesDrainsThrowsAndLeavesTheSocketUsable() throws {
        let endpoint = uniqueInprocEndpoint()
        let pull = try Socket(context: context, type: .pull)
        try pull.bind(endpoint)
        let push = try Socket(context: context, type: .push)
        try push.connect(endpoint)

        let bomb = (0 ..< 70).map { [UInt8($0)] }
        try push.send(bomb)
        try push.send([Array("next".utf8), [1]])
        try pull.set(.receiveTimeout, 2000)

        do {
            _ = try pull.receive(maxFrames: 8)
            Issue.record("a 70-frame message was accepted with maxFrames 8")
        } catch let error as MessageTooManyFrames {
            #expect(error == MessageTooManyFrames(limit: 8, frameCount: 70))
            #expect(error.description.contains("70 frames"))
        }
        let next = try #require(try pull.receive(maxFrames: 8))
        #expect(next.frames == [Array("next".utf8), [1]])

        // A message of exactly maxFrames frames is fine.
        try push.send(Array(bomb.prefix(8)))
        #expect(try pull.receive(maxFrames: 8)?.frames == Array(bomb.prefix(8)))
    }

    @Test func defaultMaxFramesIs64() throws {
        let endpoint = uniqueInprocEndpoint()
        let pull = try Socket(context: context, type: .pull)
        try pull.bind(endpoint)
        let push = try Socket(context: context, type: .push)
        try push.connect(endpoint)
        try push.send([Frame](repeating: [], count: 64))
        try push.send([Frame](repeating: [], count: 65))
        #expect(try pull.receive(within: 2000)?.frames.count == 64)
        #expect(throws: MessageTooManyFrames(limit: 64, frameCount: 65)) { try pull.receive(within: 2000) }
    }

    @Test func maxMessageSizeDropsOversizeFramesUnseen() throws {
        let pull = try Socket(context: context, type: .pull)
        try pull.set(.maxMessageSize, 1024)
        let endpoint = try pull.bindLoopback()
        let push = try Socket(context: context, type: .push)
        try push.set(.reconnectInterval, 20)
        try push.connect(endpoint)

        // Make sure the connection is up, so the oversize frame really reaches the receiver's decoder.
        try push.send([Array("hello".utf8)])
        #expect(try pull.receive(within: 5000)?.frames == [Array("hello".utf8)])

        #expect(try push.send([[UInt8](repeating: 7, count: 2048)]))
        // Send small numbered messages until one arrives over the re-established connection.
        var seen: [Message] = []
        for sequence in 0 ..< 200 where seen.isEmpty {
            try push.send([[UInt8(sequence)]], dontWait: true)
            while let message = try pull.receive(within: 25) { seen.append(message) }
        }
        #expect(!seen.isEmpty, "nothing arrived after the oversize frame")
        #expect(seen.allSatisfy { $0.frames.count == 1 && $0.frames[0].count == 1 }, "an oversize frame got through")
    }

    @Test func maxBytesDrainsThrowsAndLeavesTheSocketUsable() throws {
        let endpoint = uniqueInprocEndpoint()
        let pull = try Socket(context: context, type: .pull)
        try pull.bind(endpoint)
        let push = try Socket(context: context, type: .push)
        try push.connect(endpoint)
        try push.send([Frame](repeating: [7], count: 3) + [Frame(repeating: 1, count: 100)])
        try push.send([Frame(repeating: 1, count: 50), Frame(repeating: 2, count: 50)])
        try pull.set(.receiveTimeout, 2000)
        #expect(throws: MessageTooManyBytes(limit: 100, byteCount: 103, frameCount: 4)) {
            try pull.receive(maxFrames: 8, maxBytes: 100)
        }
        #expect(try pull.receive(maxFrames: 8, maxBytes: 100)?.frames.map(\.count) == [50, 50], "exactly the limit is fine")
    }
}

/// The error funnel retries a call interrupted by a signal, but not once its owner is stopping.
@Suite struct InterruptionTests {
    final class Flag: StopCondition, @unchecked Sendable {
        // Read and written by the test's own thread only.
        var isStopRequested = false
    }

    @Test func interruptedCallsAreRetriedUntilTheOwnerStops() throws {
        var calls = 0
        let running = Flag()
        let outcome = try libzmq("test", stop: running) {
            calls += 1
            if calls < 3 { errno = EINTR; return -1 }
            return 7
        }
        guard case .completed(7) = outcome else { Issue.record("got \(outcome)"); return }
        #expect(calls == 3)

        let stopping = Flag()
        stopping.isStopRequested = true
        calls = 0
        let given = try libzmq("test", stop: stopping) {
            calls += 1
            errno = EINTR
            return -1
        }
        guard case .interrupted = given else { Issue.record("got \(given)"); return }
        #expect(calls == 1, "an interrupted call is not tried again once stopping")
        #expect(throws: ZMQError(code: EINTR, call: "test")) { try libzmqChecked("test", stop: stopping) { errno = EINTR; return -1 } }
    }
}
