import Testing
@testable import ZeroMQ

@Suite struct MonitorAndZAPTests {
    let context: ZMQContext
    init() throws { context = try ZMQContext() }

    /// Reads events until one of `kind` arrives (or `within` ms pass without any event).
    private func awaitEvent(_ kind: SocketEventKind, on monitor: SocketMonitor, within: Int32 = 3000) throws
        -> SocketEvent?
    {
        try monitor.eventSocket.set(.receiveTimeout, within)
        while let event = try monitor.receive() {
            if event.kind == kind { return event }
        }
        return nil
    }

    @Test func monitorReportsConnectAndDisconnect() throws {
        let router = try Socket(context: context, type: .router)
        let endpoint = try router.bindLoopback()
        let dealer = try Socket(context: context, type: .dealer)
        let monitor = try SocketMonitor(dealer, events: [.connected, .disconnected])
        try dealer.connect(endpoint)
        let connected = try #require(try awaitEvent(.connected, on: monitor))
        #expect(connected.endpoint == endpoint)
        router.close()
        let disconnected = try #require(try awaitEvent(.disconnected, on: monitor))
        #expect(disconnected.endpoint == endpoint)
        monitor.close()
        monitor.close()
        #expect(!monitor.eventSocket.isOpen)
    }

    @Test func decodesEventFramesAndRejectsMalformedOnes() throws {
        var header = withUnsafeBytes(of: UInt16(SocketEventKind.disconnected.rawValue)) { Array($0) }
        header += withUnsafeBytes(of: UInt32(7)) { Array($0) }
        let event = try SocketMonitor.decode(Message([header, Array("tcp://x:1".utf8)]))
        #expect(event == SocketEvent(kind: .disconnected, value: 7, endpoint: "tcp://x:1"))
        #expect(event.description == "disconnected tcp://x:1 (7)")
        #expect(throws: ZMQError.self) { try SocketMonitor.decode(Message([[1, 2, 3]])) }
    }

    @Test func z85RoundTripsAndRejectsBadInput() throws {
        let bytes = (0 ..< 32).map { UInt8($0 * 7) }
        let text = try Z85.encode(bytes)
        #expect(text.utf8.count == 40)
        #expect(try Z85.decode(text) == bytes)
        // The RFC 32 test vector.
        #expect(try Z85.encode([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]) == "HelloWorld")
        #expect(zmqError { _ = try Z85.encode([1, 2, 3]) }?.code == ZMQError.Code.invalidArgument)
        #expect(zmqError { _ = try Z85.decode("abcd") }?.code == ZMQError.Code.invalidArgument)
    }

    @Test func zapRequestParsingNamesWhatIsWrong() throws {
        #expect(throws: ZAPRequestError.tooFewFrames(2)) { try ZAPRequest(frames: [[], []]) }
        let request = ZAPRequest(
            requestID: [9], domain: "d", address: "127.0.0.1", routingID: [], mechanism: "CURVE",
            credentials: [[UInt8](repeating: 1, count: 32)])
        #expect(try ZAPRequest(frames: request.frames) == request)
        var wrongVersion = request.frames
        wrongVersion[0] = Array("2.0".utf8)
        #expect(throws: ZAPRequestError.unsupportedVersion("2.0")) { try ZAPRequest(frames: wrongVersion) }
        #expect(throws: ZAPRequestError.badCurveCredentials) { try ZAPRequest(frames: Array(request.frames.dropLast())) }
    }

    /// A CURVE ROUTER guarded by ZAP in `context`, and a client with a fresh key.
    private func guardedPair() throws -> (server: Socket, client: Socket, clientKey: String, monitor: SocketMonitor) {
        let serverKeys = try CurveKeys.generate()
        let server = try Socket(context: context, type: .router)
        try server.set(.curveServer, true)
        try server.set(.curveSecretKey, serverKeys.secretKey)
        try server.set(.zapDomain, "mirsad")
        try server.set(.zapEnforceDomain, true)
        let monitor = try SocketMonitor(server, events: [.handshakeSucceeded, .handshakeFailedAuth])
        let endpoint = try server.bindLoopback()

        let clientKeys = try CurveKeys.generate()
        let client = try Socket(context: context, type: .dealer)
        try client.set(.curveServerKey, serverKeys.publicKey)
        try client.set(.curvePublicKey, clientKeys.publicKey)
        try client.set(.curveSecretKey, clientKeys.secretKey)
        try client.set(.routingID, Array("w1".utf8))
        try client.connect(endpoint)
        return (server, client, clientKeys.publicKey, monitor)
    }

