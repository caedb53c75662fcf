/// SimHash and MinHash signatures over the shingles of an article's normalised words.
///
/// Shingles: every content word (normalised base, stopwords and numbers left out) and every pair of consecutive
/// content words within a sentence. Each shingle is hashed with `StableHash` (FNV-1a then splitmix64), so
/// fingerprints agree across processes and machines.
/// - `simhash`: bit b is set when the shingles whose hash has bit b set outweigh those that do not (weights are
///   occurrence counts). Near-duplicates differ in few bits.
/// - `minhash`: `signatureLength` minima of `mix(hash ^ seed_i)` (low 32 bits); the share of equal places of two
///   signatures estimates the Jaccard similarity of their shingle sets. An article without shingles has
///   simhash 0 and every minimum `UInt32.max`.
public enum Fingerprinter {
    public static let signatureLength = 64

    /// The per-function seeds, fixed forever (changing them changes every stored signature).
    static let seeds: [UInt64] = (0..<UInt64(signatureLength)).map { StableHash.mix($0 &* 0x632B_E59B_D9B4_E019 &+ 1) }

    /// Hashes of the shingles of `words` (a sentence's content words in order), appended to `into` with counts.
    static func addShingles(of words: [String], into counts: inout [UInt64: Int]) {
        var previous: UInt64? = nil
        for w in words {
            let h = StableHash.fnv1a64(w)
            counts[StableHash.mix(h), default: 0] += 1
            if let p = previous {
                counts[StableHash.mix(p &* 31 ^ StableHash.mix(h ^ 0x5bd1_e995)), default: 0] += 1
            }
            previous = h
        }
    }

    /// Signatures of shingle hashes with their occurrence counts.
    static func fingerprint(_ counts: [UInt64: Int]) -> Fingerprint {
        var weights = [Int](repeating: 0, count: 64)
        var minima = [UInt32](repeating: UInt32.max, count: signatureLength)
        for (h, c) in counts {
            for b in 0..<64 {
                weights[b] += (h >> UInt64(b)) & 1 == 1 ? c : -c
            }
            for i in 0..<signatureLength {
                let v = UInt32(truncatingIfNeeded: StableHash.mix(h ^ seeds[i]))
                if v < minima[i] { minima[i] = v }
            }
        }
        var simhash: UInt64 = 0
        if !counts.isEmpty {
            for b in 0..<64 where weights[b] > 0 { simhash |= 1 << UInt64(b) }
        }
        return Fingerprint(simhash: simhash, minhash: minima)
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
