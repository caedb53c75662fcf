/// Why received frames are not a protocol message. The message is dropped, counted and logged; never answered.
public enum MalformedMessage: Error, Sendable, Hashable, CustomStringConvertible {
    /// A routed message had no routing id frame, or an empty one.
    case missingRoutingID
    /// The number of frames (routing id not counted) is not 3.
    case wrongFrameCount(Int)
    /// The first frame is not the protocol id ("MRSD1"); holds at most its first 16 bytes.
    case wrongProtocolID([UInt8])
    /// The command frame is not exactly one byte.
    case wrongCommandFrameSize(Int)
    case unknownCommand(UInt8)
    /// A frame above `ProtocolLimits.maxFrameBytes`.
    case frameTooLarge(Int)
    /// The body is not a valid protobuf encoding of the command's message.
    case undecodableBody(Command, String)

    public var description: String {
        switch self {
        case .missingRoutingID: "missing or empty routing id frame"
        case .wrongFrameCount(let n): "expected \(ProtocolLimits.framesPerMessage) frames, got \(n)"
        case .wrongProtocolID(let bytes):
            "wrong protocol id \(String(decoding: bytes, as: UTF8.self).debugDescription) (expected \(FrameCodec.protocolIDString))"
        case .wrongCommandFrameSize(let n): "command frame of \(n) bytes (expected 1)"
        case .unknownCommand(let byte): "unknown command 0x\(String(byte, radix: 16, uppercase: true))"
        case .frameTooLarge(let n): "frame of \(n) bytes is above the limit of \(ProtocolLimits.maxFrameBytes)"
        case .undecodableBody(let command, let why): "\(command) body does not decode: \(why)"
        }
    }
}
