import Testing
@testable import MirsadCore
@testable import MirsadWire

@Suite struct FrameCodecTests {
    @Test(arguments: FixtureCatalog.all.map(\.message))
    func everyMessageRoundTrips(message: MirsadMessage) throws {
        let frames = try FrameCodec.encode(message)
        #expect(frames.count == ProtocolLimits.framesPerMessage)
        #expect(frames[0] == Array("MRSD1".utf8))
        #expect(frames[1] == [message.command.rawValue])
        #expect(try FrameCodec.decode(frames) == message)
    }

    @Test func routedMessagesCarryThePeer() throws {
        let frames = try FrameCodec.encode(.heartbeat, to: [0, 1, 2])
        let (peer, message) = FrameCodec.decodeRouted(frames)
        #expect(peer == [0, 1, 2])
        #expect(try message.get() == .heartbeat)
    }

    @Test func heartbeatHasAnEmptyBody() throws {
        #expect(try FrameCodec.encode(.heartbeat)[2].isEmpty)
    }

    @Test func commandBytesAreDistinct() {
        #expect(Set(Command.allCases.map(\.rawValue)).count == Command.allCases.count)
    }

    static let valid: [[UInt8]] = [Array("MRSD1".utf8), [Command.heartbeat.rawValue], []]

    @Test(arguments: [
        ([Array("MRSD1".utf8), [0x05]], MalformedMessage.wrongFrameCount(2)),
        (valid + [[1]], .wrongFrameCount(4)),
        ([], .wrongFrameCount(0)),
        ([Array("MRSD2".utf8), [0x05], []], .wrongProtocolID(Array("MRSD2".utf8))),
        ([Array(repeating: 0x41, count: 40), [0x05], []], .wrongProtocolID(Array(repeating: 0x41, count: 16))),
        ([Array("MRSD1".utf8), [], []], .wrongCommandFrameSize(0)),
        ([Array("MRSD1".utf8), [0x05, 0x00], []], .wrongCommandFrameSize(2)),
        ([Array("MRSD1".utf8), [0x42], []], .unknownCommand(0x42)),
    ] as [([[UInt8]], MalformedMessage)])
    func malformedFramesAreTypedErrors(frames: [[UInt8]], expected: MalformedMessage) {
        #expect(throws: expected) { try FrameCodec.decode(frames) }
    }

    @Test(arguments: [
        [0xFF],  // field 31, wire type 7: invalid
        [0x12, 0x05, 0x61],  // id field claiming 5 bytes, 1 present
        [0x12, 0x02, 0xC3, 0x28],  // invalid UTF-8 in the id (string) field
    ] as [[UInt8]])
    func undecodableBodiesAreTypedErrors(body: [UInt8]) {
        let frames = [Array("MRSD1".utf8), [Command.hello.rawValue], body]
        #expect {
            try FrameCodec.decode(frames)
        } throws: { error in
            guard case .undecodableBody(.hello, _)? = error as? MalformedMessage else { return false }
            return true
        }
    }

    @Test func oversizedFrameIsRefusedBeforeDecoding() {
        let big = [UInt8](repeating: 0, count: ProtocolLimits.maxFrameBytes + 1)
        #expect(throws: MalformedMessage.frameTooLarge(big.count)) {
            try FrameCodec.decode([Array("MRSD1".utf8), [Command.submit.rawValue], big])
        }
    }

    @Test func routedMessageWithoutRoutingIDIsMalformed() {
        let (peer, result) = FrameCodec.decodeRouted([[]] + Self.valid)
        #expect(peer == nil)
        #expect(throws: MalformedMessage.missingRoutingID) { try result.get() }
        let (_, empty) = FrameCodec.decodeRouted([])
        #expect(throws: MalformedMessage.missingRoutingID) { try empty.get() }
    }

    @Test func randomBytesNeverTrap() {
        var generator = SeededRandom(seed: 7)
        for _ in 0..<2000 {
            let command = Command.allCases.randomElement(using: &generator)!
            let length = Int.random(in: 0..<64, using: &generator)
            let body = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            do {
                let message = try FrameCodec.decode([FrameCodec.protocolID, [command.rawValue], body])
                #expect(message.command == command)
            } catch {
                guard case .undecodableBody(let failed, _) = error else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
                #expect(failed == command)
            }
        }
    }
}
