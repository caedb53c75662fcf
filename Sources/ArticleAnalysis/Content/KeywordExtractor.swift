import Foundation

/// Keyphrases: runs of 1 to 3 content words scored by TF-IDF of their stems.
///
/// Candidates are word n-grams (n <= 3) inside a sentence containing no stopword, non-keyword (weekday, month,
/// number word, time: `Stopwords.nonKeywords`), number or punctuation.
/// A word's weight is tf(stem) * idf(stem), idf from the `DocumentFrequencies` given (the analyzer gives the
/// bundled corpus table by default) or 1 without them, times
/// 1.5 for a stem seen in the first fifth of the text. A phrase scores the mean weight of its words times
/// sqrt(its count) times (1 + 0.25 (n - 1)), halved for an adjective alone ("الأمريكية", "النووية"); phrases of
/// several words must occur twice. Speech verbs are no keywords, and idf is capped at that of a stem seen in
/// `rareDocumentCount` documents. A phrase whose stems all
/// lie inside a better phrase already chosen is dropped. The phrase is shown as first written without a proclitic
/// on its first word where there is such an occurrence, else as first written, with the proclitics
/// of its first word removed as entity keys remove them (`EntityKeyLexicon`).
struct KeywordExtractor: Sendable {
    static let limit = 10
    /// Stems rarer than this many documents all weigh as this rare: a word seen once in a corpus (often a verb form
    /// or a misspelling) is no better a keyword than one seen in 20 articles.
    static let rareDocumentCount = 20
    let documentFrequencies: DocumentFrequencies?
    /// `documentFrequencies.counts` looked up by bytes (a lookup per distinct stem of every article).
    private let documentCounts: UTF8WordTable<Int>
    var keyLexicon = EntityKeyLexicon.bundledOrEmpty
    var placeAdjectives = EntityCanonicalizer()

    init(documentFrequencies: DocumentFrequencies?) {
        self.documentFrequencies = documentFrequencies
        self.documentCounts = documentFrequencies.map { UTF8WordTable($0.counts) } ?? UTF8WordTable()
    }

    struct Candidate {
        /// Where the phrase was first seen (lexeme indices).
        var first: Range<Int>
        var count: Int
    }

    func extract(_ t: AnalyzedText) -> [Keyword] {
        var tf = [Int](repeating: 0, count: t.stemCount)
        var early = [Bool](repeating: false, count: t.stemCount)
        var stemText = [String?](repeating: nil, count: t.stemCount)
        let earlyLimit = t.utf8.count / 5
        for i in t.lexemes.indices where isContent(i, t) {
            let id = t.stemIDs[i]
            tf[id] += 1
            if t.lexemes[i].start <= earlyLimit { early[id] = true }
            if stemText[id] == nil { stemText[id] = t.forms[i]!.stem }
        }
        let idfCap = documentFrequencies.map { $0.idf(df: KeywordExtractor.rareDocumentCount) } ?? 1
        // Each stem's weight once (a stem is in many candidates); nil until first needed.
        var weights = [Double?](repeating: nil, count: t.stemCount)
        func weight(_ id: Int) -> Double {
            if let known = weights[id] { return known }
            let idf = min(idfCap, documentFrequencies.map { $0.idf(df: documentCounts[stemText[id] ?? ""] ?? 0) } ?? 1)
            let w = Double(tf[id]) * idf * (early[id] ? 1.5 : 1)
            weights[id] = w
            return w
        }
        // Candidates keyed by a hash of their stem ids; equal hashes of different phrases probe onwards.
        var candidates: [Candidate] = []
        var index: [UInt64: Int] = [:]
        // At most three candidates (1- to 3-word phrases) start at each lexeme: reserved so no insertion
        // rehashes. Only lookups are made, never iteration, so capacity cannot change a result.
        index.reserveCapacity(3 * t.lexemes.count)
        candidates.reserveCapacity(3 * t.lexemes.count)
        func sameStems(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { t.stemIDs[$0] == t.stemIDs[$1] }
        }
        for sentence in t.sentences {
            var i = sentence.lowerBound
            while i < sentence.upperBound {
                guard isContent(i, t) else { i += 1; continue }
                var j = i
                while j < sentence.upperBound && isContent(j, t) { j += 1 }
                for a in i..<j {
                    var h: UInt64 = 0x9E37_79B9_7F4A_7C15
                    for n in 1...3 where a + n <= j {
                        h = StableHash.mix(h ^ UInt64(t.stemIDs[a + n - 1]))
                        let range = a..<(a + n)
                        var probe = h
                        while true {
                            if let k = index[probe] {
                                if sameStems(candidates[k].first, range) {
                                    candidates[k].count += 1
                                    // Shown as written where its first word carries no proclitic, when it ever does.
                                    if !isBare(candidates[k].first.lowerBound, t) && isBare(a, t) { candidates[k].first = range }
                                    break
                                }
                                probe = StableHash.mix(probe)
                            } else {
                                index[probe] = candidates.count
                                candidates.append(Candidate(first: range, count: 1))
                                break
                            }
                        }
                    }
                }
                i = j
            }
        }
        var scored: [(candidate: Int, score: Double)] = []
        for (k, c) in candidates.enumerated() {
            if c.first.count > 1 && c.count < 2 { continue }
            let mean = c.first.map { weight(t.stemIDs[$0]) }.reduce(0, +) / Double(c.first.count)
            var score = mean * Double(c.count).squareRoot() * (1 + 0.25 * Double(c.first.count - 1))
            // An adjective alone ("الأمريكية", "النووية") says less than the phrase or the place it belongs to.
            if c.first.count == 1, let f = t.forms[c.first.lowerBound], isAdjectiveAlone(f) { score *= 0.5 }
            scored.append((k, score))
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.candidate < $1.candidate }
        var chosen: [Keyword] = []
        var chosenStems: [[Int]] = []
        for s in scored {
            let c = candidates[s.candidate]
            let stems = c.first.map { t.stemIDs[$0] }
            if chosenStems.contains(where: { contains($0, stems) }) { continue }
            var words = c.first.map { t.texts[$0] }
            words[0] = display(c.first.lowerBound, t)
            let phrase = words.joined(separator: " ")
            // Stems that differ only by a proclitic ("هدف", "بهدف") can show the same phrase: once is enough.
            if chosen.contains(where: { $0.phrase == phrase }) { continue }
            chosen.append(Keyword(phrase: phrase, score: (s.score * 1000).rounded() / 1000))
            chosenStems.append(stems)
            if chosen.count == KeywordExtractor.limit { break }
        }
        return chosen
    }

