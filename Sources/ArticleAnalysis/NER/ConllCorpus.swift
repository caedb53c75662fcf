/// One sentence of a CoNLL `token TAG` file.
public struct TaggedSentence: Sendable, Hashable {
    public var tokens: [String]
    public var tags: [NERTag]
    public init(tokens: [String], tags: [NERTag]) {
        self.tokens = tokens
        self.tags = tags
    }
}

/// A line of a CoNLL file that could not be read.
public struct ConllFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }
}

/// Reads CoNLL `token TAG` text: one token per line, token and tag separated by white space (the tag is the
/// last field), blank lines between sentences.
public enum ConllCorpus {
    /// Parses the whole text; the first bad line is reported with its number.
    public static func parse(_ text: String) throws(ConllFormatError) -> [TaggedSentence] {
        var sentences: [TaggedSentence] = []
        var current = TaggedSentence(tokens: [], tags: [])
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.isEmpty {
                if !current.tokens.isEmpty {
                    sentences.append(current)
                    current = TaggedSentence(tokens: [], tags: [])
                }
                continue
            }
            guard fields.count >= 2 else {
                throw ConllFormatError(line: lineNumber, reason: "expected \"token TAG\", found \"\(line)\"")
            }
            guard let tag = NERTag(fields[fields.count - 1]) else {
                throw ConllFormatError(
                    line: lineNumber,
                    reason: "unknown tag \"\(fields[fields.count - 1])\" (expected O, B-/I- with PERS, ORG, LOC or MISC)")
            }
            current.tokens.append(String(fields[0]))
            current.tags.append(tag)
        }
        if !current.tokens.isEmpty { sentences.append(current) }
        return sentences
    }

    /// Writes sentences back as CoNLL text (token, space, tag; blank line after each sentence).
    public static func format(_ sentences: [TaggedSentence]) -> String {
        var out = ""
        for sentence in sentences {
            for (token, tag) in zip(sentence.tokens, sentence.tags) {
                out += token + " " + tag.description + "\n"
            }
            out += "\n"
        }
        return out
    }

    /// Splits sentences into training and development parts: sentence `i` goes to dev when `i % stride ==
    /// stride - 1`, with `stride = round(1 / devFraction)`. Deterministic; `devFraction <= 0` keeps all for training.
    ///
    /// Dev sentences then come from the same documents as training sentences, so names seen in training reappear
    /// in dev and the score is optimistic; `split(_:devTail:heldOutTail:)` is the honest split.
    public static func split(_ sentences: [TaggedSentence], devFraction: Double)
        -> (train: [TaggedSentence], dev: [TaggedSentence])
    {
        guard devFraction > 0 else { return (sentences, []) }
        let stride = max(2, Int((1 / devFraction).rounded()))
        var train: [TaggedSentence] = []
        var dev: [TaggedSentence] = []
        for (i, s) in sentences.enumerated() {
            if i % stride == stride - 1 { dev.append(s) } else { train.append(s) }
        }
        return (train, dev)
    }

    /// Splits sentences by position, as ANERcorp's own test split is cut (documents follow each other in the
    /// file): the last `heldOutTail` of the sentences is set aside and returned in neither part, the `devTail`
    /// before it is dev, everything earlier is training. Both fractions are of the whole file and are rounded to
    /// whole sentences; a document may be cut in two at a boundary, never interleaved.
    public static func split(_ sentences: [TaggedSentence], devTail: Double, heldOutTail: Double = 0)
        -> (train: [TaggedSentence], dev: [TaggedSentence])
    {
        let n = sentences.count
        let heldOutStart = n - min(n, Int((Double(n) * max(0, heldOutTail)).rounded()))
        let devStart = max(0, heldOutStart - Int((Double(n) * max(0, devTail)).rounded()))
        return (Array(sentences[..<devStart]), Array(sentences[devStart..<heldOutStart]))
    }
}
