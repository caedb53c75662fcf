/// Precision, recall and F1 of predicted entity spans against gold spans, by exact match of type and both
/// boundaries (as conlleval counts them): a partial span is one false positive and one false negative.
public struct EntityScore: Sendable, Hashable {
    public struct Counts: Sendable, Hashable {
        public var truePositives = 0
        /// Spans in the prediction.
        public var predicted = 0
        /// Spans in the gold standard.
        public var gold = 0

        public var precision: Double { predicted == 0 ? 0 : Double(truePositives) / Double(predicted) }
        public var recall: Double { gold == 0 ? 0 : Double(truePositives) / Double(gold) }
        public var f1: Double {
            let p = precision, r = recall
            return p + r == 0 ? 0 : 2 * p * r / (p + r)
        }
        mutating func add(_ other: Counts) {
            truePositives += other.truePositives
            predicted += other.predicted
            gold += other.gold
        }
    }

    public private(set) var byType: [EntityType: Counts] = [:]
    /// All types together (micro average).
    public private(set) var total = Counts()
    /// Tokens whose predicted tag equals the gold tag, and all tokens.
    public private(set) var correctTags = 0
    public private(set) var tokens = 0

    public init() {}

    public var microF1: Double { total.f1 }
    public var tagAccuracy: Double { tokens == 0 ? 0 : Double(correctTags) / Double(tokens) }

    /// Adds one sentence. `gold` and `predicted` must have the same length.
    public mutating func add(gold: [NERTag], predicted: [NERTag]) {
        precondition(gold.count == predicted.count, "gold and predicted tags of one sentence differ in length")
        tokens += gold.count
        correctTags += zip(gold, predicted).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
        let goldSpans = TokenEntitySpan.spans(of: gold)
        let predictedSpans = TokenEntitySpan.spans(of: predicted)
        let goldSet = Set(goldSpans)
        for span in goldSpans { byType[span.type, default: Counts()].gold += 1 }
        for span in predictedSpans {
            byType[span.type, default: Counts()].predicted += 1
            if goldSet.contains(span) { byType[span.type, default: Counts()].truePositives += 1 }
        }
        total = byType.values.reduce(into: Counts()) { $0.add($1) }
    }

    /// A conlleval-like report: one line per type in `EntityType.allCases` order, then `micro-F1: 0.XXXX` last.
    public var report: String {
        var lines: [String] = []
        lines.append("tokens: \(tokens), tag accuracy: \(format(tagAccuracy))")
        for type in EntityType.allCases {
            let c = byType[type] ?? Counts()
            lines.append(
                "\(type.rawValue): precision \(format(c.precision)) recall \(format(c.recall)) F1 \(format(c.f1))"
                    + " (gold \(c.gold), predicted \(c.predicted), correct \(c.truePositives))")
        }
        lines.append(
            "all: precision \(format(total.precision)) recall \(format(total.recall))"
                + " (gold \(total.gold), predicted \(total.predicted), correct \(total.truePositives))")
        lines.append("micro-F1: \(format(microF1))")
        return lines.joined(separator: "\n")
    }

    private func format(_ x: Double) -> String {
        let scaled = Int((x * 10000).rounded())
        let frac = String(scaled % 10000)
        return "\(scaled / 10000)." + String(repeating: "0", count: 4 - frac.count) + frac
    }
}
