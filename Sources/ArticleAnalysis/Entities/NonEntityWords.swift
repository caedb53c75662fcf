/// Currencies and units of measure: words the recognizer sometimes tags as names ("دولار", "يورو", "كيلومتر"),
/// which are never entities.
///
/// Entries are normalised, singular and without the article; `contains` also tries the word without the article
/// and with plural or relative endings removed ("الدولارات", "دولارا", "اليوروهات").
enum NonEntityWords {
    static let words: Set<String> = Set("""
    دولار يورو جنيه ريال دينار درهم ليره روبل روبيه ين يوان فرنك شيكل شيقل بيزو كرونه بيتكوين عمله سنت \
    استرليني الاسترليني اوقيه اونصه برميل طن كيلوغرام كيلوجرام كيلو غرام جرام ملغ ملليغرام كيلومتر كلم كم متر \
    سنتيمتر مليمتر ميل قدم بوصه هكتار دونم فدان لتر ميغاواط ميجاوات كيلوواط واط فولت ميغابايت غيغابايت بايت \
    درجه مئويه فهرنهايت نقطه
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { ArabicNormalizer.normalize(String($0)) })

    /// `words`, looked up by bytes (`contains` tries several slices of each word of every entity key).
    private static let table = UTF8WordTable(words: words)
    /// The endings `contains` removes, as UTF-8 with their length in letters, in the order tried.
    private static let endings: [(bytes: [UInt8], letters: Int)] = ["ات", "هات", "ا", "ين", "ان", "يه", "ي"].map {
        (Array($0.utf8), $0.unicodeScalars.count)
    }

    /// True when the normalised word is a currency or unit, in any of its usual forms.
    static func contains(_ normalizedWord: String) -> Bool {
        var word = normalizedWord
        return word.withUTF8 { bytes in
            var w = bytes[...]
            if table.contains(bytes: w) { return true }
            var letters = UTF8Text.scalarCount(w)
            if w.starts(with: UTF8Text.arabicArticle), letters > 3 {
                w = w.dropFirst(UTF8Text.arabicArticle.count)
                letters -= 2
            }
            if table.contains(bytes: w) { return true }
            for ending in endings where letters - ending.letters >= 2 && UTF8Text.hasSuffix(w, ending.bytes) {
                if table.contains(bytes: w.dropLast(ending.bytes.count)) { return true }
            }
            return false
        }
    }

    /// True when the key names a currency or unit: its first word is one and any further words are adjectives
    /// ("الدولار الامريكي", "الليره التركيه"); "ريال مدريد" is a club, not a currency.
    static func isCurrencyOrUnit(key: String) -> Bool {
        let words = key.split(separator: " ")
        guard let first = words.first, contains(String(first)) else { return false }
        return words.dropFirst().allSatisfy { $0.hasSuffix("ي") || $0.hasSuffix("يه") || contains(String($0)) }
    }
}
