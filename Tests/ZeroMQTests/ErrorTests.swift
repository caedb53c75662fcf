import Testing
@testable import ZeroMQ

@Suite struct ErrorTests {
    let context: ZMQContext
    init() throws { context = try ZMQContext() }

    @Test func bindingTwiceKeepsEADDRINUSE() throws {
        let first = try Socket(context: context, type: .router)
        let endpoint = try first.bindLoopback()
        let second = try Socket(context: context, type: .router)
        let error = try #require(zmqError { try second.bind(endpoint) })
        #expect(error.code == ZMQError.Code.addressInUse)
        #expect(error.call == "zmq_bind(\(endpoint))")
        #expect(error.description.contains("EADDRINUSE"))
        #expect(error.description.hasPrefix("zmq_bind(\(endpoint)): Address already in use"))

        let inproc = uniqueInprocEndpoint()
        try first.bind(inproc)
        #expect(zmqError { try second.bind(inproc) }?.code == ZMQError.Code.addressInUse)
    }

    @Test(arguments: [
        ("nonsense", ZMQError.Code.invalidArgument),
        ("tcp://127.0.0.1", ZMQError.Code.invalidArgument),
        ("bogus://127.0.0.1:5555", ZMQError.Code.protocolNotSupported),
    ])
    func badEndpointsKeepLibzmqCodes(endpoint: String, code: Int32) throws {
        let socket = try Socket(context: context, type: .dealer)
        let bindError = try #require(zmqError { try socket.bind(endpoint) })
        #expect(bindError.code == code, "\(bindError)")
        let connectError = try #require(zmqError { try socket.connect(endpoint) })
        #expect(connectError.code == code, "\(connectError)")
    }

    @Test func closedSocketThrowsENOTSOCKAndCloseIsIdempotent() throws {
        let socket = try Socket(context: context, type: .pull)
        #expect(socket.isOpen)
        socket.close()
        socket.close()
        #expect(!socket.isOpen)
        #expect(zmqError { _ = try socket.receive(dontWait: true) }?.code == ZMQError.Code.notSocket)
        #expect(zmqError { try socket.send([[1]]) }?.code == ZMQError.Code.notSocket)
        #expect(zmqError { try socket.set(.linger, 5) }?.code == ZMQError.Code.notSocket)
    }

    @Test func sendingNoFramesIsRejected() throws {
        let socket = try Socket(context: context, type: .push)
        let error = try #require(zmqError { try socket.send([]) })
        #expect(error.code == ZMQError.Code.invalidArgument)
        let pull = try Socket(context: context, type: .pull)
        #expect(zmqError { _ = try pull.receive(dontWait: true, maxFrames: 0) }?.code == ZMQError.Code.invalidArgument)
    }

    @Test func routerMandatoryReportsUnknownPeer() throws {
        let router = try Socket(context: context, type: .router)
        try router.bind(uniqueInprocEndpoint())
        // Without the option the message is dropped silently.
        #expect(try router.send([Array("nobody".utf8), [1]]))
        try router.set(.routerMandatory, true)
        let error = try #require(zmqError { try router.send([Array("nobody".utf8), [1]]) })
        #expect(error.code == ZMQError.Code.hostUnreachable)
        #expect(zmqError { try router.send([Array("nobody".utf8), [1]], dontWait: true) }?.code
            == ZMQError.Code.hostUnreachable)
    }

    @Test func shutdownMakesBlockedReceiveThrowETERM() async throws {
        let context = try ZMQContext()
        let endpoint = uniqueInprocEndpoint()
        let outcome = Task.detached { () -> Int32? in
            let socket = try Socket(context: context, type: .pull)
            try socket.bind(endpoint)
            do {
                _ = try socket.receive()
                return nil
            } catch let error as ZMQError {
                return error.code
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        context.shutdown()
        let code = try await outcome.value
        #expect(code == ZMQError.Code.contextTerminated)
        #expect(ZMQError(code: ZMQError.Code.contextTerminated, call: "x").isContextTerminated)
    }

    @Test func contextRejectsANegativeThreadCount() {
        #expect(throws: ZMQError(code: ZMQError.Code.invalidArgument, call: "zmq_ctx_set(ZMQ_IO_THREADS)")) {
            _ = try ZMQContext(ioThreads: -1)
        }
    }

    @Test func descriptionNamesCallCodeAndSymbol() {
        let error = ZMQError(code: ZMQError.Code.hostUnreachable, call: "zmq_msg_send")
        #expect(error.description == "zmq_msg_send: Host unreachable (EHOSTUNREACH, \(ZMQError.Code.hostUnreachable))")
        #expect(ZMQError(code: 424_242, call: "f").description.hasSuffix("(errno, 424242)"))
        #expect(ZMQError.Code.symbol(for: ZMQError.Code.contextTerminated) == "ETERM")
    }
}
