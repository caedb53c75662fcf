import Testing
@testable import ArticleAnalysis

@Suite struct UTF8WordTableTests {
    @Test func findsWordsAndSlicesOfWordsByTheirBytes() {
        var table = UTF8WordTable([("مصري", 1), ("سوري", 2), ("euro", 3)])
        #expect(table["مصري"] == 1)
        #expect(table["euro"] == 3)
        #expect(table["مصر"] == nil)
        #expect(table[""] == nil)
        table.insert("مصري", 4)
        #expect(table["مصري"] == 4)
        var word = "المصريه"
        word.withUTF8 { bytes in
            #expect(table[bytes: bytes[4..<12]] == 4)  // "مصري": the article and the final "ه" left out
            #expect(table[bytes: bytes[4...]] == nil)
        }
        #expect(UTF8WordTable<Int>().isEmpty && !table.isEmpty)
    }

    /// The byte-level `place(ofAdjective:)` answers as the plain string version it replaced, on every form the
    /// table's adjectives take and on words it must not match.
    @Test func placeOfAdjectiveAgreesWithTheStringVersion() {
        let canonicalizer = EntityCanonicalizer()
        func reference(_ word: String) -> String? {
            var w = Substring(word)
            if w.hasPrefix("ال") && w.count > 4 { w = w.dropFirst(2) }
            var candidates = [String(w)]
            if w.hasSuffix("يه") { candidates.append(String(w.dropLast())) }
            if w.hasSuffix("يون") || w.hasSuffix("يين") { candidates.append(String(w.dropLast(2))) }
            if w.hasSuffix("يات") { candidates.append(String(w.dropLast(2))) }
            for c in candidates { if let place = canonicalizer.placeAdjectives[c] { return place } }
            return nil
        }
        #expect(canonicalizer.placeAdjectives.count > 20)
        var words = ["", "ال", "الي", "اليه", "يه", "يون", "مصر", "القاهره", "الدولار", "ايران"]
        for adjective in canonicalizer.placeAdjectives.keys {
            for form in [adjective, adjective + "ه", adjective + "ون", adjective + "ين", adjective + "ات"] {
                words += [form, "ال" + form, "و" + form, String(form.dropFirst())]
            }
        }
        var matched = 0
        for word in words {
            #expect(canonicalizer.place(ofAdjective: word) == reference(word), "\(word)")
            if reference(word) != nil { matched += 1 }
        }
        #expect(matched > canonicalizer.placeAdjectives.count)
    }

    /// The byte-level `NonEntityWords.contains` answers as the plain string version it replaced.
    @Test func currencyAndUnitWordsAgreeWithTheStringVersion() {
        func reference(_ normalizedWord: String) -> Bool {
            var w = Substring(normalizedWord)
            if NonEntityWords.words.contains(String(w)) { return true }
            if w.hasPrefix("ال"), w.count > 3 { w = w.dropFirst(2) }
            if NonEntityWords.words.contains(String(w)) { return true }
            for ending in ["ات", "هات", "ا", "ين", "ان", "يه", "ي"] where w.hasSuffix(ending) && w.count - ending.count >= 2 {
                if NonEntityWords.words.contains(String(w.dropLast(ending.count))) { return true }
            }
            return false
        }
        var words = ["", "ا", "ال", "الي", "ين", "مصر", "ريال مدريد", "الحكومه"]
        for unit in NonEntityWords.words {
            for form in [unit, unit + "ات", unit + "هات", unit + "ا", unit + "ين", unit + "ان", unit + "يه", unit + "ي"] {
                words += [form, "ال" + form, String(form.dropLast())]
            }
        }
        var matched = 0
        for word in words {
            #expect(NonEntityWords.contains(word) == reference(word), "\(word)")
            if reference(word) { matched += 1 }
        }
        #expect(matched >= NonEntityWords.words.count * 8)
    }
}
