import Foundation

/// Extractive summary: the sentences most central to the article, in text order.
///
/// Centrality of a sentence is the cosine between its stem counts and the article's stem counts minus its own
/// (so linear time, not pairwise), with 10% more for the first three sentences. Sentences of fewer than 6 content
/// words (headings, datelines) are not chosen.
enum Summarizer {
    static let length = 3
    static let minimumContentWords = 6

    static func summarize(_ t: AnalyzedText) -> [String] {
        var total: [String: Int] = [:]
        var perSentence: [[String: Int]] = []
        perSentence.reserveCapacity(t.sentences.count)
        for sentence in t.sentences {
            var counts: [String: Int] = [:]
            for i in sentence {
                guard let f = t.forms[i], t.lexemes[i].kind == .word, !f.isStopword else { continue }
                counts[f.stem, default: 0] += 1
            }
            for (k, v) in counts { total[k, default: 0] += v }
            perSentence.append(counts)
        }
        var totalNorm = 0.0
        for v in total.values { totalNorm += Double(v * v) }
        var scored: [(index: Int, score: Double)] = []
        for (s, counts) in perSentence.enumerated() {
            let words = counts.values.reduce(0, +)
            guard words >= minimumContentWords else { continue }
            var dot = 0.0, own = 0.0, restNorm = totalNorm
            for (k, v) in counts {
                let all = Double(total[k]!)
                let rest = all - Double(v)
                dot += Double(v) * rest
                own += Double(v * v)
                restNorm += rest * rest - all * all
            }
            guard own > 0, restNorm > 0 else { continue }
            var score = dot / (own.squareRoot() * restNorm.squareRoot())
            if s < 3 { score *= 1.1 }
            scored.append((s, score))
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        let chosen = scored.prefix(length).map(\.index).sorted()
        return chosen.map { t.slice(t.sentences[$0]).trimmingSpaces() }
    }
}
