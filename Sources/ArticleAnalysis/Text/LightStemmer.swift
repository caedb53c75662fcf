/// Light stemming by suffix removal, one rule set per language.
///
/// Arabic follows light10 (Larkey et al.) on a word whose proclitics and article are already removed:
/// each of ها ان ات ون ين يه ه ي is removed once, in that order, while at least 2 letters remain.
/// English and French remove common inflectional endings while at least 3 letters remain.
/// A stem is a grouping key, not a word: it need not be spelled like any word.
public enum LightStemmer {
    static let arabicSuffixes: [[Unicode.Scalar]] = ["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"].map { Array($0.unicodeScalars) }

    /// Stems a normalised Arabic base (see `ArabicClitics.split`).
    public static func stemArabic(_ base: String) -> String {
        var w = Array(base.unicodeScalars)
        stemArabic(&w)
        return String(String.UnicodeScalarView(w))
    }

    /// The in-place form of `stemArabic(_:)`.
    static func stemArabic(_ w: inout [Unicode.Scalar]) {
        for suffix in arabicSuffixes where w.count >= suffix.count + 2 && w.suffix(suffix.count).elementsEqual(suffix) {
            w.removeLast(suffix.count)
        }
    }

    static let englishRules: [(String, String)] = [
        ("sses", "ss"), ("ies", "y"), ("ing", ""), ("edly", ""), ("ed", ""), ("ly", ""), ("ments", ""), ("ment", ""),
        ("ness", ""), ("ations", "ate"), ("ation", "ate"), ("s", ""),
    ]
    static let frenchRules: [(String, String)] = [
        ("issements", ""), ("issement", ""), ("ements", ""), ("ement", ""), ("ments", ""), ("ment", ""),
        ("ations", ""), ("ation", ""), ("euses", ""), ("euse", ""), ("eux", ""), ("iques", ""), ("ique", ""),
        ("elles", ""), ("elle", ""), ("ées", ""), ("ée", ""), ("és", ""), ("é", ""), ("es", ""), ("s", ""), ("x", ""),
        ("e", ""),
    ]

    /// Stems a lowercase English word: the first matching ending is replaced.
    public static func stemEnglish(_ word: String) -> String { applyFirst(englishRules, to: word, keepingEnding: ["ss", "us", "is"]) }

    /// Stems a lowercase French word: the first matching ending is removed.
    public static func stemFrench(_ word: String) -> String { applyFirst(frenchRules, to: word, keepingEnding: ["ss", "us"]) }

    static func applyFirst(_ rules: [(String, String)], to word: String, keepingEnding kept: [String]) -> String {
        if kept.contains(where: { word.hasSuffix($0) }) { return word }
        let count = word.count
        for (ending, replacement) in rules where word.hasSuffix(ending) && count - ending.count >= 3 {
            return String(word.dropLast(ending.count)) + replacement
        }
        return word
    }
}
