import Foundation

/// How many documents of a corpus contain each stem, for TF-IDF keyword scoring.
///
/// Keys are `Token.stem` values. Build one by `add`ing the analyses of a corpus, then give it to
/// `ArticleAnalyzer(documentFrequencies:)`.
public struct DocumentFrequencies: Sendable, Hashable, Codable {
    public var documents: Int
    public var counts: [String: Int]

    public init(documents: Int = 0, counts: [String: Int] = [:]) {
        self.documents = documents
        self.counts = counts
    }

    /// Counts each distinct non-stopword stem of the analysis once.
    public mutating func add(_ analysis: Analysis) {
        documents += 1
        var seen = Set<String>()
        for t in analysis.tokens where !t.isStopword && seen.insert(t.stem).inserted {
            counts[t.stem, default: 0] += 1
        }
    }

    /// Smoothed inverse document frequency: ln((N + 1) / (df + 1)) + 1, always > 0.
    public func idf(_ stem: String) -> Double {
        let df = Double(counts[stem] ?? 0)
        return log((Double(documents) + 1) / (df + 1)) + 1
    }
}

