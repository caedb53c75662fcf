import Foundation
import SwiftProtobuf
import Testing
import MirsadCore
@testable import MirsadWire

/// The collector's hand-written reader of a result's row columns (`AnalysisColumns`) against SwiftProtobuf's
/// decoding of the same view (`Mirsad_V1_AnalysisColumnsView`): on valid, merged, damaged and random input both
/// accept the same bytes and read the same values.
@Suite struct AnalysisColumnsTests {
    static let skipUnknown: BinaryDecodingOptions = {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        return options
    }()

    static func index(seed: Int) -> Mirsad_V1_AnalysisIndexView {
        Mirsad_V1_AnalysisIndexView.with {
            $0.language = .with { $0.code = ["ar", "en", "fr", ""][seed % 4]; $0.confidence = 0.5 + Double(seed % 5) / 10 }
            $0.canonicalEntities = (0..<(seed % 7)).map { i in
                .with {
                    $0.key = "كيان \(i)"
                    $0.name = "Entity \(i)"
                    // Raw values 0 to 5: unspecified, the four known types, one the enum does not have.
                    $0.type = Mirsad_V1_EntityType(rawValue: (seed + i) % 6) ?? .unspecified
                    $0.mentions = UInt32(i + 1)
                    $0.variants = ["v\(i)"]
                }
            }
            $0.topics = (0..<(seed % 4)).map { i in .with { $0.topic = "topic \(i)"; $0.score = Double(i) / 3 } }
            $0.tone = Double(seed % 9) / 4 - 1
            $0.fingerprint = .with { $0.simhash = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15; $0.minhash = [1, 2, UInt32(seed)] }
        }
    }

    /// An index as a newer peer might send it: the fields above and fields this version does not know.
    static func encoded(seed: Int) throws -> Data {
        var bytes: Data = try index(seed: seed).serializedData()
        if seed % 3 == 0 {
            bytes += Data(ProtobufFields.lengthDelimited(2, Array("a title".utf8)))  // Analysis.title, skipped
            bytes += Data([0xA0, 0x01, 0x07])  // field 20, varint 7
        }
        return bytes
    }

    /// Both readers accept `bytes` or both refuse them, and read the same values; the hand-written one may refuse a
    /// group that SwiftProtobuf skips.
    static func expectAgreement(_ bytes: Data, sourceLocation: SourceLocation = #_sourceLocation) {
        let library = try? Mirsad_V1_AnalysisColumnsView(serializedBytes: bytes, options: skipUnknown)
        let read: AnalysisColumns
        do {
            read = try AnalysisColumns(encodedIndex: bytes)
        } catch {
            let group = "\(error)".contains("wire type 3") || "\(error)".contains("wire type 4")
            #expect(library == nil || group, "refused what SwiftProtobuf reads: \(error)", sourceLocation: sourceLocation)
            return
        }
        guard let library else {
            Issue.record("read what SwiftProtobuf refuses: \(Array(bytes))", sourceLocation: sourceLocation)
            return
        }
        #expect(read.languageCode == library.language.code, sourceLocation: sourceLocation)
        #expect(read.languageConfidence.bitPattern == library.language.confidence.bitPattern, sourceLocation: sourceLocation)
        #expect(read.tone.bitPattern == library.tone.bitPattern, sourceLocation: sourceLocation)
        #expect(read.simhash == library.fingerprint.simhash, sourceLocation: sourceLocation)
        #expect(read.entityTypes == library.canonicalEntities.map(\.type), sourceLocation: sourceLocation)
    }

    @Test func validIndexesReadTheirValues() throws {
        for seed in 0..<60 {
            let view = Self.index(seed: seed)
            let read = try AnalysisColumns(encodedIndex: try Self.encoded(seed: seed))
            #expect(read.languageCode == view.language.code)
            #expect(read.languageConfidence == view.language.confidence)
            #expect(read.tone == view.tone)
            #expect(read.simhash == view.fingerprint.simhash)
            #expect(read.entityTypes == view.canonicalEntities.map(\.type))
            Self.expectAgreement(try Self.encoded(seed: seed))
        }
    }

