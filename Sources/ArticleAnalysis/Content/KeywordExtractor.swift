import Foundation

/// Keyphrases: runs of 1 to 3 content words scored by TF-IDF of their stems.
///
/// Candidates are word n-grams (n <= 3) inside a sentence containing no stopword, number or punctuation.
/// A word's weight is tf(stem) * idf(stem), idf from the caller's `DocumentFrequencies` or 1 without them, times
/// 1.5 for a stem seen in the first fifth of the text. A phrase scores the mean weight of its words times
/// sqrt(its count) times (1 + 0.25 (n - 1)); phrases of several words must occur twice. A phrase whose stems all
/// lie inside a better phrase already chosen is dropped. The phrase is shown as first written, with one-letter
/// proclitics removed from its first word.
struct KeywordExtractor: Sendable {
    static let limit = 10
    let documentFrequencies: DocumentFrequencies?

    func extract(_ t: AnalyzedText) -> [Keyword] {
        var tf: [String: Int] = [:]
        var early = Set<String>()
        let earlyLimit = t.utf8.count / 5
        for (i, f) in t.forms.enumerated() {
            guard let f, isContent(i, t) else { continue }
            tf[f.stem, default: 0] += 1
            if t.lexemes[i].start <= earlyLimit { early.insert(f.stem) }
        }
        guard !tf.isEmpty else { return [] }
        func weight(_ stem: String) -> Double {
            let idf = documentFrequencies?.idf(stem) ?? 1
            return Double(tf[stem] ?? 0) * idf * (early.contains(stem) ? 1.5 : 1)
        }
        struct Candidate { var stems: [String]; var first: Range<Int>; var count: Int }
        var candidates: [String: Candidate] = [:]
        var order: [String] = []
        for sentence in t.sentences {
            var i = sentence.lowerBound
            while i < sentence.upperBound {
                guard isContent(i, t) else { i += 1; continue }
                var j = i
                while j < sentence.upperBound && isContent(j, t) { j += 1 }
                for a in i..<j {
                    for n in 1...3 where a + n <= j {
                        let stems = (a..<(a + n)).map { t.forms[$0]!.stem }
                        let key = stems.joined(separator: " ")
                        if candidates[key] == nil {
                            candidates[key] = Candidate(stems: stems, first: a..<(a + n), count: 0)
                            order.append(key)
                        }
                        candidates[key]!.count += 1
                    }
                }
                i = j
            }
        }
        var scored: [(key: String, score: Double, position: Int)] = []
        for (position, key) in order.enumerated() {
            let c = candidates[key]!
            if c.stems.count > 1 && c.count < 2 { continue }
            let mean = c.stems.map(weight).reduce(0, +) / Double(c.stems.count)
            let score = mean * sqrt(Double(c.count)) * (1 + 0.25 * Double(c.stems.count - 1))
            scored.append((key, score, position))
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.position < $1.position }
        var chosen: [Keyword] = []
        var chosenStems: [[String]] = []
        for s in scored {
            let c = candidates[s.key]!
            if chosenStems.contains(where: { contains($0, c.stems) }) { continue }
            var words = (c.first).map { t.texts[$0] }
            words[0] = t.withoutProclitics(c.first.lowerBound)
            chosen.append(Keyword(phrase: words.joined(separator: " "), score: (s.score * 1000).rounded() / 1000))
            chosenStems.append(c.stems)
            if chosen.count == KeywordExtractor.limit { break }
        }
        return chosen
    }

    /// True when `part` is a contiguous run inside `whole`.
    func contains(_ whole: [String], _ part: [String]) -> Bool {
        guard part.count <= whole.count else { return false }
        for s in 0...(whole.count - part.count) where Array(whole[s..<(s + part.count)]) == part { return true }
        return false
    }

    @inline(__always)
    func isContent(_ i: Int, _ t: AnalyzedText) -> Bool {
        guard let f = t.forms[i], t.lexemes[i].kind == .word, !f.isStopword else { return false }
        return f.stem.unicodeScalars.count >= 2
    }
}