    @Test func zapAllowedPeerCarriesUserID() throws {
        let zap = try ZAPHandler(context: context)
        let (server, client, clientKey, _) = try guardedPair()
        var seen: ZAPRequest?
        #expect(try zap.answer(timeoutMilliseconds: 5000) { request in
            seen = request
            return request.curveClientKey == clientKey ? .allow(request, userID: "worker") : .deny(request, reason: "?")
        })
        let request = try #require(seen)
        #expect(request.domain == "mirsad")
        #expect(request.mechanism == "CURVE")
        #expect(request.address == "127.0.0.1")

        try client.send([Array("hi".utf8)])
        let message = try #require(try server.receive(within: 5000))
        #expect(message.frames == [Array("w1".utf8), Array("hi".utf8)])
        #expect(message.userID == "worker")
    }

    @Test func zapDeniedPeerIsRefusedAndReported() throws {
        let zap = try ZAPHandler(context: context)
        let (server, client, _, monitor) = try guardedPair()
        #expect(try zap.answer(timeoutMilliseconds: 5000) { .deny($0, reason: "unknown key") })
        let refusal = try #require(try awaitEvent(.handshakeFailedAuth, on: monitor))
        #expect(refusal.value == 400)
        try client.send([Array("hi".utf8)], dontWait: true)
        #expect(try server.receive(within: 200) == nil)
    }

    @Test func enforcedDomainWithoutHandlerRefusesEveryone() throws {
        let (server, client, _, monitor) = try guardedPair()
        try client.send([Array("hi".utf8)], dontWait: true)
        #expect(try server.receive(within: 300) == nil)
        #expect(try awaitEvent(.handshakeSucceeded, on: monitor, within: 100) == nil)
    }

    @Test func secondZAPHandlerInAContextIsRefused() throws {
        let first = try ZAPHandler(context: context)
        #expect(first.socket.isOpen)
        #expect(zmqError { _ = try ZAPHandler(context: context) }?.code == ZMQError.Code.addressInUse)
    }
}

@Suite struct HeartbeatTests {
    @Test func heartbeatsKeepAHealthyConnectionUp() throws {
        let context = try ZMQContext()
        func configure(_ socket: Socket) throws {
            try socket.set(.heartbeatInterval, 20)
            try socket.set(.heartbeatTimeout, 100)
            try socket.set(.heartbeatTTL, 200)
        }
        let router = try Socket(context: context, type: .router)
        try configure(router)
        let endpoint = try router.bindLoopback()
        let dealer = try Socket(context: context, type: .dealer)
        try configure(dealer)
        try dealer.set(.routingID, Array("hb".utf8))
        let monitor = try SocketMonitor(dealer, events: [.connected, .disconnected])
        try dealer.connect(endpoint)

        // Several heartbeat timeouts pass; PINGs are answered, so the connection must survive them.
        try monitor.eventSocket.set(.receiveTimeout, 400)
        var events: [SocketEventKind] = []
        while let event = try monitor.receive() { events.append(event.kind) }
        #expect(events == [.connected])

        try dealer.send([Array("still here".utf8)])
        #expect(try router.receive(within: 2000)?.frames == [Array("hb".utf8), Array("still here".utf8)])
    }

    /// Connects a DEALER to a peer that handshakes and then stays silent; returns the monitor's events in `window`.
    private func eventsAgainstSilentPeer(heartbeats: Bool, windowMilliseconds: Int32) throws -> [SocketEventKind] {
        let context = try ZMQContext()
        let peer = try SilentPeer()
        defer { peer.stop() }
        let dealer = try Socket(context: context, type: .dealer)
        if heartbeats {
            try dealer.set(.heartbeatInterval, 50)
            try dealer.set(.heartbeatTimeout, 150)
        }
        try dealer.set(.reconnectInterval, 5000)
        let monitor = try SocketMonitor(dealer, events: [.handshakeSucceeded, .disconnected])
        try dealer.connect(peer.endpoint)
        try monitor.eventSocket.set(.receiveTimeout, windowMilliseconds)
        var events: [SocketEventKind] = []
        while events.count < 2, let event = try monitor.receive() { events.append(event.kind) }
        return events
    }

    @Test func heartbeatTimeoutDropsASilentPeer() throws {
        #expect(try eventsAgainstSilentPeer(heartbeats: true, windowMilliseconds: 2000)
            == [.handshakeSucceeded, .disconnected])
    }

    @Test func withoutHeartbeatsASilentPeerGoesUnnoticed() throws {
        #expect(try eventsAgainstSilentPeer(heartbeats: false, windowMilliseconds: 500) == [.handshakeSucceeded])
    }
}