    @Test func anEntityTypeTheEnumDoesNotHaveReadsAsUnrecognised() throws {
        let bytes: Data = try Self.index(seed: 5).serializedData()
        let read = try AnalysisColumns(encodedIndex: bytes)
        #expect(read.entityTypes.contains(.UNRECOGNIZED(5)))
    }

    /// Two encodings one after the other are one message: singular fields take the second's values where it has
    /// them, sub-messages merge, repeated fields append.
    @Test func concatenatedIndexesMergeAsTheLibraryMergesThem() throws {
        for seed in 0..<30 {
            var second = Mirsad_V1_AnalysisIndexView()
            if seed % 2 == 0 { second.language.confidence = 0.125 }  // the code stays the first one's
            if seed % 3 == 0 { second.tone = -0.75 }
            second.canonicalEntities = [.with { $0.type = .person }]
            let bytes = try Self.encoded(seed: seed) + (try second.serializedData())
            Self.expectAgreement(bytes)
            let read = try AnalysisColumns(encodedIndex: bytes)
            #expect(read.languageCode == Self.index(seed: seed).language.code)
            #expect(read.entityTypes.last == .person)
        }
    }

    /// A known field of another wire type is skipped as an unknown one, as SwiftProtobuf skips it.
    @Test func aKnownFieldOfAnotherWireTypeIsSkipped() throws {
        for bytes in [
            Data([0x80, 0x01, 0x05]),  // tone (16) as a varint
            Data([0x0A, 0x02, 0x08, 0x01]),  // language.code as a varint
            Data([0x52, 0x02, 0x12, 0x00]),  // an entity's type as a length-delimited field
            Data([0x92, 0x01, 0x02, 0x08, 0x01]),  // fingerprint.simhash as a varint
            Data([0x0D, 0x00, 0x00, 0x80, 0x3F]),  // language as a fixed32
        ] {
            let read = try AnalysisColumns(encodedIndex: bytes)
            #expect(read.tone == 0 && read.languageCode == "" && read.simhash == 0)
            #expect(read.entityTypes.allSatisfy { $0 == .unspecified })
            Self.expectAgreement(bytes)
        }
    }

    @Test func aLanguageCodeThatIsNotUTF8IsRefusedByBoth() {
        let bytes = Data([0x0A, 0x03, 0x0A, 0x01, 0xFF])
        #expect(throws: ProtobufFields.Malformed.self) { try AnalysisColumns(encodedIndex: bytes) }
        Self.expectAgreement(bytes)
    }

    @Test func aFieldCutShortIsRefusedByBoth() {
        for bytes in [
            Data([0x52, 0x02, 0x11, 0x01]),  // an entity whose fixed64 field lacks 7 of its bytes
            Data([0x81, 0x01, 0x00, 0x00]),  // tone with 2 of its 8 bytes
            Data([0x0A, 0x05, 0x0A]),  // language claims 5 bytes, 1 remains
        ] {
            #expect(throws: ProtobufFields.Malformed.self) { try AnalysisColumns(encodedIndex: bytes) }
            Self.expectAgreement(bytes)
        }
    }

    @Test func everyTruncationIsReadAlikeOrRefusedByBoth() throws {
        let bytes = try Self.encoded(seed: 6)
        for length in 0..<bytes.count { Self.expectAgreement(bytes.prefix(length)) }
    }

    @Test func damagedIndexesAreReadAlikeOrRefusedByBoth() throws {
        var generator = SeededRandom(seed: 0xC011)
        for round in 0..<3_000 {
            var bytes = try Self.encoded(seed: round % 40)
            for _ in 0..<(1 + round % 3) {
                let position = Int(generator.next() % UInt64(bytes.count))
                bytes[bytes.startIndex + position] = UInt8(truncatingIfNeeded: generator.next())
            }
            Self.expectAgreement(bytes)
        }
    }

    @Test func randomBytesAreReadAlikeOrRefusedByBoth() {
        var generator = SeededRandom(seed: 0xB17E5)
        for _ in 0..<3_000 {
            let count = Int(generator.next() % 48)
            Self.expectAgreement(Data((0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }))
        }
    }
}
