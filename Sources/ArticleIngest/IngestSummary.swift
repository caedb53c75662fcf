/// Counts of what a read produced.
public struct IngestSummary: Sendable, Hashable, CustomStringConvertible {
    /// Articles handed to the caller (repaired ones included).
    public var articles = 0
    /// Files opened and read (stdin counts as one).
    public var filesRead = 0
    /// Files inside directories that were passed over: hidden ones and ones of an unknown kind.
    public var filesSkipped = 0
    /// Problems by kind; a kind with none is absent.
    public var problems: [IngestProblem.Kind: Int] = [:]

    public init() {}

    public func count(_ kind: IngestProblem.Kind) -> Int { problems[kind, default: 0] }

    /// All problems of every kind.
    public var problemCount: Int { problems.values.reduce(0, +) }

    /// "17815 articles from 1 file, 0 skipped files; problems: 2 malformed_json, 1 empty".
    public var description: String {
        var text = "\(articles) article\(articles == 1 ? "" : "s") from \(filesRead) file\(filesRead == 1 ? "" : "s")"
        if filesSkipped > 0 { text += ", \(filesSkipped) skipped file\(filesSkipped == 1 ? "" : "s")" }
        if problems.isEmpty { return text + "; no problems" }
        let parts = problems.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }
        return text + "; problems: " + parts.joined(separator: ", ")
    }
}
