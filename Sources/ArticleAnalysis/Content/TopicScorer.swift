import Foundation

/// Scores the taxonomy's topics by cue stems found in the text.
///
/// A cue is matched by its sequence of stems (so "بوساطة" matches "وساطة"); a multi-word cue counts 2.
/// A topic's score is 1 - exp(-2.5 h / sqrt(max(n, 25))) for h hits among n content words, then raised to the
/// best of its children's scores (a child is a kind of its parent). Topics scoring at least `threshold` are
/// reported, best first (ties by id).
struct TopicScorer: Sendable {
    static let threshold = 0.3

    /// Cues by first stem: (topic index, stem sequence).
    let cuesByFirstStem: WordKeyTable<[(topic: Int, stems: [WordKey])]>

    init() {
        var d: [WordKey: [(topic: Int, stems: [WordKey])]] = [:]
        for (ti, topic) in TopicTaxonomy.topics.enumerated() {
            for cue in topic.cues {
                for stems in TopicScorer.stemVariants(of: cue) {
                    guard let first = stems.first else { continue }
                    let keys: [WordKey] = stems.map { WordKey($0) }
                    d[WordKey(first), default: []].append((topic: ti, stems: keys))
                }
            }
        }
        cuesByFirstStem = WordKeyTable(d)
    }

    /// Stems of a cue phrase, by the same analysis as article words: for Latin cues one sequence per way an
    /// article may stem them (English, French, or none when the article's language is neither).
    static func stemVariants(of phrase: String) -> [[String]] {
        let t = AnalyzedText(cleanText: phrase)
        var variants: [[String]] = []
        for language in ["ar", "en", "fr", "und"] {
            var out: [String] = []
            for (i, lx) in t.lexemes.enumerated() where lx.kind == .word {
                out.append(AnalyzedText.analyzeWord(t.texts[i], script: lx.script, language: language).stem)
            }
            if !variants.contains(out) { variants.append(out) }
        }
        return variants
    }

    func score(_ t: AnalyzedText) -> [TopicScore] {
        let topics = TopicTaxonomy.topics
        var hits = [Int](repeating: 0, count: topics.count)
        var contentWords = 0
        for i in t.lexemes.indices {
            guard let f = t.forms[i], t.lexemes[i].kind == .word else { continue }
            if !f.isStopword { contentWords += 1 }
            guard let cues = cuesByFirstStem[f.stemKey] else { continue }
            var counted: [Int] = []
            for cue in cues where !counted.contains(cue.topic) {
                var k = 1
                while k < cue.stems.count, i + k < t.lexemes.count, t.forms[i + k]?.stemKey == cue.stems[k] { k += 1 }
                if k == cue.stems.count {
                    hits[cue.topic] += cue.stems.count > 1 ? 2 : 1
                    counted.append(cue.topic)
                }
            }
        }
        let scale = 2.5 / sqrt(Double(max(contentWords, 25)))
        var scores = hits.map { 1 - exp(-scale * Double($0)) }
        // Children lift their parents (deepest first: two passes cover the three levels).
        for _ in 0..<2 {
            for (ti, topic) in topics.enumerated() {
                if let p = topic.parent, let pi = topics.firstIndex(where: { $0.id == p }) {
                    scores[pi] = max(scores[pi], scores[ti])
                }
            }
        }
        var out: [TopicScore] = []
        for (ti, s) in scores.enumerated() where s >= TopicScorer.threshold {
            out.append(TopicScore(topic: topics[ti].id, score: (s * 1000).rounded() / 1000))
        }
        out.sort { $0.score != $1.score ? $0.score > $1.score : $0.topic < $1.topic }
        return out
    }
}
