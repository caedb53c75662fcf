import Testing
@testable import ZeroMQ

@Suite struct CurveTests {
    let context: ZMQContext
    init() throws { context = try ZMQContext() }

    @Test func libraryReportsVersionAndCapabilities() {
        let version = ZeroMQ.version
        #expect(version.major == 4)
        #expect(version.minor >= 3)
        #expect(ZeroMQ.has("curve"))
        #expect(!ZeroMQ.has("no-such-capability"))
    }

    @Test func keygenGivesDistinctZ85PairsAndDerivesThePublicKey() throws {
        let first = try CurveKeys.generate()
        let second = try CurveKeys.generate()
        #expect(first.publicKey.utf8.count == 40)
        #expect(first.secretKey.utf8.count == 40)
        #expect(first.publicKey != second.publicKey)
        #expect(try CurveKeys.publicKey(fromSecret: first.secretKey) == first.publicKey)
        #expect(try CurveKeys.publicKey(fromSecret: second.secretKey) == second.publicKey)
        #expect(zmqError { _ = try CurveKeys.publicKey(fromSecret: "too short") }?.code == ZMQError.Code.invalidArgument)
    }

    /// A CURVE ROUTER and a DEALER client holding `serverKey` as the server's key.
    private func curvePair(serverKeys: (publicKey: String, secretKey: String), serverKey: String)
        throws -> (server: Socket, client: Socket)
    {
        let server = try Socket(context: context, type: .router)
        try server.set(.curveServer, true)
        try server.set(.curveSecretKey, serverKeys.secretKey)
        let endpoint = try server.bindLoopback()

        let clientKeys = try CurveKeys.generate()
        let client = try Socket(context: context, type: .dealer)
        try client.set(.curveServerKey, serverKey)
        try client.set(.curvePublicKey, clientKeys.publicKey)
        try client.set(.curveSecretKey, clientKeys.secretKey)
        try client.set(.routingID, Array("client".utf8))
        try client.connect(endpoint)
        return (server, client)
    }

    @Test func curveClientAndServerRoundTrip() throws {
        let serverKeys = try CurveKeys.generate()
        let (server, client) = try curvePair(serverKeys: serverKeys, serverKey: serverKeys.publicKey)
        try client.send([Array("sealed".utf8)])
        let request = try #require(try server.receive(within: 5000))
        #expect(request.frames == [Array("client".utf8), Array("sealed".utf8)])
        #expect(request.userID == nil, "no ZAP handler: no User-Id")
        try server.send([Array("client".utf8), Array("reply".utf8)])
        #expect(try client.receive(within: 5000)?.frames == [Array("reply".utf8)])
    }

    @Test func clientWithWrongServerKeyGetsNothingThrough() throws {
        let serverKeys = try CurveKeys.generate()
        let impostor = try CurveKeys.generate()
        let (server, client) = try curvePair(serverKeys: serverKeys, serverKey: impostor.publicKey)
        try client.send([Array("sealed".utf8)])
        #expect(try server.receive(within: 300) == nil)
    }
}
