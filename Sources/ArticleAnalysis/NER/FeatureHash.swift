/// Deterministic 64-bit hashing for features: FNV-1a over UTF-8 bytes, and FNV-style combination of hashes.
///
/// Unlike Swift's `Hasher` this is not seeded per process, so a feature maps to the same weight in every run and
/// the model file written by training is meaningful when loaded elsewhere. Never change the constants or the
/// order of combination: the shipped model depends on them.
public enum FeatureHash {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// FNV-1a of the UTF-8 bytes of `text`.
    @inlinable
    public static func of(_ text: String) -> UInt64 {
        var text = text
        return text.withUTF8 { of(bytes: $0) }
    }

    /// FNV-1a of the UTF-8 bytes of `text`, without copying it into a `String`.
    static func of(_ text: Substring) -> UInt64 {
        text.utf8.withContiguousStorageIfAvailable { of(bytes: $0) } ?? of(String(text))
    }

    /// FNV-1a of `bytes`, continuing from `start`.
    @inlinable
    public static func of(bytes: UnsafeBufferPointer<UInt8>, start: UInt64 = offsetBasis) -> UInt64 {
        var h = start
        for b in bytes {
            h ^= UInt64(b)
            h = h &* prime
        }
        return h
    }

    /// Folds `value` into `hash` with one FNV-style step over the whole 64-bit word (xor, multiply, rotate), so
    /// combining costs two instructions; `finalize` mixes the result before it is used as a table index.
    @inlinable
    public static func combine(_ hash: UInt64, _ value: UInt64) -> UInt64 {
        let h = (hash ^ value) &* prime
        return (h << 29) | (h >> 35)
    }

    /// A final avalanche (the SplitMix64 finaliser) so that the low bits used as a table index depend on all bits.
    @inlinable
    public static func finalize(_ hash: UInt64) -> UInt64 {
        var z = hash
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
