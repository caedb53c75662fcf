/// Builds an `EntityKeyLexicon` from the words of a news corpus and the name gazetteers.
///
/// Proclitic letters: letters before the article are proclitics ("والمانيا") unless the gazetteers list the word
/// whole and not the rest, or the rest is `restToWordRatio` times rarer than the word ("والدة"). Otherwise a word W that begins with و ف ب ل ك is taken as proclitic(s) + R, R being W
/// without its first one or two letters (a conjunction then a preposition) seen at least `minimumRestCount` times:
/// when R is a listed name (and W is not) seen as often as W; when neither is listed, unless R is seen
/// `restToWordRatio` times less often than W ("والدة", "كبير" are whole); a word the gazetteers list whole only
/// when R is also listed and seen `listedRestToWordRatio` times as often ("فرانس" 828 times against "رانس" once is whole; "بسوريا" 188 against
/// "سوريا" 6,117 is ب + سوريا). Only words seen `minimumWordCount` times (or listed) whose reading differs from
/// `ArabicClitics.nameProcliticLetters` are stored.
///
/// Person aliases: for each word S written after a given name F ("دونالد ترامب"), the given name seen most often
/// before it, F*, names the person S alone means when it accounts for `aliasShare` of those pairs and was seen
/// `minimumFullNameCount` times; then S → "F* S". A spelling variant V of S (one long vowel letter ا و ي more or
/// less) written after the same F* ("فلاديمير بوتن") at least `minimumVariantCount` times, and at most a fifth as
/// often as "F* S", gives V → "F* S" and "F* V" → "F* S". When F* itself is most often written after one given
/// name G the same way ("رجب طيب"), and F* is largely written within this one name (`chainShare` of its occurrences
/// both before S and after G: "طيب اردوغان" is 87% of "طيب", "رجب طيب" 91%), the full name is "G F* S"; not so
/// "منصور هادي العامري" ("هادي العامري" is 12% of "هادي") or "نظام معمر القذافي" ("نظام معمر", "Muammar's regime",
/// is 10% of "معمر").
///
/// When F* is mostly a surname itself (most often written after one given name: "ترامب" after "دونالد"), a pair
/// counts only when it is at least `surnameShare` of F*'s occurrences: a surname is followed by every kind of word,
/// and "ترامب الانتخابية" (50 of 7,544 "ترامب": "Trump's electoral [campaign]") names no person "الانتخابية".
public extension EntityKeyLexicon {
    struct Builder: Sendable {
        public var minimumWordCount = 2
        public var minimumRestCount = 5
        public var restToWordRatio = 4
        public var listedRestToWordRatio = 50
        public var aliasShare = 0.75
        public var minimumFullNameCount = 10
        public var minimumVariantCount = 3
        public var surnameShare = 0.05
        public var chainShare = 0.4

        /// Normalised name words the gazetteers list (every word of every entry).
        let names: Set<String>
        /// Normalised given names: the words that may start a full name.
        let givenNames: Set<String>
        /// Normalised words that are never a surname's given name although listed (titles, kinship words).
        static let notGivenNames: Set<String> = ["بن", "ابن", "ابو", "بنت", "عبد", "ال", "الرئيس", "الملك", "الامير", "الشيخ", "السيد"]

        var wordCounts: [String: Int] = [:]
        /// Surname → given name before it → count.
        var pairs: [String: [String: Int]] = [:]

        public init(names: Set<String>, givenNames: Set<String>) {
            self.names = Set(names.map(ArabicNormalizer.normalize))
            // Name lists carry function words and verbs among their tokens: those never start a full name.
            self.givenNames = Set(givenNames.map(ArabicNormalizer.normalize)).subtracting(Builder.notGivenNames).filter {
                !$0.hasPrefix("ال") && !Stopwords.arabic.contains(word: $0) && !SpeechCues.arabicVerbs.contains(word: $0)
                    && !SpeechCues.arabicVerbs.contains(word: String($0.unicodeScalars.dropFirst()))
            }
        }

