/// A ROUTER's routing id for one connected peer (opaque bytes, 1 to 255 of them).
public typealias RoutingID = [UInt8]

/// Turns messages into frames and frames into messages.
///
/// A message is exactly three frames: the protocol id `MRSD1`, one command byte, and the protobuf body (possibly
/// empty). A ROUTER sees the peer's routing id in front of them. Anything else is `MalformedMessage`; decoding never
/// traps, whatever the bytes.
public enum FrameCodec {
    public static let protocolIDString = "MRSD1"
    public static let protocolID: [UInt8] = Array(protocolIDString.utf8)

    /// The three frames a DEALER sends.
    public static func encode(_ message: MirsadMessage) throws -> [[UInt8]] {
        let body: [UInt8] = try message.body.serializedBytes()
        return [protocolID, [message.command.rawValue], body]
    }

    /// The four frames a ROUTER sends to reach `peer`.
    public static func encode(_ message: MirsadMessage, to peer: RoutingID) throws -> [[UInt8]] {
        [peer] + (try encode(message))
    }

    /// Decodes the three frames a DEALER receives.
    public static func decode(_ frames: [[UInt8]], reading: MirsadMessage.Reading = .decoded) throws(MalformedMessage) -> MirsadMessage {
        guard frames.count == ProtocolLimits.framesPerMessage else { throw .wrongFrameCount(frames.count) }
        if let big = frames.first(where: { $0.count > ProtocolLimits.maxFrameBytes }) { throw .frameTooLarge(big.count) }
        guard frames[0] == protocolID else { throw .wrongProtocolID(Array(frames[0].prefix(16))) }
        guard frames[1].count == 1 else { throw .wrongCommandFrameSize(frames[1].count) }
        guard let command = Command(rawValue: frames[1][0]) else { throw .unknownCommand(frames[1][0]) }
        do {
            return try MirsadMessage.decode(command: command, body: frames[2], reading: reading)
        } catch {
            throw .undecodableBody(command, String(describing: error))
        }
    }

    /// Splits the frames a ROUTER receives into the sender's routing id and the decoded message.
    ///
    /// The routing id is returned whenever there is one, so that a malformed message can be counted per peer.
    public static func decodeRouted(
        _ frames: [[UInt8]], reading: MirsadMessage.Reading = .decoded
    ) -> (peer: RoutingID?, message: Result<MirsadMessage, MalformedMessage>) {
        guard let peer = frames.first, !peer.isEmpty, peer.count <= ProtocolLimits.maxRoutingIDBytes else {
            return (nil, .failure(.missingRoutingID))
        }
        do {
            return (peer, .success(try decode(Array(frames.dropFirst()), reading: reading)))
        } catch {
            return (peer, .failure(error))
        }
    }
}
