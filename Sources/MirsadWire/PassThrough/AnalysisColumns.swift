import Foundation

/// What a result's own row keeps of an encoded `AnalysisIndexView` (`ResultView.index`): the fields of the
/// `AnalysisColumnsView` of `Protocols/mirsad.proto`. The language code, its confidence, the tone and the simhash
/// are read, and every entity's type; the framing of every field is walked and no other text is read.
///
/// Read by hand (`ProtobufFields.Reader`): SwiftProtobuf makes a message for every entity and topic to read a view
/// of them, which cost a collector's acknowledging thread a tenth of its CPU (`mirsad benchmark collector`). It
/// accepts and refuses what decoding `Mirsad_V1_AnalysisColumnsView` does, and reads the same values: the last of
/// a repeated singular field wins, a sub-message given twice is merged, a code that is not UTF-8 is refused, and
/// unknown fields, and known ones of another wire type, are skipped. One exception: a group (a wire type deprecated
/// since proto2, which no Mirsad peer writes) is refused where SwiftProtobuf skips it. `AnalysisColumnsTests`
/// compare the two on valid and damaged input.
public struct AnalysisColumns: Sendable, Hashable {
    public var languageCode = ""
    public var languageConfidence = 0.0
    public var tone = 0.0
    public var simhash: UInt64 = 0
    /// Each entity's type, in order; a value outside the enum is `.UNRECOGNIZED`, as SwiftProtobuf gives it.
    public var entityTypes: [Mirsad_V1_EntityType] = []

    /// Field numbers of `AnalysisIndexView` and of the messages in it.
    private enum Number {
        static let language = 1, entities = 10, topics = 15, tone = 16, fingerprint = 18
        static let code = 1, confidence = 2
        static let entityType = 2
        static let simhash = 1
    }

    public init(encodedIndex: Data) throws(ProtobufFields.Malformed) {
        self = try ProtobufFields.reading(encodedIndex) { bytes throws(ProtobufFields.Malformed) in try Self(bytes: bytes) }
    }

    private init(bytes: UnsafeRawBufferPointer) throws(ProtobufFields.Malformed) {
        var fields = ProtobufFields.Reader(bytes)
        while let field = try fields.next() {
            switch (field.number, field.wireType) {
            case (Number.language, .lengthDelimited):
                let message = UnsafeRawBufferPointer(rebasing: bytes[field.payload])
                var inner = ProtobufFields.Reader(message)
                while let f = try inner.next() {
                    switch (f.number, f.wireType) {
                    case (Number.code, .lengthDelimited):
                        guard let code = String(validating: message[f.payload], as: UTF8.self) else {
                            throw ProtobufFields.Malformed(
                                offset: field.payload.lowerBound + f.payload.lowerBound, reason: "language code is not UTF-8")
                        }
                        languageCode = code
                    case (Number.confidence, .fixed64):
                        languageConfidence = Double(bitPattern: Self.fixed64(f, in: message))
                    default: break
                    }
                }
            case (Number.entities, .lengthDelimited):
                var inner = ProtobufFields.Reader(UnsafeRawBufferPointer(rebasing: bytes[field.payload]))
                var type = Mirsad_V1_EntityType.unspecified
                while let f = try inner.next() {
                    guard f.number == Number.entityType, f.wireType == .varint else { continue }
                    type = Mirsad_V1_EntityType(rawValue: Int(Int32(truncatingIfNeeded: f.varint))) ?? type
                }
                entityTypes.append(type)
            case (Number.topics, .lengthDelimited):
                // Only the framing is read: a topic whose score is not a double reads as SwiftProtobuf reads it.
                var inner = ProtobufFields.Reader(UnsafeRawBufferPointer(rebasing: bytes[field.payload]))
                while try inner.next() != nil {}
            case (Number.tone, .fixed64):
                tone = Double(bitPattern: Self.fixed64(field, in: bytes))
            case (Number.fingerprint, .lengthDelimited):
                let message = UnsafeRawBufferPointer(rebasing: bytes[field.payload])
                var inner = ProtobufFields.Reader(message)
                while let f = try inner.next() {
                    guard f.number == Number.simhash, f.wireType == .fixed64 else { continue }
                    simhash = Self.fixed64(f, in: message)
                }
            default:
                // Unknown fields, and known ones of another wire type, which SwiftProtobuf skips as unknown.
                break
            }
        }
    }

    /// The value of a fixed64 `field` of the message in `bytes` (the reader checked its 8 bytes are there).
    private static func fixed64(_ field: ProtobufFields.Field, in bytes: UnsafeRawBufferPointer) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: field.payload.lowerBound, as: UInt64.self))
    }
}
