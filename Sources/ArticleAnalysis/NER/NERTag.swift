/// A BIO tag over the four ANERcorp entity types.
///
/// Raw values are the indices used in the model's weight rows: `O` is 0, then `B-`/`I-` pairs in
/// `EntityType.allCases` order. Never renumber: the shipped model depends on them.
public struct NERTag: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt8

    public static let outside = NERTag(rawValue: 0)
    /// The number of distinct tags (O plus B-/I- for each type).
    public static let count = 1 + 2 * EntityType.allCases.count
    public static let all: [NERTag] = (0..<count).map { NERTag(rawValue: UInt8($0)) }

    private init(rawValue: UInt8) { self.rawValue = rawValue }

    public static func begin(_ type: EntityType) -> NERTag { NERTag(rawValue: UInt8(1 + 2 * type.ordinal)) }
    public static func inside(_ type: EntityType) -> NERTag { NERTag(rawValue: UInt8(2 + 2 * type.ordinal)) }

    public var index: Int { Int(rawValue) }

    /// The entity type, nil for `O`.
    public var entityType: EntityType? {
        rawValue == 0 ? nil : EntityType.allCases[(Int(rawValue) - 1) / 2]
    }
    public var isBegin: Bool { rawValue != 0 && rawValue % 2 == 1 }
    public var isInside: Bool { rawValue != 0 && rawValue % 2 == 0 }

    /// Parses "O", "B-PERS", "I-LOC", ...; nil for anything else.
    public init?(_ text: some StringProtocol) {
        if text == "O" { self = .outside; return }
        guard text.count > 2 else { return nil }
        let prefix = text.prefix(2)
        guard let type = EntityType(rawValue: String(text.dropFirst(2))) else { return nil }
        switch prefix {
        case "B-": self = .begin(type)
        case "I-": self = .inside(type)
        default: return nil
        }
    }

    public var description: String {
        guard let type = entityType else { return "O" }
        return (isBegin ? "B-" : "I-") + type.rawValue
    }

    public static func < (lhs: NERTag, rhs: NERTag) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension EntityType {
    /// The position in `allCases`, used to lay out tags.
    var ordinal: Int {
        switch self {
        case .person: 0
        case .organization: 1
        case .location: 2
        case .miscellaneous: 3
        }
    }
}

extension TokenEntitySpan {
    /// The entity spans of a tag sequence, read as conlleval reads them: a chunk starts at every `B-X`, at an
    /// `I-X` that does not continue a chunk of type X, and ends where the next tag does not continue it.
    public static func spans(of tags: [NERTag]) -> [TokenEntitySpan] {
        var spans: [TokenEntitySpan] = []
        var open: (type: EntityType, start: Int)?
        for (i, tag) in tags.enumerated() {
            let type = tag.entityType
            let continues = tag.isInside && open != nil && open!.type == type
            if !continues, let current = open {
                spans.append(TokenEntitySpan(type: current.type, start: current.start, end: i))
                open = nil
            }
            if let type, !continues { open = (type, i) }
        }
        if let current = open {
            spans.append(TokenEntitySpan(type: current.type, start: current.start, end: tags.count))
        }
        return spans
    }

    /// The BIO tags of `spans` over `count` tokens; spans must not overlap and must lie inside `0..<count`.
    public static func tags(of spans: [TokenEntitySpan], count: Int) -> [NERTag] {
        var tags = [NERTag](repeating: .outside, count: count)
        for span in spans where span.start >= 0 && span.end <= count && span.start < span.end {
            tags[span.start] = .begin(span.type)
            for i in (span.start + 1)..<span.end { tags[i] = .inside(span.type) }
        }
        return tags
    }
}
