/// Hashing that gives the same value in every process and on every platform (unlike Swift's seeded `Hasher`).
public enum StableHash {
    /// FNV-1a's offset basis: the hash of no bytes, where every hash starts.
    public static let fnv1a64Basis: UInt64 = 0xcbf2_9ce4_8422_2325

    /// 64-bit FNV-1a over UTF-8 bytes.
    @inline(__always)
    public static func fnv1a64(_ text: String, seed: UInt64 = fnv1a64Basis) -> UInt64 {
        var copy = text
        return copy.withUTF8 { fnv1a64(bytes: $0, seed: seed) }
    }

    /// 64-bit FNV-1a over `bytes`, continuing from `seed`: hashing a text piece by piece, each call seeded with the
    /// last one's value, gives the hash of the whole.
    @inline(__always)
    public static func fnv1a64<Bytes: Sequence<UInt8>>(bytes: Bytes, seed: UInt64 = fnv1a64Basis) -> UInt64 {
        var h = seed
        for b in bytes {
            h ^= UInt64(b)
            h &*= 0x0000_0100_0000_01B3
        }
        return h
    }

    /// The splitmix64 finaliser: spreads every input bit over the whole word.
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
