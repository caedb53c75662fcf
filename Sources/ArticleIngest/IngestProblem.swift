/// Something wrong with the input: where it was, what kind of wrong, and a message for a person.
///
/// Every problem but `invalidUTF8` means that an article (or a whole file) was skipped; an article whose
/// invalid UTF-8 was repaired is still read, flagged `AnalysisFlag.invalidUTF8Replaced`.
public struct IngestProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable, Comparable {
        /// The path does not exist.
        case missing
        /// The path exists but could not be read (permissions, I/O error).
        case unreadable
        /// Not a regular file: a FIFO, socket or device, which could block the reader forever or never end. Skipped
        /// (standard input is read with `-`).
        case specialFile = "special_file"
        /// A directory (or stream) that held no article at all.
        case noArticles = "no_articles"
        /// A JSON line that does not parse, is not an object, or has a field of the wrong type.
        case malformedJSON = "malformed_json"
        /// NUL bytes or mostly control characters.
        case binary
        /// No text, only white space, or a JSON line without a `text` or `html` field.
        case empty
        /// Text over the size limit (or a JSON line far over it).
        case tooLarge = "too_large"
        /// Invalid UTF-8 replaced with U+FFFD; the article was kept.
        case invalidUTF8 = "invalid_utf8"
        /// A gzip stream that is damaged or cut short; what came before the damage was kept.
        case corruptGzip = "corrupt_gzip"

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }

        /// Whether input was passed over: every kind but `invalidUTF8`, whose article was kept.
        public var skipsInput: Bool { self != .invalidUTF8 }
    }

    /// The file as given or found ("-" shown as "<stdin>").
    public var file: String
    /// The 1-based line of a JSON Lines input, when the problem is on one line.
    public var line: Int?
    public var kind: Kind
    /// What was wrong, for a person; `description` adds the file and line.
    public var message: String

    public init(file: String, line: Int? = nil, kind: Kind, message: String) {
        self.file = file
        self.line = line
        self.kind = kind
        self.message = message
    }

    /// Whether an article or a file was left out because of the problem.
    public var skipsInput: Bool { kind != .invalidUTF8 }

    /// "FILE:LINE: MESSAGE", or "FILE: MESSAGE" without a line.
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}