        /// Counts the Arabic words of a text; a pair is two words with only spaces between them.
        public mutating func add(text: String) {
            var previous: String? = nil
            var word: [Unicode.Scalar] = []
            var sawOnlySpace = true
            func flush() {
                guard !word.isEmpty else { return }
                let w = String(String.UnicodeScalarView(word))
                word.removeAll(keepingCapacity: true)
                wordCounts[w, default: 0] += 1
                if let p = previous, sawOnlySpace, let given = givenName(p) { pairs[w, default: [:]][given, default: 0] += 1 }
                previous = w
                sawOnlySpace = true
            }
            for scalar in ArabicNormalizer.normalize(text).unicodeScalars {
                if ArabicNormalizer.isArabicLetter(scalar) {
                    word.append(scalar)
                } else {
                    flush()
                    if scalar != " " { sawOnlySpace = false; previous = nil }
                }
            }
            flush()
        }

        /// The given name a word is, with one proclitic letter allowed before it ("لدونالد").
        func givenName(_ w: String) -> String? {
            if givenNames.contains(w) { return w }
            guard let first = w.unicodeScalars.first, "وفبلك".unicodeScalars.contains(first) else { return nil }
            let rest = String(w.unicodeScalars.dropFirst())
            return givenNames.contains(rest) && !names.contains(w) ? rest : nil
        }

        /// The proclitic letters of `w` by the corpus counts (see the type's documentation).
        func startsWithArticle(_ s: [Unicode.Scalar], at i: Int) -> Bool {
            i + 1 < s.count && s[i] == ArabicClitics.alefScalar && s[i + 1] == ArabicClitics.lam
                || i + 1 < s.count && s[i] == ArabicClitics.lam && s[i + 1] == ArabicClitics.lam
        }

        func procliticLetters(of w: String) -> Int {
            let s = Array(w.unicodeScalars)
            guard s.count >= 3, "وفبلك".unicodeScalars.contains(s[0]) else { return 0 }
            let count = wordCounts[w, default: 0]
            let listed = names.contains(w)
            var letters = 0
            var candidates = [1]
            if (s[0] == ArabicClitics.waw || s[0] == ArabicClitics.feh) && s.count >= 5
                && [ArabicClitics.beh, ArabicClitics.lam, ArabicClitics.kaf].contains(s[1]) {
                candidates.append(2)
            }
            // Before the article the letters are proclitics unless the word is a listed name and the rest is not.
            let byRule = ArabicClitics.nameProcliticLetters(s)
            // "للسلطه" is ل + ال with the alef dropped: no letter of it can go (the key folds it to "السلطه").
            if byRule == 0 && startsWithArticle(s, at: 0) { return 0 }
            if byRule > 0 && startsWithArticle(s, at: byRule) {
                let rest = String(String.UnicodeScalarView(s[byRule...]))
                if listed && !names.contains(rest) { return 0 }
                // "والدة" is no و + "الدة": a rest much rarer than the word is no word of its own.
                return wordCounts[rest, default: 0] * restToWordRatio < count ? 0 : byRule
            }
            for k in candidates {
                let rest = String(String.UnicodeScalarView(s[k...]))
                let restCount = wordCounts[rest, default: 0]
                guard restCount >= minimumRestCount else { continue }
                if listed {
                    if names.contains(rest) && restCount >= listedRestToWordRatio * count { letters = k }
                } else if names.contains(rest) {
                    if restCount >= count { letters = k }
                } else if restCount * restToWordRatio >= count {
                    // Neither is a name: proclitics, unless the rest is much rarer than the word ("والدة", "كبير").
                    letters = k
                }
            }
            return letters
        }

