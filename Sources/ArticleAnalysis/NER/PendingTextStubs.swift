// Temporary stand-in for Text/ArabicNormalizer.swift and Text/ArabicClitics.swift (being written on wt/analysis).
// Delete when that branch is merged.
import Foundation


/// Orthographic normalisation of Arabic text, so that spelling variants of one word compare equal.
///
/// The mapping is one scalar in, zero or more scalars out, with no context: normalising a text is the
/// concatenation of normalising its pieces, and time is linear in the length.
enum ArabicNormalizer {
    /// Removes diacritics and tatweel, unifies آ أ إ ٱ -> ا, final ى -> ي, ة -> ه, maps Arabic-Indic and
    /// Persian digits to ASCII, presentation forms to base letters. Non-Arabic text passes unchanged (except digits).
    ///
    /// ؤ and ئ are kept: they are distinct letters in most words, and folding them merges unrelated words.
    static func normalize(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        normalize(scalars: text.unicodeScalars, into: &out)
        return out
    }

    /// The hot-path form: appends the normalised scalars to `into`.
    static func normalize(scalars: some Sequence<Unicode.Scalar>, into: inout String) {
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
    static func isArabicLetter(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (0x0621...0x063A).contains(v) || (0x0641...0x064A).contains(v) || (0x0671...0x06D3).contains(v)
            || (0x0750...0x077F).contains(v) || (0xFB50...0xFDFF).contains(v) || (0xFE70...0xFEFC).contains(v)
    }

    /// True for the marks removed by normalisation (harakat, Quranic marks, superscript alef) and tatweel.
    @inline(__always)
    static func isDiacriticOrTatweel(_ scalar: Unicode.Scalar) -> Bool {
        if case .drop = mapping(of: scalar.value), scalar.value >= 0x0600, scalar.value < 0xFB50 { return true }
        return false
    }
}
/// A word split into its clitics and base.
///
/// Invariant: `proclitics.joined() + base + (suffix ?? "")` is the word that was split.
struct CliticSplit: Sendable, Hashable {
    /// Proclitics in order of writing: at most one conjunction (و ف), at most one preposition (ب ل ك), then
    /// the article "ال" when present. For "لل" (ل + ال with the alef dropped) the proclitics are ["ل", "ل"].
    var proclitics: [String]
    var base: String
    /// A pronoun suffix (ه ها هم هما هن كم كن نا ي ك), when one was removed.
    var suffix: String?

    init(proclitics: [String], base: String, suffix: String?) {
        self.proclitics = proclitics
        self.base = base
        self.suffix = suffix
    }

    /// True when the article (ال, or the ل of لل) was among the proclitics.
    var hasArticle: Bool { proclitics.last == "ال" || (proclitics.count >= 2 && proclitics.suffix(2) == ["ل", "ل"]) }
}

/// Clitic segmentation of Arabic words by rule, without a lexicon.
///
/// Rules (all on normalised words, see `ArabicNormalizer`):
/// - a conjunction و/ف is removed when at least 3 letters remain, a preposition ب/ك/ل when it is followed by the
///   article or at least 3 letters remain; ل + ال is written "لل";
/// - the article ال is removed when at least 2 letters remain;
/// - a pronoun suffix is removed only from words without the article, when at least 3 letters remain
///   (ta marbuta is normalised to ه, so a final ه is ambiguous: it is treated as a pronoun);
/// - the base is never shorter than 2 letters.
enum ArabicClitics {
    static let waw: Unicode.Scalar = "\u{0648}"
    static let feh: Unicode.Scalar = "\u{0641}"
    static let beh: Unicode.Scalar = "\u{0628}"
    static let lam: Unicode.Scalar = "\u{0644}"
    static let kaf: Unicode.Scalar = "\u{0643}"
    static let alefScalar: Unicode.Scalar = "\u{0627}"

    /// Pronoun suffixes, longest first so that the longest match wins.
    static let suffixes: [[Unicode.Scalar]] = ["هما", "هم", "هن", "ها", "كم", "كن", "نا", "ه", "ي", "ك"].map {
        Array($0.unicodeScalars)
    }

    /// Splits a normalised word: conjunction/preposition proclitics (و ف ب ل ك, possibly stacked: وبال),
    /// the article ال, pronoun suffixes (ه ها هم هما هن كم كن نا ي ك), never leaving a base shorter than 2 letters.
    static func split(_ normalizedWord: String) -> CliticSplit {
        let w = Array(normalizedWord.unicodeScalars)
        let r = splitRanges(w)
        let proclitics: [String] = r.proclitics.map { String(String.UnicodeScalarView(w[$0])) }
        let base = String(String.UnicodeScalarView(w[r.base]))
        let suffix = r.base.upperBound < w.count ? String(String.UnicodeScalarView(w[r.base.upperBound...])) : nil
        return CliticSplit(proclitics: proclitics, base: base, suffix: suffix)
    }

    /// The ranges of a split, over the scalars of a normalised word.
    struct Ranges {
        var proclitics: [Range<Int>] = []
        var base: Range<Int>
        var hasArticle = false
    }

