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
}
