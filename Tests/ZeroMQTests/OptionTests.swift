import Testing
@testable import ZeroMQ

@Suite struct OptionTests {
    let context: ZMQContext
    init() throws { context = try ZMQContext() }

    @Test func socketsDefaultToZeroLinger() throws {
        let socket = try Socket(context: context, type: .dealer)
        #expect(try socket.get(.linger) == 0)
    }

    @Test(arguments: [
        (SocketOption<Int32>.linger, Int32(250)),
        (.sendHighWaterMark, 17),
        (.receiveHighWaterMark, 23),
        (.heartbeatInterval, 1000),
        (.heartbeatTimeout, 3000),
        (.heartbeatTTL, 3000),
        (.reconnectInterval, 250),
        (.reconnectIntervalMax, 5000),
        (.sendTimeout, 40),
        (.receiveTimeout, 60),
        (.handshakeInterval, 7000),
        (.backlog, 42),
        (.connectTimeout, 900),
    ])
    func int32OptionsRoundTrip(option: SocketOption<Int32>, value: Int32) throws {
        let socket = try Socket(context: context, type: .dealer)
        let before = try socket.get(option)
        #expect(before != value, "pick a test value that differs from the default of \(option.name)")
        try socket.set(option, value)
        #expect(try socket.get(option) == value, "\(option.name)")
    }

    @Test func int64AndBytesAndStringOptionsRoundTrip() throws {
        let socket = try Socket(context: context, type: .router)
        #expect(try socket.get(.maxMessageSize) == -1)
        try socket.set(.maxMessageSize, 1 << 33)
        #expect(try socket.get(.maxMessageSize) == 1 << 33)

        try socket.set(.routingID, [1, 2, 0, 255])
        #expect(try socket.get(.routingID) == [1, 2, 0, 255])

        try socket.set(.zapDomain, "mirsad")
        #expect(try socket.get(.zapDomain) == "mirsad")
        #expect(try socket.lastEndpoint == "")
    }

    @Test(arguments: [SocketOption<Bool>.immediate, .ipv6])
    func flagOptionsRoundTrip(option: SocketOption<Bool>) throws {
        let socket = try Socket(context: context, type: .router)
        #expect(try socket.get(option) == false)
        try socket.set(option, true)
        #expect(try socket.get(option) == true)
        try socket.set(option, false)
        #expect(try socket.get(option) == false)
    }

    @Test func writeOnlyFlagsAreAccepted() throws {
        // libzmq 4.3 accepts these but cannot read them back; reading fails with its own EINVAL.
        let router = try Socket(context: context, type: .router)
        for option in [SocketOption<Bool>.routerMandatory, .routerHandover, .zapEnforceDomain, .curveServer] {
            try router.set(option, true)
        }
        #expect(try router.get(.curveServer) == true)
        #expect(try router.get(.zapEnforceDomain) == true)
        #expect(zmqError { _ = try router.get(.routerMandatory) }?.code == ZMQError.Code.invalidArgument)
        let sub = try Socket(context: context, type: .sub)
        try sub.set(.subscribe, [])
        try sub.set(.unsubscribe, [])
        let error = try #require(zmqError { _ = try sub.get(.subscribe) })
        #expect(error.code == ZMQError.Code.invalidArgument)
        #expect(error.call == "zmq_getsockopt(ZMQ_SUBSCRIBE)")
    }

    @Test func invalidValuesAreRejectedWithTheOptionName() throws {
        let socket = try Socket(context: context, type: .dealer)
        let error = try #require(zmqError { try socket.set(.routingID, []) })
        #expect(error.code == ZMQError.Code.invalidArgument)
        #expect(error.call == "zmq_setsockopt(ZMQ_ROUTING_ID)")
        #expect(zmqError { try socket.set(.sendHighWaterMark, -5) }?.code == ZMQError.Code.invalidArgument)
        #expect(zmqError { try socket.set(.curveServerKey, "short") }?.code == ZMQError.Code.invalidArgument)
    }

    @Test func curveKeysRoundTripAsZ85() throws {
        let keys = try CurveKeys.generate()
        let socket = try Socket(context: context, type: .router)
        try socket.set(.curveSecretKey, keys.secretKey)
        try socket.set(.curvePublicKey, keys.publicKey)
        #expect(try socket.get(.curveSecretKey) == keys.secretKey)
        #expect(try socket.get(.curvePublicKey) == keys.publicKey)
    }

    @Test func eventsOptionReportsReadiness() throws {
        let endpoint = uniqueInprocEndpoint()
        let pull = try Socket(context: context, type: .pull)
        try pull.bind(endpoint)
        #expect(PollEvents(rawValue: Int16(try pull.get(.events))).contains(.readable) == false)
        let push = try Socket(context: context, type: .push)
        try push.connect(endpoint)
        try push.send([[9]])
        #expect(PollEvents(rawValue: Int16(try pull.get(.events))).contains(.readable))
    }
}