        public func build() -> EntityKeyLexicon {
            var lexicon = EntityKeyLexicon()
            var candidates = Set(wordCounts.filter { $0.value >= minimumWordCount }.keys)
            candidates.formUnion(names)
            for w in candidates {
                guard let first = w.unicodeScalars.first, "وفبلك".unicodeScalars.contains(first) else { continue }
                let letters = procliticLetters(of: w)
                if letters != ArabicClitics.nameProcliticLetters(Array(w.unicodeScalars)) {
                    lexicon.procliticLetters[w] = letters
                }
            }
            // Aliases, surnames in a fixed order so that a variant claimed twice resolves the same way every run.
            for surname in pairs.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                guard let dominant = dominantGivenName(of: surname) else { continue }
                // "طيب اردوغان" is itself most often "رجب طيب اردوغان": the name then has three words.
                var full = dominant + " " + surname
                if let first = dominantGivenName(of: dominant), isMostlyWithin(dominant, after: first, before: surname) {
                    lexicon.personAliases[full] = first + " " + full
                    full = first + " " + full
                }
                lexicon.personAliases[surname] = full
                let fullCount = pairs[surname]?[dominant] ?? 0
                for variant in Builder.vowelVariants(of: surname) {
                    let n = pairs[variant]?[dominant] ?? 0
                    guard n >= minimumVariantCount, 5 * n <= fullCount else { continue }
                    lexicon.personAliases[variant] = full
                    lexicon.personAliases[dominant + " " + variant] = full
                }
            }
            // A key is never itself an alias: drop aliases whose target was claimed as a variant elsewhere.
            for (alias, key) in lexicon.personAliases where lexicon.personAliases[key] != nil && lexicon.personAliases[key] != key {
                lexicon.personAliases[alias] = lexicon.personAliases[key]
            }
            lexicon.personAliases = lexicon.personAliases.filter { $0.key != $0.value }
            return lexicon
        }

        /// The given name that `surname` alone most likely belongs to, when one clearly dominates, and, when that
        /// given name is mostly a surname itself ("ترامب"), the pair is `surnameShare` of its occurrences.
        func dominantGivenName(of surname: String) -> String? {
            guard let given = dominantPredecessor(of: surname) else { return nil }
            if dominantPredecessor(of: given) != nil,
               Double(pairs[surname]?[given] ?? 0) < surnameShare * Double(wordCounts[given, default: 0]) {
                return nil
            }
            return given
        }

        /// The given name written before `word` in `aliasShare` of its pairs, at least `minimumFullNameCount` times.
        private func dominantPredecessor(of word: String) -> String? {
            guard let before = pairs[word] else { return nil }
            let total = before.values.reduce(0, +)
            let ranked = before.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            guard let best = ranked.first, best.value >= minimumFullNameCount, Double(best.value) >= aliasShare * Double(total)
            else { return nil }
            return best.key
        }

        /// Whether `middle` is largely written as the middle of "`first` `middle` `last`": `chainShare` of its
        /// occurrences both after `first` and before `last` ("طيب" in "رجب طيب اردوغان"; not "هادي", which is
        /// also "هادي العامري", in "منصور هادي").
        func isMostlyWithin(_ middle: String, after first: String, before last: String) -> Bool {
            let count = Double(wordCounts[middle, default: 0])
            return Double(pairs[middle]?[first] ?? 0) >= chainShare * count
                && Double(pairs[last]?[middle] ?? 0) >= chainShare * count
        }

        /// The words that differ from `w` by one long vowel letter (ا و ي) inserted or removed.
        static func vowelVariants(of w: String) -> [String] {
            let s = Array(w.unicodeScalars)
            let vowels: [Unicode.Scalar] = ["\u{0627}", "\u{0648}", "\u{064A}"]
            var out: Set<String> = []
            for i in s.indices where vowels.contains(s[i]) && i > 0 {
                var t = s
                t.remove(at: i)
                out.insert(String(String.UnicodeScalarView(t)))
            }
            for i in 1..<s.count {
                for v in vowels {
                    var t = s
                    t.insert(v, at: i)
                    out.insert(String(String.UnicodeScalarView(t)))
                }
            }
            out.remove(w)
            return out.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        }
    }
}

public extension EntityKeyLexicon.Builder {
    /// The words of the bundled gazetteer's entries (`Resources/gazetteer-entities.txt`): every name word, and
    /// the given names (category GIVEN). Empty when the resource cannot be read.
    static func bundledGazetteerWords() -> (names: Set<String>, givenNames: Set<String>) {
        guard let data = try? EntityRecognizer.bundledResource("gazetteer-entities", "txt") else { return ([], []) }
        var names: Set<String> = []
        var given: Set<String> = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t")
            guard fields.count == 2, ["PERS", "ORG", "LOC", "MISC", "GIVEN"].contains(fields[0]) else { continue }
            let words = fields[1].split(separator: " ").map { ArabicNormalizer.normalize(String($0)) }
            names.formUnion(words)
            if fields[0] == "GIVEN" { given.formUnion(words) }
        }
        return (names, given)
    }
}
