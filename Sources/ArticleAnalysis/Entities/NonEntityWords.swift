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

    /// True when the normalised word is a currency or unit, in any of its usual forms.
    static func contains(_ normalizedWord: String) -> Bool {
        var w = Substring(normalizedWord)
        if words.contains(String(w)) { return true }
        if w.hasPrefix("ال"), w.count > 3 { w = w.dropFirst(2) }
        if words.contains(String(w)) { return true }
        for ending in ["ات", "هات", "ا", "ين", "ان", "يه", "ي"] where w.hasSuffix(ending) && w.count - ending.count >= 2 {
            if words.contains(String(w.dropLast(ending.count))) { return true }
        }
        return false
    }

    /// True when the key names a currency or unit: its first word is one and any further words are adjectives
    /// ("الدولار الامريكي", "الليره التركيه"); "ريال مدريد" is a club, not a currency.
    static func isCurrencyOrUnit(key: String) -> Bool {
        let words = key.split(separator: " ")
        guard let first = words.first, contains(String(first)) else { return false }
        return words.dropFirst().allSatisfy { $0.hasSuffix("ي") || $0.hasSuffix("يه") || contains(String($0)) }
    }
}
