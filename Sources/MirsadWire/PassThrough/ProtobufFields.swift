import Foundation

/// The top-level fields of one encoded protobuf message, found without decoding them: each field's number, wire
/// type and where its payload lies.
///
/// SwiftProtobuf decodes every field a message declares, copying strings and bytes, and cannot say where a field
/// lies in the input. Passing a job or an analysis through untouched needs exactly that and nothing more, so this
/// reads the wire format's framing (varint tags and lengths) by hand. It never traps: input that is not a
/// well-framed message (a truncated varint or payload, a group, an unknown wire type, field number 0) throws.
public struct ProtobufFields {
    public enum WireType: UInt8, Sendable {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    public struct Field: Sendable, Hashable {
        public var number: Int
        public var wireType: WireType
        /// Where the whole field lies, tag included.
        public var extent: Range<Int>
        /// Where the payload lies: the bytes after the length of a length-delimited field, the value's bytes
        /// otherwise.
        public var payload: Range<Int>
        /// The value of a varint field (0 for other wire types).
        public var varint: UInt64
    }

    public struct Malformed: Error, Sendable, Hashable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { "malformed protobuf at byte \(offset): \(reason)" }
    }

    /// The fields of `bytes`, in the order they appear. Offsets are relative to the start of `bytes`.
    public static func fields(of bytes: UnsafeRawBufferPointer) throws(Malformed) -> [Field] {
        var fields: [Field] = []
        var reader = Reader(bytes)
        while let field = try reader.next() { fields.append(field) }
        return fields
    }

    /// The fields of a message one at a time, in the order they appear, without collecting them: what a reader of
    /// a few fields needs (`AnalysisColumns`). Offsets are relative to the start of the buffer.
    public struct Reader {
        private let bytes: UnsafeRawBufferPointer
        private var offset = 0

        public init(_ bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        /// The next field, or nil at the end of the message.
        public mutating func next() throws(Malformed) -> Field? {
            guard offset < bytes.count else { return nil }
            let start = offset
            let tag = try ProtobufFields.readVarint(bytes, &offset)
            let number = tag >> 3
            guard number > 0, number <= 0x1FFF_FFFF else { throw Malformed(offset: start, reason: "field number \(number)") }
            guard let wireType = WireType(rawValue: UInt8(tag & 7)) else {
                throw Malformed(offset: start, reason: "wire type \(tag & 7) of field \(number)")
            }
            let payloadStart: Int
            var value: UInt64 = 0
            switch wireType {
            case .varint:
                payloadStart = offset
                value = try ProtobufFields.readVarint(bytes, &offset)
            case .fixed64, .fixed32:
                payloadStart = offset
                offset += wireType == .fixed64 ? 8 : 4
            case .lengthDelimited:
                let length = try ProtobufFields.readVarint(bytes, &offset)
                guard length <= UInt64(bytes.count - offset) else {
                    throw Malformed(offset: start, reason: "field \(number) claims \(length) bytes, \(bytes.count - offset) remain")
                }
                payloadStart = offset
                offset += Int(length)
            }
            guard offset <= bytes.count else { throw Malformed(offset: start, reason: "field \(number) is truncated") }
            return Field(number: Int(number), wireType: wireType, extent: start..<offset, payload: payloadStart..<offset,
                         varint: value)
        }
    }

    /// The fields of `bytes`.
    public static func fields(of bytes: some ContiguousBytes) throws(Malformed) -> [Field] {
        try reading(bytes) { buffer throws(Malformed) in try fields(of: buffer) }
    }

    /// `body` on the bytes of `bytes`, its typed error kept (`withUnsafeBytes` rethrows untyped).
    public static func reading<T>(
        _ bytes: some ContiguousBytes, _ body: (UnsafeRawBufferPointer) throws(Malformed) -> T
    ) throws(Malformed) -> T {
        do {
            return try bytes.withUnsafeBytes { try body($0) }
        } catch let error as Malformed {
            throw error
        } catch {
            throw Malformed(offset: 0, reason: "\(error)")  // unreachable: only Malformed is thrown inside
        }
    }

    private static func readVarint(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) throws(Malformed) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        let start = offset
        while true {
            guard offset < bytes.count else { throw Malformed(offset: start, reason: "truncated varint") }
            let byte = bytes[offset]
            offset += 1
            guard shift < 64 else { throw Malformed(offset: start, reason: "varint longer than 10 bytes") }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// Appends `value` as a varint.
    public static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// The bytes of a length-delimited field `number` holding `payload`.
    public static func lengthDelimited(_ number: Int, _ payload: some Collection<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(payload.count + 6)
        appendVarint(UInt64(number) << 3 | UInt64(WireType.lengthDelimited.rawValue), to: &bytes)
        appendVarint(UInt64(payload.count), to: &bytes)
        bytes.append(contentsOf: payload)
        return bytes
    }
}
