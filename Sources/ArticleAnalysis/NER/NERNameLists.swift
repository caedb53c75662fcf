/// Which public name lists a word base occurs in: evidence for the recognizer's features, never a decision (unlike
/// `Gazetteer`, whose entries the rule layer may add as entities).
///
/// A code is a set of `Kind` bits per normalised base (`NERTokenAtoms.base`). The text form is `base<TAB>bits`
/// lines sorted by the bytes of the base.
public struct NERNameLists: Sendable, Equatable {
    /// What a list says about a word.
    public enum Kind: Int, Sendable, CaseIterable {
        /// A word of some person's name.
        case personNameWord = 0
        /// The first word of a person's name (a given name).
        case givenName
        /// The last word of a person's name of several words (a family name).
        case familyName
        /// A place named by this one word.
        case place
        /// A word of a place name of several words.
        case placeNameWord

        public var bit: UInt8 { 1 << UInt8(rawValue) }
    }

    private(set) var codes: [UInt64: UInt8] = [:]
    public var count: Int { codes.count }

    public init() {}

    /// A name-lists line that could not be read.
    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "name lists line \(line): \(reason)" }
    }

    public init(text: String) throws(FormatError) {
        let limit = 1 << Kind.allCases.count
        let lines = BaseValueLine.lines(of: text)
        codes.reserveCapacity(lines.count)
        for line in lines {
            guard let base = line.base, let bits = Int(line.value), (1..<limit).contains(bits) else {
                throw FormatError(line: line.number, reason: "expected base<TAB>bits (1..<\(limit)), found \"\(line.text)\"")
            }
            codes[FeatureHash.of(base)] = UInt8(bits)
        }
    }

    func code(ofBaseHash hash: UInt64) -> UInt8 { codes[hash] ?? 0 }

    /// Collects names and returns the text form (deterministic: sorted by bytes).
    public struct Builder {
        private var bits: [String: UInt8] = [:]
        public init() {}

        /// Adds a person's name as written ("محمد بن سلمان"): every word is a person-name word; when there are
        /// several, the first is a given name and the last a family name. A name with a word that is not Arabic
        /// letters only is skipped.
        public mutating func add(personName name: String) {
            let words = Builder.bases(of: name)
            for w in words { bits[w, default: 0] |= Kind.personNameWord.bit }
            guard words.count > 1 else { return }
            bits[words[0], default: 0] |= Kind.givenName.bit
            bits[words[words.count - 1], default: 0] |= Kind.familyName.bit
        }

        public mutating func add(givenName name: String) {
            for w in Builder.bases(of: name).prefix(1) { bits[w, default: 0] |= Kind.givenName.bit | Kind.personNameWord.bit }
        }

        public mutating func add(familyName name: String) {
            for w in Builder.bases(of: name).suffix(1) { bits[w, default: 0] |= Kind.familyName.bit | Kind.personNameWord.bit }
        }

        public mutating func add(place name: String) {
            let words = Builder.bases(of: name)
            if words.count == 1 {
                bits[words[0], default: 0] |= Kind.place.bit
            } else {
                for w in words { bits[w, default: 0] |= Kind.placeNameWord.bit }
            }
        }

        /// The normalised clitic-free bases of the words of `name`, or nothing when a word is not made of at least
        /// two Arabic letters (list noise: Latin names, numbers, punctuation).
        static func bases(of name: String) -> [String] {
            var out: [String] = []
            for word in name.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "-" }) {
                let w = Array(ArabicNormalizer.normalize(String(word)).unicodeScalars)
                guard w.count >= 2, w.allSatisfy({ ArabicNormalizer.isArabicLetter($0) }) else { return [] }
                out.append(String(String.UnicodeScalarView(w[ArabicClitics.splitRanges(w).base])))
            }
            return out
        }

        public func text() -> String {
            bits.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { "\($0.key)\t\($0.value)\n" }.joined()
        }
    }
}
