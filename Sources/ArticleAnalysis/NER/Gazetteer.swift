/// Lists of names by category, matched against the tokens of a sentence by their clitic-free base forms.
///
/// The text format is one entry per line, `CATEGORY<TAB>entry`, `#` starting a comment line. An entry of several
/// words matches the same number of consecutive tokens; each word and token is compared by its normalised base
/// (`ArabicNormalizer`, then `ArabicClitics`), so "بالقاهرة" matches the entry "القاهرة". The longest entry
/// starting at a token wins.
public struct Gazetteer: Sendable {
    /// What a listed name is.
    public enum Category: Int, Sendable, CaseIterable {
        case person = 0, organization, location, miscellaneous
        /// A given name (the start of a person's name).
        case givenName
        /// A word that heads an organisation's name ("وزارة", "حركة", "منظمة").
        case organizationHead
        /// A title or role before a person's name ("الرئيس", "الوزير").
        case personTitle

        init?(code: Substring) {
            switch code {
            case "PERS": self = .person
            case "ORG": self = .organization
            case "LOC": self = .location
            case "MISC": self = .miscellaneous
            case "GIVEN": self = .givenName
            case "ORGHEAD": self = .organizationHead
            case "TITLE": self = .personTitle
            default: return nil
            }
        }

        /// The entity type for the four entity categories.
        public var entityType: EntityType? {
            switch self {
            case .person: .person
            case .organization: .organization
            case .location: .location
            case .miscellaneous: .miscellaneous
            default: nil
            }
        }

        /// The bit set on the first token of a match.
        var beginBit: UInt32 { 1 << UInt32(2 * rawValue) }
        /// The bit set on the following tokens of a match.
        var insideBit: UInt32 { 1 << UInt32(2 * rawValue + 1) }
    }

    /// A gazetteer line that could not be read.
    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "gazetteer line \(line): \(reason)" }
    }

    /// One match of an entry over tokens `[start, end)`.
    public struct Match: Sendable, Hashable {
        public var start: Int
        public var end: Int
        /// Bit `1 << category.rawValue` for each category the entry is listed under.
        public var categories: UInt32
    }

    /// Category bits per hash of the base-form sequence of an entry.
    private var entries: [UInt64: UInt32] = [:]
    /// Hashes of every proper prefix (in words) of an entry.
    private var prefixes: Set<UInt64> = []
    private(set) var longestEntry = 0
    /// Number of entries read.
    public private(set) var count = 0

    public init() {}

    public init(text: String) throws(FormatError) {
        var scratch: [Unicode.Scalar] = []
        for (index, rawLine) in TableLines.lines(of: text).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) || TableLines.isComment(line) { continue }
            guard let tab = line.firstIndex(of: "\t") else {
                throw FormatError(line: lineNumber, reason: "expected CATEGORY<TAB>entry, found \"\(line)\"")
            }
            guard let category = Category(code: line[..<tab]) else {
                throw FormatError(
                    line: lineNumber,
                    reason: "unknown category \"\(line[..<tab])\" (PERS, ORG, LOC, MISC, GIVEN, ORGHEAD, TITLE)")
            }
            let words = line[line.index(after: tab)...].split(separator: " ")
            guard !words.isEmpty else { throw FormatError(line: lineNumber, reason: "empty entry") }
            add(words.map { String($0) }, category: category, scratch: &scratch)
        }
    }

    /// Adds one entry of `words` (as written) under `category`.
    public mutating func add(_ words: [String], category: Category) {
        var scratch: [Unicode.Scalar] = []
        add(words, category: category, scratch: &scratch)
    }

    private mutating func add(_ words: [String], category: Category, scratch: inout [Unicode.Scalar]) {
        var h = FeatureHash.offsetBasis
        for (i, word) in words.enumerated() {
            if i > 0 { prefixes.insert(h) }
            h = FeatureHash.combine(h, NERTokenAtoms(token: word, scratch: &scratch).base)
        }
        entries[h, default: 0] |= 1 << UInt32(category.rawValue)
        longestEntry = max(longestEntry, words.count)
        count += 1
    }

    /// The longest matches over tokens whose base hashes are `bases`, scanning left to right without overlaps.
    func matches(bases: some RandomAccessCollection<UInt64>, into out: inout [Match]) {
        out.removeAll(keepingCapacity: true)
        guard !entries.isEmpty else { return }
        let n = bases.count
        var i = 0
        while i < n {
            var h = FeatureHash.offsetBasis
            var best: Match?
            var j = i
            while j < n && j - i < longestEntry {
                h = FeatureHash.combine(h, bases[bases.index(bases.startIndex, offsetBy: j)])
                j += 1
                if let bits = entries[h] { best = Match(start: i, end: j, categories: bits) }
                if !prefixes.contains(h) { break }
            }
            if let best {
                out.append(best)
                i = best.end
            } else {
                i += 1
            }
        }
    }

    /// Public form of `matches` over tokens as written.
    public func matches(in tokens: [String]) -> [Match] {
        var scratch: [Unicode.Scalar] = []
        let bases = tokens.map { NERTokenAtoms(token: $0, scratch: &scratch).base }
        var out: [Match] = []
        matches(bases: bases, into: &out)
        return out
    }

    /// Sets the per-token bits (`Category.beginBit`/`insideBit`) of `matches` on `atoms[offset...]`.
    static func mark(_ matches: [Match], on atoms: inout [NERTokenAtoms], offset: Int) {
        for m in matches {
            for category in Category.allCases where m.categories & (1 << UInt32(category.rawValue)) != 0 {
                atoms[offset + m.start].gazetteer |= category.beginBit
                for k in (m.start + 1)..<m.end { atoms[offset + k].gazetteer |= category.insideBit }
            }
        }
    }
}
