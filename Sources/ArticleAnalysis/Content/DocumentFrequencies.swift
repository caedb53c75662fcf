import Foundation

/// How many documents of a corpus contain each stem, for TF-IDF keyword scoring.
///
/// Keys are `Token.stem` values. Build one by `add`ing the analyses (or texts) of a corpus, then give it to
/// `ArticleAnalyzer(documentFrequencies:)`; without one the analyzer uses the bundled table
/// (`Resources/keyword-df.txt`, counted over the ANT corpus and rebuilt bit for bit by
/// `mirsad train keyword-df ../shared/corpus/ant/articles.jsonl.gz --output Sources/ArticleAnalysis/Resources/keyword-df.txt`).
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

    /// Counts each distinct non-stopword word stem of a text once, as the analysis would tokenise it (no entity
    /// recognition, so a corpus is counted quickly).
    public mutating func add(text: String) {
        documents += 1
        let t = AnalyzedText(cleanText: text)
        var seen = Set<Int>()
        for i in t.lexemes.indices where t.lexemes[i].kind == .word {
            guard let f = t.forms[i], !f.isStopword, seen.insert(t.stemIDs[i]).inserted else { continue }
            counts[f.stem, default: 0] += 1
        }
    }

    /// Smoothed inverse document frequency: ln((N + 1) / (df + 1)) + 1, always > 0.
    public func idf(_ stem: String) -> Double {
        idf(df: counts[stem] ?? 0)
    }

    /// The idf of a stem seen in `df` documents.
    public func idf(df: Int) -> Double {
        log((Double(documents) + 1) / (Double(df) + 1)) + 1
    }

    /// The table without stems seen in fewer than `minimum` documents (their idf then is that of an unseen stem,
    /// which differs little).
    public func pruned(minimum: Int) -> DocumentFrequencies {
        DocumentFrequencies(documents: documents, counts: counts.filter { $0.value >= minimum })
    }

    /// A line of the text format that could not be read.
    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "keyword-df line \(line): \(reason)" }
    }

    /// The text format: a first line `documents<TAB>N`, then `stem<TAB>count` lines sorted by stem bytes.
    public func text() -> String {
        var out = "documents\t\(documents)\n"
        for stem in counts.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            out += "\(stem)\t\(counts[stem]!)\n"
        }
        return out
    }

    public init(text: String) throws(FormatError) {
        self.init()
        var sawHeader = false
        let lines = TableLines.lines(of: text)
        counts.reserveCapacity(lines.count)
        for (i, line) in lines.enumerated() where !line.isEmpty {
            let fields = TableLines.fields(of: line)
            guard fields.count == 2, let n = Int(fields[1]), n >= 0 else {
                throw FormatError(line: i + 1, reason: "expected stem<TAB>count")
            }
            if !sawHeader {
                guard fields[0] == "documents" else { throw FormatError(line: i + 1, reason: "expected documents<TAB>N first") }
                documents = n
                sawHeader = true
            } else {
                counts[String(fields[0])] = n
            }
        }
        guard sawHeader else { throw FormatError(line: 1, reason: "empty table") }
    }

    /// The table that ships in the package's resources.
    public static func bundled() throws -> DocumentFrequencies {
        let data = try EntityRecognizer.bundledResource("keyword-df", "txt")
        return try DocumentFrequencies(text: String(decoding: data, as: UTF8.self))
    }

    /// The bundled table, or nil when it cannot be read (keywords are then scored by term frequency alone).
    static let bundledOrNil: DocumentFrequencies? = try? bundled()
}