    /// True when `part` is a contiguous run inside `whole`.
    func contains(_ whole: [Int], _ part: [Int]) -> Bool {
        guard part.count <= whole.count else { return false }
        for s in 0...(whole.count - part.count) where Array(whole[s..<(s + part.count)]) == part { return true }
        return false
    }

    @inline(__always)
    func isContent(_ i: Int, _ t: AnalyzedText) -> Bool {
        guard let f = t.forms[i], t.lexemes[i].kind == .word, !f.isStopword, !f.isNonKeyword, !f.isSpeechVerb,
              !f.isSpeechParticiple else { return false }
        let n = f.stem.utf8.count
        return n >= 3 || (n == 2 && f.stem.utf8.first! < 0x80)
    }

    /// A nationality ("المصرية", "مصري") or a definite relative adjective ("النووية", "الشمالي").
    func isAdjectiveAlone(_ f: WordForms) -> Bool {
        if placeAdjectives.place(ofAdjective: f.normalized) != nil { return true }
        guard f.hasArticle, f.base.unicodeScalars.count >= 4 else { return false }
        var base = f.base
        return base.withUTF8 { b in
            UTF8Text.hasSuffix(b[...], KeywordExtractor.yaBytes) || UTF8Text.hasSuffix(b[...], KeywordExtractor.yaHaBytes)
        }
    }

    /// "ي" and "يه" in UTF-8: the endings of a relative adjective's base.
    private static let yaBytes = Array("ي".utf8), yaHaBytes = Array("يه".utf8)

    /// True when the word at `i` carries no one-letter proclitic by its split ("الأسعار", not "للأسعار", "وزادت").
    func isBare(_ i: Int, _ t: AnalyzedText) -> Bool { (t.forms[i]?.procliticLetters ?? 0) == 0 }

    /// The written word without the proclitics the entity key lexicon reads in it ("والدة" keeps its و, "بدبي"
    /// loses its ب), so a keyword never loses a letter of its word.
    func display(_ i: Int, _ t: AnalyzedText) -> String {
        guard let f = t.forms[i], t.lexemes[i].script == .arabic else { return t.texts[i] }
        return ArabicClitics.dropLeadingLetters(t.texts[i], count: keyLexicon.procliticLetters(ofNormalizedWord: f.normalized))
    }
}
