/// Tells Arabic, English and French apart from letter scripts and function words.
///
/// Arabic is decided by script: the share of Arabic letters among all letters. Latin text is English or French by
/// the stopwords it uses (French accents count for French). The confidence is the winning share, in [0, 1].
enum LanguageIdentifier {
    /// Below this confidence the analysis adds `AnalysisFlag.languageUncertain`.
    static let uncertainBelow = 0.6

    static let frenchOnly: Set<String> = [
        "le", "la", "les", "des", "du", "et", "est", "une", "dans", "pour", "qui", "que", "sur", "au", "aux", "par",
        "avec", "ce", "cette", "sont", "pas", "ont", "été", "selon", "il", "elle", "son", "ses", "mais", "plus",
    ]
    static let englishOnly: Set<String> = [
        "the", "and", "is", "of", "to", "in", "that", "for", "with", "was", "on", "are", "by", "this", "from",
        "have", "has", "be", "it", "at", "said", "which", "were", "their", "they", "not", "been", "will", "would",
    ]

    /// `arabicLetters` and `latinLetters` count letters; `latinWords` are the lowercased Latin-script words.
    static func identify(arabicLetters: Int, latinLetters: Int, otherLetters: Int, latinWords: [String], accentedLatin: Int) -> LanguageGuess {
        let letters = arabicLetters + latinLetters + otherLetters
        guard letters >= 3 else { return LanguageGuess(code: "und", confidence: 0) }
        let arabicShare = Double(arabicLetters) / Double(letters)
        let latinShare = Double(latinLetters) / Double(letters)
        if arabicShare >= latinShare && arabicShare * Double(letters) >= Double(otherLetters) {
            return LanguageGuess(code: "ar", confidence: rounded(arabicShare))
        }
        if latinShare < Double(otherLetters) / Double(letters) {
            return LanguageGuess(code: "und", confidence: rounded(Double(otherLetters) / Double(letters)))
        }
        var en = 0
        var fr = 0
        for w in latinWords {
            if englishOnly.contains(w) { en += 1 }
            if frenchOnly.contains(w) { fr += 1 }
        }
        fr += min(accentedLatin / 4, latinWords.count / 10 + 1)
        let total = en + fr
        guard total > 0 else { return LanguageGuess(code: "und", confidence: rounded(latinShare * 0.3)) }
        let evidence = min(1.0, Double(total) / 5.0)  // a few function words are needed before being sure
        if en >= fr {
            return LanguageGuess(code: "en", confidence: rounded(latinShare * evidence * Double(en) / Double(total)))
        }
        return LanguageGuess(code: "fr", confidence: rounded(latinShare * evidence * Double(fr) / Double(total)))
    }

    /// Rounds to 3 decimals so that confidences compare equal across platforms.
    static func rounded(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}
