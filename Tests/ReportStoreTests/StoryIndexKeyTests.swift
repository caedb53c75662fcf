import Foundation
import Testing
@testable import ReportStore

/// The story index's band keys (`StoryClustering.bandKey`): negative, so never a term's number, kept in six bytes,
/// one per band, and the same whether computed now or read from a v6 store's `b:BAND:HASH` term.
@Suite struct StoryIndexKeyTests {
    @Test(arguments: [UInt64(0), 1, 0x1234_5678_9abc_def0, UInt64.max])
    func aBandKeyIsNegativeAndFitsInSixBytes(hash: UInt64) {
        for band in 0..<32 {
            let key = StoryClustering.bandKey(band: band, hash: hash)
            #expect(key < 0)
            #expect(key >= -(Int64(1) << 47))
        }
    }

    @Test func bandsOfTheSameHashHaveDifferentKeys() {
        let keys = (0..<32).map { StoryClustering.bandKey(band: $0, hash: 0xfeed_face_cafe_beef) }
        #expect(Set(keys).count == 32)
    }

    @Test func aV6BandTermReadsAsTheKeyComputedNow() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let minhash = (0..<64).map { _ in UInt32.random(in: 0...UInt32.max, using: &generator) }
            let parameters = StoryClustering.Parameters()
            let terms = StoryClustering.bandTerms(minhash, parameters: parameters)
            #expect(terms.count == parameters.bands)
            #expect(terms.map(NumberedArticlesSchema.bandKey(term:)) == StoryClustering.bandKeys(minhash, parameters: parameters))
        }
        for term in ["e:location:غزه", "b:1", "b:x:ff", "k:b:1:ff", "b:1:zz"] {
            #expect(NumberedArticlesSchema.bandKey(term: term) == nil)
        }
    }

    /// An article row keeps a signature in 16 bits a value (an odd-length blob) and reads one written with 32 bits a
    /// value (an even length) the same way; a place with no value stays one after the round trip.
    @Test func aKeptSignatureHasSixteenBitsAValueAndReadsBothLayouts() {
        var generator = SystemRandomNumberGenerator()
        let minhash = (0..<64).map { _ in UInt32.random(in: 0...UInt32.max, using: &generator) } + [UInt32.max, 0x0001_FFFF]
        let blob = ArticleLedger.minhashBlob(minhash)
        #expect(blob.count == 1 + 2 * minhash.count)
        let kept = ArticleLedger.minhash(blob: blob)
        #expect(kept == ArticleLedger.storedMinhash(minhash))
        #expect(kept.count == minhash.count)
        #expect(kept.suffix(2) == [UInt32.max, UInt32.max])
        #expect(zip(kept, minhash).dropLast(2).allSatisfy { $0 == UInt32.max || $0 == $1 & 0xFFFF })
        var wide = Data()
        for value in minhash { withUnsafeBytes(of: value.littleEndian) { wide.append(contentsOf: $0) } }
        #expect(ArticleLedger.minhash(blob: wide) == kept)
        // Every place with a value agrees with itself (a random value whose low 16 bits are all ones has none).
        let valued = kept.filter { $0 != UInt32.max }.count
        #expect(valued >= 60)
        #expect(StoryClustering.minhashSimilarity(ArticleLedger.storedMinhash(minhash), kept) == Double(valued) / Double(kept.count))
        #expect(ArticleLedger.minhash(blob: nil).isEmpty)
    }
}
