import Foundation

/// Orthographic normalisation of Arabic text, so that spelling variants of one word compare equal.
///
/// The mapping is one scalar in, zero or more scalars out, with no context: normalising a text is the
/// concatenation of normalising its pieces, and time is linear in the length.
public enum ArabicNormalizer {
    /// Removes diacritics and tatweel, unifies آ أ إ ٱ -> ا, final ى -> ي, ة -> ه, maps Arabic-Indic and
    /// Persian digits to ASCII, presentation forms to base letters. Non-Arabic text passes unchanged (except digits).
    ///
    /// ؤ and ئ are kept: they are distinct letters in most words, and folding them merges unrelated words.
    public static func normalize(_ text: String) -> String {
        var copy = text
        var expands = false
        let result = copy.withUTF8 { src in
            // Over the UTF-8 bytes, written straight into the new string: only scalars of U+0600...U+06FF (lead
            // bytes D8...DB) and of U+F000...U+FFFF (lead byte EF: presentation forms) can change, and but for
            // ligatures (`.many`, handled below) none grows, so the input's length is capacity enough.
            String(unsafeUninitializedCapacity: src.count) { out in
                let n = src.count
                var i = 0, o = 0
                while i < n {
                    let c = src[i]
                    if c < 0x80 {
                        out[o] = c
                        o += 1
                        i += 1
                        continue
                    }
                    let length = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4
                    guard i + length <= n else { break }
                    let v: UInt32
                    if c >= 0xD8 && c <= 0xDB {
                        v = (UInt32(c & 0x1F) << 6) | UInt32(src[i + 1] & 0x3F)
                    } else if c == 0xEF {
                        v = 0xF000 | (UInt32(src[i + 1] & 0x3F) << 6) | UInt32(src[i + 2] & 0x3F)
                    } else {
                        v = 0  // unchanged
                    }
                    switch v == 0 ? .keep : mapping(of: v) {
                    case .keep:
                        for k in 0..<length { out[o + k] = src[i + k] }
                        o += length
                    case .drop:
                        break
                    case .one(let s):
                        o += put(s, into: out, at: o)
                    case .many:
                        expands = true
                        return 0
                    }
                    i += length
                }
                return o
            }
        }
        guard expands else { return result }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars { appendNormalizedUTF8(scalar, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the UTF-8 bytes of a scalar below U+10000 at `o`; returns how many. (A single-scalar mapping never
    /// takes more bytes than the scalar it replaces: 2 for U+06xx, at most 3 for presentation forms.)
    @inline(__always)
    private static func put(_ scalar: Unicode.Scalar, into out: UnsafeMutableBufferPointer<UInt8>, at o: Int) -> Int {
        let v = scalar.value
        if v < 0x80 {
            out[o] = UInt8(v)
            return 1
        }
        if v < 0x800 {
            out[o] = UInt8(0xC0 | (v >> 6))
            out[o + 1] = UInt8(0x80 | (v & 0x3F))
            return 2
        }
        out[o] = UInt8(0xE0 | (v >> 12))
        out[o + 1] = UInt8(0x80 | ((v >> 6) & 0x3F))
        out[o + 2] = UInt8(0x80 | (v & 0x3F))
        return 3
    }

    /// Appends the UTF-8 bytes of the normalisation of one scalar; returns how many scalars were appended.
    @inline(__always)
    @discardableResult
    static func appendNormalizedUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) -> Int {
        let v = scalar.value
        if v < 0x80 {
            out.append(UInt8(v))
            return 1
        }
        if v < 0x0600 {
            appendUTF8(scalar, to: &out)
            return 1
        }
        switch mapping(of: v) {
        case .keep: appendUTF8(scalar, to: &out); return 1
        case .drop: return 0
        case .one(let s): appendUTF8(s, to: &out); return 1
        case .many(let list):
            for s in list { appendUTF8(s, to: &out) }
            return list.count
        }
    }

    @inline(__always)
    static func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        let v = scalar.value
        switch v {
        case ..<0x80: out.append(UInt8(v))
        case ..<0x800:
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        case ..<0x10000:
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// The hot-path form: appends the normalised scalars to `into`.
    public static func normalize(scalars: some Sequence<Unicode.Scalar>, into: inout String) {
        for scalar in scalars {
            appendNormalized(scalar, to: &into.unicodeScalars)
        }
    }

    /// Appends the normalisation of one scalar.
    @inline(__always)
    static func appendNormalized(_ scalar: Unicode.Scalar, to out: inout String.UnicodeScalarView) {
        let v = scalar.value
        if v < 0x0600 {
            out.append(scalar)
            return
        }
        switch mapping(of: v) {
        case .keep: out.append(scalar)
        case .drop: break
        case .one(let s): out.append(s)
        case .many(let list): out.append(contentsOf: list)
        }
    }

    /// What a single scalar becomes.
    enum Mapping: Sendable {
        case keep
        case drop
        case one(Unicode.Scalar)
        case many([Unicode.Scalar])
    }

    static let alef = Unicode.Scalar(0x0627)!
    static let yeh = Unicode.Scalar(0x064A)!
    static let heh = Unicode.Scalar(0x0647)!

    /// The mapping of a scalar at or above U+0600 (below is always `.keep`).
    @inline(__always)
    static func mapping(of v: UInt32) -> Mapping {
        switch v {
        case 0x0610...0x061A, 0x064B...0x065F, 0x0670, 0x06D6...0x06DC, 0x06DF...0x06E8, 0x06EA...0x06ED, 0x0640:
            return .drop
        case 0x0622, 0x0623, 0x0625, 0x0671, 0x0672, 0x0673:
            return .one(alef)
        case 0x0649:
            return .one(yeh)
        case 0x0629:
            return .one(heh)
        case 0x0660...0x0669:
            return .one(Unicode.Scalar(v - 0x0660 + 0x30)!)
        case 0x06F0...0x06F9:
            return .one(Unicode.Scalar(v - 0x06F0 + 0x30)!)
        case 0x06CC:  // Persian yeh
            return .one(yeh)
        case 0xFB50...0xFDFF, 0xFE70...0xFEFF:
            return presentationForms[Int(v < 0xFE70 ? v - 0xFB50 : v - 0xFE70 + 0x2B0)]
        default:
            return .keep
        }
    }

    /// The normalisation of every presentation form, U+FB50...U+FDFF then U+FE70...U+FEFF, built once from the
    /// compatibility decomposition (NFKC) and then normalised itself (so ligatures with diacritics lose them).
    static let presentationForms: [Mapping] = {
        var table: [Mapping] = []
        table.reserveCapacity(0x2B0 + 0x90)
        for v in Array(0xFB50...0xFDFF) + Array(0xFE70...0xFEFF) {
            guard let scalar = Unicode.Scalar(UInt32(v)) else { table.append(.keep); continue }
            let decomposed = String(Character(scalar)).precomposedStringWithCompatibilityMapping.unicodeScalars
            if decomposed.count == 1, decomposed.first == scalar {
                table.append(.keep)
                continue
            }
            var out: [Unicode.Scalar] = []
            for s in decomposed {
                if s.value == 0x20 { continue }  // isolated diacritic forms decompose to space + mark
                if s.value < 0x0600 { out.append(s); continue }
                switch mapping(of: s.value) {
                case .keep: out.append(s)
                case .drop: break
                case .one(let m): out.append(m)
                case .many(let list): out.append(contentsOf: list)
                }
            }
            switch out.count {
            case 0: table.append(.drop)
            case 1: table.append(.one(out[0]))
            default: table.append(.many(out))
            }
        }
        return table
    }()

    /// True for Arabic letters (the base block and the supplements), after normalisation or before.
    @inline(__always)
    public static func isArabicLetter(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (0x0621...0x063A).contains(v) || (0x0641...0x064A).contains(v) || (0x0671...0x06D3).contains(v)
            || (0x0750...0x077F).contains(v) || (0xFB50...0xFDFF).contains(v) || (0xFE70...0xFEFC).contains(v)
    }

    /// True for the marks removed by normalisation (harakat, Quranic marks, superscript alef) and tatweel.
    @inline(__always)
    public static func isDiacriticOrTatweel(_ scalar: Unicode.Scalar) -> Bool {
        if case .drop = mapping(of: scalar.value), scalar.value >= 0x0600, scalar.value < 0xFB50 { return true }
        return false
    }
}
