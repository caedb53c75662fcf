import Testing
@testable import ZeroMQ

@Suite struct RoundTripTests {
    let context: ZMQContext
    init() throws { context = try ZMQContext() }

    @Test func routerDealerRoundTripCarriesRoutingIDs() throws {
        let router = try Socket(context: context, type: .router)
        let endpoint = try router.bindLoopback()
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        #expect(!endpoint.hasSuffix(":*"))

        let dealer = try Socket(context: context, type: .dealer)
        try dealer.set(.routingID, Array("worker-7".utf8))
        try dealer.connect(endpoint)
        #expect(try dealer.send([Array("ready".utf8)]))

        let request = try #require(try router.receive(within: 5000))
        #expect(request.frames == [Array("worker-7".utf8), Array("ready".utf8)])
        #expect(request.userID == nil)

        #expect(try router.send(Message([Array("worker-7".utf8), Array("job".utf8), [1, 2, 3]])))
        let reply = try #require(try dealer.receive(within: 5000))
        #expect(reply.frames == [Array("job".utf8), [1, 2, 3]])
    }

    @Test func multipartKeepsEmptyAndLargeFrames() throws {
        let endpoint = uniqueInprocEndpoint()
        let pull = try Socket(context: context, type: .pull)
        try pull.bind(endpoint)
        let push = try Socket(context: context, type: .push)
        try push.connect(endpoint)

        let mebibyte = (0 ..< (1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let frames: [Frame] = [[], Array("header".utf8), [], mebibyte, [0], mebibyte.reversed()]
        try push.send(frames)
        try push.send([[]])
        let received = try #require(try pull.receive(within: 5000))
        #expect(received.frames == frames)
        let empty = try #require(try pull.receive(within: 5000))
        #expect(empty.frames == [[]])
    }

    @Test func multipartOverTCPKeepsLargeFrames() throws {
        let pull = try Socket(context: context, type: .pull)
        let endpoint = try pull.bindLoopback()
        let push = try Socket(context: context, type: .push)
        try push.connect(endpoint)
        let big = [UInt8](repeating: 0xAB, count: 1 << 20)
        try push.send([big, [], big])
        let received = try #require(try pull.receive(within: 5000))
        #expect(received.frames.map(\.count) == [1 << 20, 0, 1 << 20])
        #expect(received.frames[2] == big)
    }

    @Test func dontWaitReturnsNilAndFalseOnEAGAIN() throws {
        let pull = try Socket(context: context, type: .pull)
        try pull.bind(uniqueInprocEndpoint())
        #expect(try pull.receive(dontWait: true) == nil)

        // A PUSH with no peer cannot queue anything.
        let push = try Socket(context: context, type: .push)
        #expect(try push.send([[1]], dontWait: true) == false)

        // A DEALER whose only peer's pipe is full (high-water mark 1 on both sides) refuses further messages.
        let endpoint = uniqueInprocEndpoint()
        let sink = try Socket(context: context, type: .pull)
        try sink.set(.receiveHighWaterMark, 1)
        try sink.bind(endpoint)
        let source = try Socket(context: context, type: .push)
        try source.set(.sendHighWaterMark, 1)
        try source.connect(endpoint)
        var accepted = 0
        while try source.send([[UInt8(accepted)], [0]], dontWait: true) {
            accepted += 1
            try #require(accepted < 100, "the high-water mark never stopped the sender")
        }
        #expect(accepted >= 1)
        // What was accepted arrives whole: no half-sent message was left behind by the refused send.
        for index in 0 ..< accepted {
            let message = try #require(try sink.receive(within: 2000))
            #expect(message.frames == [[UInt8(index)], [0]])
        }
    }

    @Test func receiveTimeoutReturnsNil() throws {
        let pull = try Socket(context: context, type: .pull)
        try pull.bind(uniqueInprocEndpoint())
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try pull.receive(within: 50) == nil)
        #expect(clock.now - start >= .milliseconds(40))
    }

    @Test func pubSubFiltersByPrefix() throws {
        let endpoint = uniqueInprocEndpoint()
        let publisher = try Socket(context: context, type: .pub)
        try publisher.bind(endpoint)
        let subscriber = try Socket(context: context, type: .sub)
        try subscriber.set(.subscribe, Array("news.".utf8))
        try subscriber.connect(endpoint)
        // Subscriptions travel asynchronously; publish until the first one is seen.
        var received: Message?
        for _ in 0 ..< 100 where received == nil {
            try publisher.send([Array("sport.x".utf8)])
            try publisher.send([Array("news.x".utf8), [7]])
            received = try subscriber.receive(within: 20)
        }
        let message = try #require(received)
        #expect(message.frames == [Array("news.x".utf8), [7]])
    }
}
