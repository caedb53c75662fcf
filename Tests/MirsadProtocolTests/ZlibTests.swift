import CZlib
import Foundation
import MirsadWire
import Testing

/// `Zlib` compresses with libdeflate; results and stores written with zlib's own `compress2` (every store before
/// the switch) must inflate the same, and what it writes must inflate with zlib, which clients use.
@Suite struct ZlibTests {
    /// Text like an analysis: Arabic words repeated with variation, so that both compressors find matches.
    static let sample: Data = {
        let words = ["قال", "الرئيس", "في", "بيان", "إن", "المفاوضات", "مستمرة", "Reuters", "2026", "الحكومة"]
        var text = ""
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            text += words[Int(state >> 33) % words.count] + " "
        }
        return Data(text.utf8)
    }()

    @Test func roundTripsAndShrinks() throws {
        let compressed = Zlib.compress(Self.sample)
        #expect(compressed.count < Self.sample.count / 2)
        #expect(try Zlib.decompress(compressed, size: Self.sample.count) == Self.sample)
        #expect(try Zlib.decompress(Zlib.compress(Data()), size: 0) == Data())
    }

    @Test func inflatesWhatZlibDeflated() throws {
        var size = compressBound(uLong(Self.sample.count))
        var deflated = Data(count: Int(size))
        let status = deflated.withUnsafeMutableBytes { out in
            Self.sample.withUnsafeBytes { input in
                compress2(out.baseAddress!.assumingMemoryBound(to: Bytef.self), &size,
                          input.baseAddress!.assumingMemoryBound(to: Bytef.self), uLong(Self.sample.count), 1)
            }
        }
        try #require(status == Z_OK)
        deflated.count = Int(size)
        #expect(try Zlib.decompress(deflated, size: Self.sample.count) == Self.sample)
    }

    @Test func zlibInflatesWhatItDeflates() throws {
        let compressed = Zlib.compress(Self.sample)
        var produced = uLong(Self.sample.count)
        var inflated = Data(count: Self.sample.count)
        let status = inflated.withUnsafeMutableBytes { out in
            compressed.withUnsafeBytes { input in
                uncompress(out.baseAddress!.assumingMemoryBound(to: Bytef.self), &produced,
                           input.baseAddress!.assumingMemoryBound(to: Bytef.self), uLong(compressed.count))
            }
        }
        #expect(status == Z_OK)
        #expect(inflated == Self.sample)
    }

    @Test func refusesBytesThatDoNotInflateToTheirStatedSize() throws {
        let compressed = Zlib.compress(Self.sample)
        #expect(throws: Zlib.Failure.self) { try Zlib.decompress(compressed, size: Self.sample.count - 1) }
        #expect(throws: Zlib.Failure.self) { try Zlib.decompress(compressed, size: Self.sample.count + 1) }
        var corrupt = compressed
        corrupt[corrupt.count / 2] ^= 0xFF
        #expect(throws: Zlib.Failure.self) { try Zlib.decompress(corrupt, size: Self.sample.count) }
        #expect(throws: Zlib.Failure.self) { try Zlib.decompress(Data("not zlib".utf8), size: 8) }
        let error = try #require(throws: Zlib.Failure.self) { try Zlib.decompress(compressed, size: 10) }
        #expect(error.reason.contains("stated 10 bytes"))
        #expect(throws: Zlib.Failure.self) { try Zlib.decompress(compressed, size: 1 << 40, limit: 1 << 20) }
    }
}
