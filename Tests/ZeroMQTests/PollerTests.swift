import Testing
@testable import ZeroMQ

@Suite struct PollerTests {
    let context: ZMQContext
    init() throws { context = try ZMQContext() }

    @Test func reportsWhichSocketIsReadable() throws {
        let first = try Socket(context: context, type: .pull)
        let second = try Socket(context: context, type: .pull)
        let secondEndpoint = uniqueInprocEndpoint()
        try first.bind(uniqueInprocEndpoint())
        try second.bind(secondEndpoint)
        var poller = Poller()
        #expect(poller.register(first) == 0)
        #expect(poller.register(second) == 1)
        #expect(poller.count == 2)

        #expect(try poller.poll(timeoutMilliseconds: 0) == [[], []])

        let push = try Socket(context: context, type: .push)
        try push.connect(secondEndpoint)
        try push.send([[42]])
        let ready = try poller.poll(timeoutMilliseconds: 2000)
        #expect(ready == [[], .readable])
        #expect(try second.receive(dontWait: true)?.frames == [[42]])
        #expect(try poller.poll(timeoutMilliseconds: 0) == [[], []])
    }

    @Test func timesOutAfterRoughlyTheTimeout() throws {
        let pull = try Socket(context: context, type: .pull)
        try pull.bind(uniqueInprocEndpoint())
        var poller = Poller()
        poller.register(pull)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try poller.poll(timeoutMilliseconds: 60) == [[]])
        let elapsed = clock.now - start
        #expect(elapsed >= .milliseconds(50))
        // That it returns at all: a bound the busiest machine meets, not a timing.
        #expect(elapsed < .seconds(30))
    }

    @Test func reportsWritableAndCanChangeInterest() throws {
        let endpoint = uniqueInprocEndpoint()
        let pull = try Socket(context: context, type: .pull)
        try pull.bind(endpoint)
        let push = try Socket(context: context, type: .push)
        var poller = Poller()
        let index = poller.register(push, for: [.readable, .writable])
        #expect(try poller.poll(timeoutMilliseconds: 0)[index] == [], "no peer yet: not writable")
        try push.connect(endpoint)
        #expect(try poller.poll(timeoutMilliseconds: 1000)[index] == .writable)
        try poller.update(index, for: .readable)
        #expect(try poller.poll(timeoutMilliseconds: 0)[index] == [])
        #expect(zmqError { try poller.update(5, for: .readable) }?.code == ZMQError.Code.invalidArgument)
    }

    @Test func closedRegisteredSocketThrowsInsteadOfPollingIt() throws {
        let pull = try Socket(context: context, type: .pull)
        var poller = Poller()
        poller.register(pull)
        pull.close()
        let error = try #require(zmqError { _ = try poller.poll(timeoutMilliseconds: 0) })
        #expect(error.code == ZMQError.Code.notSocket)
    }
}

/// `poll(timeout:)` waits at least its whole duration, rounded up to libzmq's milliseconds.
@Test func pollWithADurationWaitsAtLeastThatLong() throws {
    let context = try ZMQContext()
    let socket = try Socket(context: context, type: .pull)
    defer { socket.close() }
    try socket.bind("inproc://poll-duration")
    var poller = Poller()
    poller.register(socket)
    let clock = ContinuousClock()
    let started = clock.now
    let events = try poller.poll(timeout: .microseconds(2_500))
    #expect(events == [[]])
    #expect(clock.now - started >= .microseconds(2_500))
    #expect(try poller.poll(timeout: .zero) == [[]], "zero only looks")
    #expect(try poller.poll(timeout: .seconds(-1)) == [[]], "a negative timeout only looks, never waits forever")
}
