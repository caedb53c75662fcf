/// SimHash and MinHash signatures over the shingles of an article's normalised words.
///
/// Shingles: every content word (normalised base, stopwords and numbers left out) and every pair of consecutive
/// content words within a sentence. Each shingle is hashed with `StableHash` (FNV-1a then splitmix64), so
/// fingerprints agree across processes and machines.
/// - `simhash`: over the single words only, weighted by occurrence count: bit b is set when the words whose hash
///   has bit b set outweigh those that do not. Frequent words dominate, so texts on one story differ in fewer
///   bits than unrelated texts; near-duplicates differ in very few.
/// - `minhash`: `signatureLength` minima of `a + i * b` (32-bit arithmetic, a and b the halves of the shingle's
///   hash, b odd: the Kirsch-Mitzenmacher family); the share of equal places of two
///   signatures estimates the Jaccard similarity of their shingle sets. An article without shingles has
///   simhash 0 and every minimum `UInt32.max`.
public enum Fingerprinter {
    /// 32 values: against 64, a near duplicate's chance of sharing one of the story index's bands of 4 values is
    /// lower only for pairs near the 60% line (on 9,974 ANT articles 98% of the near-duplicate pairs found with 64
    /// were found with 32, borderline ones either way), for half the bytes in every analysis and half the
    /// postings in the store.
    public static let signatureLength = 32

    /// Hashes of the shingles of `words` (a sentence's content words in order), appended to `into` with counts.
    /// Shingle hashes, one per occurrence: `words` the single words (the SimHash features), `all` every shingle.
    struct Shingles {
        var all: [UInt64] = []
        var words: [UInt64] = []
    }

    /// Adds the shingles of one sentence's content words, given as word hashes (`mix(fnv1a64(word))`).
    static func addShingles(ofWordHashes hashes: [UInt64], into shingles: inout Shingles) {
        var previous: UInt64? = nil
        for h in hashes {
            shingles.all.append(h)
            shingles.words.append(h)
            if let p = previous {
                shingles.all.append(StableHash.mix(p &* 31 ^ StableHash.mix(h ^ 0x5bd1_e995)))
            }
            previous = h
        }
    }

    static func addShingles(of words: [String], into shingles: inout Shingles) {
        addShingles(ofWordHashes: words.map { StableHash.mix(StableHash.fnv1a64($0)) }, into: &shingles)
    }

    /// For each byte value, its eight bits as lanes of 0 and 1 (bit j in lane j).
    static let byteBits: [SIMD8<Int32>] = (0..<256).map { v in
        var lanes = SIMD8<Int32>.zero
        for j in 0..<8 { lanes[j] = Int32((v >> j) & 1) }
        return lanes
    }

    /// Signatures of shingle hashes with their occurrence counts.
    static func fingerprint(_ shingles: Shingles) -> Fingerprint {
        // SimHash weights: per bit, (words with the bit set) - (words without) = 2 * set - count. Bits are
        // counted a byte at a time: lane j of `setCounts[k]` counts bit 8k + j.
        var setCounts = [SIMD8<Int32>](repeating: .zero, count: 8)
        byteBits.withUnsafeBufferPointer { table in
            setCounts.withUnsafeMutableBufferPointer { counts in
                for h in shingles.words {
                    for k in 0..<8 { counts[k] &+= table[Int(truncatingIfNeeded: (h >> UInt64(8 * k)) & 0xFF)] }
                }
            }
        }
        // MinHash: the minimum of a + i * b over the shingles, for each i, eight places at a time.
        var lanes = [SIMD8<UInt32>](repeating: SIMD8(repeating: .max), count: signatureLength / 8)
        let steps = SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
        lanes.withUnsafeMutableBufferPointer { minima in
            for h in shingles.all {
                let a = UInt32(truncatingIfNeeded: h)
                let b = UInt32(truncatingIfNeeded: h >> 32) | 1
                var v = SIMD8<UInt32>(repeating: a) &+ steps &* b
                let stride = SIMD8<UInt32>(repeating: b &* 8)
                for k in 0..<minima.count {
                    minima[k] = pointwiseMin(minima[k], v)
                    v &+= stride
                }
            }
        }
        var simhash: UInt64 = 0
        let count = shingles.words.count
        if count > 0 {
            for b in 0..<64 where 2 * Int(setCounts[b / 8][b % 8]) - count > 0 { simhash |= 1 << UInt64(b) }
        }
        var minhash: [UInt32] = []
        minhash.reserveCapacity(signatureLength)
        for lane in lanes { for i in 0..<8 { minhash.append(lane[i]) } }
        return Fingerprint(simhash: simhash, minhash: minhash)
    }
}

extension Fingerprint {
    /// Number of differing SimHash bits (0 ... 64).
    public func simhashDistance(to other: Fingerprint) -> Int { (simhash ^ other.simhash).nonzeroBitCount }

    /// The share of MinHash places that agree: an estimate of the Jaccard similarity of the shingle sets.
    public func minhashSimilarity(to other: Fingerprint) -> Double {
        let n = min(minhash.count, other.minhash.count)
        guard n > 0 else { return 0 }
        var same = 0
        for i in 0..<n where minhash[i] == other.minhash[i] && minhash[i] != UInt32.max { same += 1 }
        return Double(same) / Double(n)
    }
}
