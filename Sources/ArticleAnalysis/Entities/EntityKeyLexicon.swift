import Foundation

/// What key-making knows from a news corpus about names: which words that begin with و ف ب ل ك carry proclitics
/// ("بسوريا", "لإير") and which are written whole ("فرانس", "فلاديمير", "فيصل"), and which person keys name one
/// person ("بوتين", "بوتن", "فلاديمير بوتن" → "فلاديمير بوتين").
///
/// Built by `EntityKeyLexicon.Builder` from a corpus and the name gazetteers; the shipped table
/// (`Resources/entity-keys.txt`) is rebuilt bit for bit by
/// `mirsad train entity-keys ../shared/corpus/ant/articles.jsonl.gz --gazetteers ../shared/data/gazetteers --output Sources/ArticleAnalysis/Resources/entity-keys.txt`.
///
/// Text format, one entry a line, fields separated by a tab, `#` starting a comment line:
/// `P word letters` (the normalised word's first `letters` letters are proclitics; 0: written whole) and
/// `A alias key` (the normalised person key `alias` is the person whose key is `key`).
public struct EntityKeyLexicon: Sendable, Hashable {
    /// Normalised word → how many of its leading letters are proclitics. Words not listed follow
    /// `ArabicClitics.nameProcliticLetters`.
    public var procliticLetters: [String: Int]
    /// Normalised person key → the key of the person's full name. Invariant: no key is itself an alias.
    public var personAliases: [String: String]

    public init(procliticLetters: [String: Int] = [:], personAliases: [String: String] = [:]) {
        self.procliticLetters = procliticLetters
        self.personAliases = personAliases
    }

    /// How many leading letters of the normalised word are proclitics when the word starts a name.
    public func procliticLetters(ofNormalizedWord word: String) -> Int {
        if let listed = procliticLetters[word] { return listed }
        return ArabicClitics.nameProcliticLetters(Array(word.unicodeScalars))
    }

    /// A line of the text format that could not be read.
    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "entity-keys line \(line): \(reason)" }
    }

    public init(text: String) throws(FormatError) {
        self.init()
        for (i, line) in TableLines.lines(of: text).enumerated() {
            if line.isEmpty || TableLines.isComment(line) { continue }
            let fields = TableLines.fields(of: line)
            guard fields.count == 3 else { throw FormatError(line: i + 1, reason: "expected 3 tab-separated fields") }
            switch fields[0] {
            case "P":
                guard let letters = Int(fields[2]), (0...2).contains(letters) else {
                    throw FormatError(line: i + 1, reason: "letters must be 0, 1 or 2, found \"\(fields[2])\"")
                }
                procliticLetters[String(fields[1])] = letters
            case "A":
                personAliases[String(fields[1])] = String(fields[2])
            default:
                throw FormatError(line: i + 1, reason: "unknown entry kind \"\(fields[0])\"")
            }
        }
    }

    /// The text format, entries sorted (so equal tables give equal bytes).
    public func text() -> String {
        var out = """
        # Entity keys: proclitic letters of name-initial words (P word letters) and person aliases (A alias key).
        # Rebuilt by `mirsad train entity-keys`; see EntityKeyLexicon.

        """
        for word in procliticLetters.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            out += "P\t\(word)\t\(procliticLetters[word]!)\n"
        }
        for alias in personAliases.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            out += "A\t\(alias)\t\(personAliases[alias]!)\n"
        }
        return out
    }

    /// The table that ships in the package's resources (empty if it cannot be read; see `bundled()`).
    static let bundledOrEmpty: EntityKeyLexicon = (try? bundled()) ?? EntityKeyLexicon()

    /// Reads `Resources/entity-keys.txt`.
    public static func bundled() throws -> EntityKeyLexicon {
        let data = try EntityRecognizer.bundledResource("entity-keys", "txt")
        return try EntityKeyLexicon(text: String(decoding: data, as: UTF8.self))
    }
}