    /// Splits the scalars `w`; the hot-path form of `split`, which allocates only the proclitic list.
    static func splitRanges(_ w: [Unicode.Scalar]) -> Ranges {
        var r = Ranges(base: 0..<w.count)
        guard w.count >= 3, w.allSatisfy({ ArabicNormalizer.isArabicLetter($0) }) else { return r }
        var i = 0
        // Conjunction.
        if (w[0] == waw || w[0] == feh) && w.count - 1 >= 3 {
            r.proclitics.append(0..<1)
            i = 1
        }
        // Preposition, or ل + ال written لل.
        if i < w.count {
            let c = w[i]
            let followedByArticle = i + 2 < w.count && w[i + 1] == alefScalar && w[i + 2] == lam
            if c == lam && i + 1 < w.count && w[i + 1] == lam && w.count - (i + 2) >= 2 {
                r.proclitics.append(i..<(i + 1))
                r.proclitics.append((i + 1)..<(i + 2))
                r.hasArticle = true
                i += 2
            } else if (c == beh || c == kaf || c == lam) && (followedByArticle ? w.count - (i + 3) >= 2 : w.count - (i + 1) >= 3) {
                r.proclitics.append(i..<(i + 1))
                i += 1
            }
        }
        // Article.
        if !r.hasArticle && i + 1 < w.count && w[i] == alefScalar && w[i + 1] == lam && w.count - (i + 2) >= 2 {
            r.proclitics.append(i..<(i + 2))
            r.hasArticle = true
            i += 2
        }
        var end = w.count
        if !r.hasArticle {
            for s in suffixes where end - i - s.count >= 3 && w[(end - s.count)..<end].elementsEqual(s) {
                end -= s.count
                break
            }
        }
        r.base = i..<end
        return r
    }

    /// Words that begin with one of و ف ب ل ك as part of the word, not as a proclitic (normalised forms).
    /// Consulted by `stripOneLetterProclitics` only: proper names are where a wrong strip does most harm.
    static let protectedWords: Set<String> = [
        "فلسطين", "فرنسا", "فنزويلا", "فيتنام", "فيينا", "فنلندا", "فيسبوك", "فتح", "فاس",
        "واشنطن", "وارسو", "ويلز", "وزير", "وزيره", "وزاره", "ولايه", "وكاله", "وفد", "وسط", "وليد", "وائل",
        "بيروت", "بغداد", "بريطانيا", "برلين", "بروكسل", "بكين", "بايدن", "بوتين", "بلينكن", "باريس", "باكستان",
        "بنغازي", "بولندا", "بلجيكا", "بلغاريا", "بورما", "بنما", "بيرو", "بوليفيا", "برازيل", "البرازيل", "بومبيو",
        "بنيامين", "بشار", "بندر", "بسام", "بلال", "بكر", "بوش", "بلير",
        "لبنان", "ليبيا", "لندن", "لاهاي", "لوكسمبورغ", "ليتوانيا", "لاتفيا", "لافروف", "لاريجاني", "ليلي", "لؤي",
        "كندا", "كوريا", "كوبا", "كينيا", "كولومبيا", "كرواتيا", "كازاخستان", "كابول", "كراتشي", "كركوك", "كييف",
        "كردستان", "كوشنر", "كيري", "كلينتون", "كمال", "كريم", "كونفافرو",
    ]

    /// Removes one-letter proclitics only (و ف ب ل ك), keeping ال: "بباريس" -> "باريس", "والقاهرة" -> "القاهرة".
    ///
    /// Works on the word as written (letters and marks are kept). A letter is removed when what remains starts
    /// with the article (ال or أل), or has at least 3 letters and the word is not a known word that starts with
    /// that letter ("فلسطين", "بيروت", "لبنان"...). At most a conjunction then a preposition are removed.
    static func stripOneLetterProclitics(_ word: String) -> String {
        var scalars = Substring(word).unicodeScalars[...]
        var strippedConjunction = false
        var strippedPreposition = false
        while let first = scalars.first {
            let normalized = ArabicNormalizer.normalize(String(String.UnicodeScalarView(scalars)))
            if protectedWords.contains(normalized) { break }
            let isConjunction = first == waw || first == feh
            let isPreposition = first == beh || first == kaf || first == lam
            guard (isConjunction && !strippedConjunction && !strippedPreposition) || (isPreposition && !strippedPreposition) else { break }
            let rest = Array(normalized.unicodeScalars.dropFirst())
            let restHasArticle = rest.count >= 4 && rest[0] == alefScalar && rest[1] == lam
            let restIsLamArticle = first == lam && rest.count >= 4 && rest[0] == lam  // لل: keep the article's ل
            let letters = rest.filter { ArabicNormalizer.isArabicLetter($0) }.count
            guard letters == rest.count, restHasArticle || restIsLamArticle || letters >= 3 else { break }
            if restIsLamArticle { break }
            scalars = scalars.dropFirst()
            // Marks written on the removed letter go with it.
            while let next = scalars.first, ArabicNormalizer.isDiacriticOrTatweel(next) { scalars = scalars.dropFirst() }
            if isConjunction { strippedConjunction = true } else { strippedPreposition = true }
        }
        return String(String.UnicodeScalarView(scalars))
    }
}
