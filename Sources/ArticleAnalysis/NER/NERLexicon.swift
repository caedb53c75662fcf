/// What a large unannotated news corpus says about each word base: how frequent it is and how often it carries
/// the article ال. Person names are rare-to-medium words that almost never take the article; this is the
/// recognizer's only knowledge from outside the annotated training data.
///
/// A code is `frequencyBucket * 4 + articleBucket`: `frequencyBucket = min(15, floor(log2(count)))`,
/// `articleBucket` 0 (never with ال), 1 (< 20 %), 2 (< 80 %), 3 (otherwise). Bases seen fewer than
/// `minimumCount` times are not listed. The text form is `base<TAB>code` lines sorted by the bytes of the base.
public struct NERLexicon: Sendable, Equatable {
    /// Code per FNV-1a hash of the normalised base (`NERTokenAtoms.base`).
    private(set) var codes: [UInt64: UInt8] = [:]
    public var count: Int { codes.count }
    /// The code of tokens whose base is not listed.
    static let unknown: UInt8 = 255
    public static let minimumCount = 3

    public init() {}

    /// A lexicon line that could not be read.
    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "lexicon line \(line): \(reason)" }
    }

    public init(text: String) throws(FormatError) {
        let lines = BaseValueLine.lines(of: text)
        codes.reserveCapacity(lines.count)
        for line in lines {
            guard let base = line.base, let code = UInt8(line.value), code < 64 else {
                throw FormatError(line: line.number, reason: "expected base<TAB>code (0...63), found \"\(line.text)\"")
            }
            codes[FeatureHash.of(base)] = code
        }
    }

    func code(ofBaseHash hash: UInt64) -> UInt8 { codes[hash] ?? NERLexicon.unknown }

    /// Counts word bases over texts and returns the lexicon's text form (deterministic: sorted by bytes).
    public struct Builder {
        private var counts: [String: (total: Int, withArticle: Int)] = [:]
        private var scratch = ""
        public init() {}

        /// Adds the words of `text`: maximal runs of letters, digits and marks.
        public mutating func add(text: String) {
            var word = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                let p = scalar.properties
                if p.isAlphabetic || p.numericType != nil || p.generalCategory == .nonspacingMark {
                    word.append(scalar)
                } else if !word.isEmpty {
                    addWord(String(word))
                    word.removeAll(keepingCapacity: true)
                }
            }
            if !word.isEmpty { addWord(String(word)) }
        }

        private mutating func addWord(_ word: String) {
            let w = Array(ArabicNormalizer.normalize(word).unicodeScalars)
            let r = ArabicClitics.splitRanges(w)
            let base = String(String.UnicodeScalarView(w[r.base]))
            counts[base, default: (0, 0)].total += 1
            if r.hasArticle { counts[base, default: (0, 0)].withArticle += 1 }
        }

        /// `base<TAB>code` lines for bases seen at least `NERLexicon.minimumCount` times.
        public func text() -> String {
            var lines: [(String, UInt8)] = []
            for (base, c) in counts where c.total >= NERLexicon.minimumCount && !base.isEmpty && !base.contains("\t") {
                var frequency = 0
                while frequency < 15 && (2 << frequency) <= c.total { frequency += 1 }
                let ratio = Double(c.withArticle) / Double(c.total)
                let article = c.withArticle == 0 ? 0 : ratio < 0.2 ? 1 : ratio < 0.8 ? 2 : 3
                lines.append((base, UInt8(frequency * 4 + article)))
            }
            lines.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            return lines.map { "\($0.0)\t\($0.1)\n" }.joined()
        }
    }
}
