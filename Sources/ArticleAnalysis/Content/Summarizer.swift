/// Extractive summary: the sentences most central to the article, in text order.
///
/// Centrality of a sentence is the cosine between its stem counts and the article's stem counts minus its own
/// (so linear time, not pairwise), with 10% more for the first three sentences. Sentences of fewer than 6 content
/// words (headings, datelines) are not chosen.
enum Summarizer {
    static let length = 3
    static let minimumContentWords = 6

    static func summarize(_ t: AnalyzedText) -> [String] {
        var total = [Int](repeating: 0, count: t.stemCount)
        for i in t.lexemes.indices where isContent(i, t) { total[t.stemIDs[i]] += 1 }
        var totalNorm = 0.0
        for v in total where v > 0 { totalNorm += Double(v * v) }
        var own = [Int](repeating: 0, count: t.stemCount)
        var touched: [Int] = []
        var scored: [(index: Int, score: Double)] = []
        for (s, sentence) in t.sentences.enumerated() {
            touched.removeAll(keepingCapacity: true)
            var words = 0
            for i in sentence where isContent(i, t) {
                let id = t.stemIDs[i]
                if own[id] == 0 { touched.append(id) }
                own[id] += 1
                words += 1
            }
            defer { for id in touched { own[id] = 0 } }
            guard words >= minimumContentWords else { continue }
            var dot = 0.0, ownNorm = 0.0, restNorm = totalNorm
            for id in touched {
                let v = Double(own[id])
                let all = Double(total[id])
                let rest = all - v
                dot += v * rest
                ownNorm += v * v
                restNorm += rest * rest - all * all
            }
            guard ownNorm > 0, restNorm > 0 else { continue }
            var score = dot / (ownNorm.squareRoot() * restNorm.squareRoot())
            if s < 3 { score *= 1.1 }
            scored.append((s, score))
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        let chosen = scored.prefix(length).map(\.index).sorted()
        return chosen.map { t.slice(t.sentences[$0]).trimmingSpaces() }
    }

    @inline(__always)
    static func isContent(_ i: Int, _ t: AnalyzedText) -> Bool {
        guard let f = t.forms[i] else { return false }
        return t.lexemes[i].kind == .word && !f.isStopword
    }
}
