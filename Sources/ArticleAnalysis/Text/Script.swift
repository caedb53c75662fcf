/// The writing systems the analysis tells apart.
public enum Script: Sendable, Hashable {
    case arabic
    case latin
    case other
    case none

    /// The script of a letter; `.none` for digits, punctuation, marks and spaces.
    @inline(__always)
    public static func of(_ scalar: Unicode.Scalar) -> Script {
        let v = scalar.value
        if v < 0x80 {
            return (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) ? .latin : .none
        }
        if ArabicNormalizer.isArabicLetter(scalar) { return .arabic }
        if (0x00C0...0x024F).contains(v) && v != 0xD7 && v != 0xF7 { return .latin }
        if (0x0600...0x06FF).contains(v) { return .none }  // Arabic marks, digits, punctuation
        return scalar.properties.isAlphabetic ? .other : .none
    }
}

/// Characters the clean text never keeps: bidirectional controls and other invisible format characters.
enum InvisibleCharacters {
    /// Bidirectional embedding, override, isolate and mark characters (including the Arabic letter mark).
    @inline(__always)
    static func isBidiControl(_ v: UInt32) -> Bool {
        v == 0x061C || v == 0x200E || v == 0x200F || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }

    /// Control characters other than tab, newline and carriage return (form feed and vertical tab count as space).
    @inline(__always)
    static func isBinaryControl(_ v: UInt32) -> Bool {
        (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D && v != 0x0B && v != 0x0C) || v == 0x7F
    }
}
