/// A word split into its clitics and base.
///
/// Invariant: `proclitics.joined() + base + (suffix ?? "")` is the word that was split.
public struct CliticSplit: Sendable, Hashable {
    /// Proclitics in order of writing: at most one conjunction (و ف), at most one preposition (ب ل ك), then
    /// the article "ال" when present. For "لل" (ل + ال with the alef dropped) the proclitics are ["ل", "ل"].
    public var proclitics: [String]
    public var base: String
    /// A pronoun suffix (ه ها هم هما هن كم كن نا ي ك), when one was removed.
    public var suffix: String?

    public init(proclitics: [String], base: String, suffix: String?) {
        self.proclitics = proclitics
        self.base = base
        self.suffix = suffix
    }

    /// True when the article (ال, or the ل of لل) was among the proclitics.
    public var hasArticle: Bool { proclitics.last == "ال" || (proclitics.count >= 2 && proclitics.suffix(2) == ["ل", "ل"]) }
}

/// Clitic segmentation of Arabic words by rule, without a lexicon.
///
/// Rules (all on normalised words, see `ArabicNormalizer`):
/// - the conjunction و is removed when at least 3 letters remain, ف only before the article (as light10, which
///   leaves ف alone: "فرنسا", "فريق"); a preposition ب/ك/ل only before the article; ل + ال is written "لل"
///   (so "بباريس" keeps its ب here: use `stripOneLetterProclitics` for names);
/// - the article ال is removed when at least 2 letters remain;
/// - a pronoun suffix is removed only from words without the article, when at least 3 letters remain
///   (ta marbuta is normalised to ه, so a final ه is ambiguous: it is treated as a pronoun);
/// - the base is never shorter than 2 letters.
public enum ArabicClitics {
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
    public static func split(_ normalizedWord: String) -> CliticSplit {
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
        if (w[0] == waw && w.count - 1 >= 3) || (w[0] == feh && startsWithArticle(w, at: 1)) {
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
            } else if (c == beh || c == kaf || c == lam) && followedByArticle && w.count - (i + 3) >= 2 {
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

    /// True when `w` continues at `i` with the article, possibly after one preposition (ال, بال, كال, لل).
    static func startsWithArticle(_ w: [Unicode.Scalar], at i: Int) -> Bool {
        func article(_ k: Int) -> Bool { k + 1 < w.count && w[k] == alefScalar && w[k + 1] == lam }
        guard i < w.count else { return false }
        if article(i) { return true }
        if (w[i] == beh || w[i] == kaf) && article(i + 1) { return true }
        return w[i] == lam && i + 1 < w.count && w[i + 1] == lam
    }

    /// The written word without its first `letters` letters (and the marks written on them).
    static func dropLeadingLetters(_ word: String, count letters: Int) -> String {
        guard letters > 0 else { return word }
        var scalars = Substring(word).unicodeScalars[...]
        var dropped = 0
        while dropped < letters, let first = scalars.first {
            scalars = scalars.dropFirst()
            if !ArabicNormalizer.isDiacriticOrTatweel(first) { dropped += 1 }
        }
        while let next = scalars.first, ArabicNormalizer.isDiacriticOrTatweel(next) { scalars = scalars.dropFirst() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// Words that begin with one of و ف ب ل ك as part of the word, not as a proclitic (normalised forms).
    /// Consulted by `stripOneLetterProclitics` only: proper names are where a wrong strip does most harm.
    static let protectedWords: Set<String> = [
        "فلسطين", "فرنسا", "فنزويلا", "فيتنام", "فيينا", "فنلندا", "فيسبوك", "فتح", "فاس",
        "واشنطن", "وارسو", "ويلز", "وزير", "وزيره", "وزاره", "ولايه", "وكاله", "وفد", "وسط", "وليد", "وائل",
        "بيروت", "بغداد", "بريطانيا", "برلين", "بروكسل", "بكين", "بايدن", "بوتين", "بلينكن", "وكاله", "وسائل", "وزاره", "والي", "وطن", "وقف", "وضع", "وصل", "وقت", "وجود", "باريس", "باكستان",
        "بنغازي", "بولندا", "بلجيكا", "بلغاريا", "بورما", "بنما", "بيرو", "بوليفيا", "برازيل", "البرازيل", "بومبيو",
        "بنيامين", "بشار", "بندر", "بسام", "بلال", "بكر", "بوش", "بلير",
        "لبنان", "ليبيا", "لندن", "لاهاي", "لوكسمبورغ", "ليتوانيا", "لاتفيا", "لافروف", "لاريجاني", "ليلي", "لؤي",
        "كندا", "كوريا", "كوبا", "كينيا", "كولومبيا", "كرواتيا", "كازاخستان", "كابول", "كراتشي", "كركوك", "كييف",
        "كردستان", "كوشنر", "كيري", "كلينتون", "كمال", "كريم", "كونفافرو",
    ]

    /// How many leading letters of a normalised word that starts a name are proclitics, by rule alone (no
    /// lexicon): a conjunction (و ف) and a preposition (ب ل ك) written before the article ("وبالقاهره" → 2,
    /// "للقاهره" → 0, since the ل of لل is the article's), and otherwise a و with at least 3 letters after it.
    /// Never more than leaves 2 letters. Key-making consults `EntityKeyLexicon` first, which knows from a corpus
    /// the words this rule gets wrong ("وليد" is whole, "بسوريا" is ب + "سوريا"); the recognizer's features
    /// use `split`, which this does not change.
    public static func nameProcliticLetters(_ w: [Unicode.Scalar]) -> Int {
        guard w.count >= 3, w.allSatisfy({ ArabicNormalizer.isArabicLetter($0) }) else { return 0 }
        func articleAt(_ k: Int) -> Bool { k + 3 < w.count && w[k] == alefScalar && w[k + 1] == lam }
        var i = 0
        if w[0] == waw || w[0] == feh {
            let next = 1
            if articleAt(next) || (next + 3 < w.count && w[next] == lam && w[next + 1] == lam)
                || ((w[next] == beh || w[next] == kaf || w[next] == lam) && articleAt(next + 1)) {
                i = 1
            } else if w[0] == waw && w.count - 1 >= 3 {
                return 1
            }
        }
        if (w[i] == beh || w[i] == kaf || w[i] == lam) && articleAt(i + 1) { i += 1 }
        return i
    }

    /// Removes one-letter proclitics only (و ف ب ل ك), keeping ال: "بباريس" -> "باريس", "والقاهرة" -> "القاهرة".
    ///
    /// Works on the word as written (letters and marks are kept). A letter is removed when what remains starts
    /// with the article (ال or أل); a conjunction (و ف) also when at least 3 letters remain, and a preposition
    /// (ب ل ك) also when what remains is a known name; never when the word itself is a known word that starts
    /// with that letter ("فلسطين", "بيروت", "لبنان"...). At most a conjunction then a preposition are removed.
    public static func stripOneLetterProclitics(_ word: String) -> String {
        var scalars = Substring(word).unicodeScalars[...]
        var strippedConjunction = false
        var strippedPreposition = false
        while let first = scalars.first {
            // Checked before normalising: a word that cannot lose its first letter is returned as is.
            let isConjunction = first == waw || first == feh
            let isPreposition = first == beh || first == kaf || first == lam
            guard (isConjunction && !strippedConjunction && !strippedPreposition) || (isPreposition && !strippedPreposition) else { break }
            let normalized = ArabicNormalizer.normalize(String(Substring(scalars)))
            if protectedWords.contains(normalized) { break }
            let rest = Array(normalized.unicodeScalars.dropFirst())
            let restHasArticle = rest.count >= 4 && rest[0] == alefScalar && rest[1] == lam
            let restIsLamArticle = first == lam && rest.count >= 4 && rest[0] == lam  // لل: keep the article's ل
            let letters = rest.filter { ArabicNormalizer.isArabicLetter($0) }.count
            // A preposition before a bare word is taken as one only when the rest is a known name ("بباريس"):
            // too many names begin with ب ل ك ("باسكال") to strip them on length alone.
            let restIsKnownName = protectedWords.contains(String(Substring(normalized.unicodeScalars.dropFirst())))
            let longEnough = isConjunction ? letters >= 3 : restIsKnownName
            guard letters == rest.count, restHasArticle || restIsLamArticle || longEnough else { break }
            if restIsLamArticle { break }
            scalars = scalars.dropFirst()
            // Marks written on the removed letter go with it.
            while let next = scalars.first, ArabicNormalizer.isDiacriticOrTatweel(next) { scalars = scalars.dropFirst() }
            if isConjunction { strippedConjunction = true } else { strippedPreposition = true }
        }
        return String(Substring(scalars))
    }
}
