import ArticleAnalysis
import Foundation

/// Reads articles from files, directories, JSON Lines (plain or gzip) and standard input, as a stream.
///
/// Inputs are read in the order given; a directory is walked recursively in sorted order, passing over hidden
/// entries and files of unknown kinds (counted in `IngestSummary.filesSkipped`). A file named explicitly whose
/// kind is unknown, and `-` (standard input), are sniffed: see `InputFormat(sniffing:)`.
///
/// - `.txt`: one article, id = the path, no title. `.html`/`.htm`: one article as `.html`.
/// - `.jsonl`/`.jsonl.gz`: one article a line, id from `id`, else "FILE:LINE"; blank lines are passed over.
///
/// Bad input never stops a read: each gets an `IngestProblem` naming the file (and line) and the rest goes on.
/// Nothing is held in memory but the current article (and, for JSON Lines, the current line).
public struct ArticleReader {
    /// The default largest article, in bytes of UTF-8 text: 4 MiB.
    public static let defaultMaxArticleBytes = 4 << 20
    /// The name standard input goes by in ids and problems.
    public static let standardInputName = "<stdin>"

    /// Articles whose text is longer than this (in bytes of UTF-8) are skipped as `tooLarge`.
    public var maxArticleBytes: Int
    private let standardInput: FileHandle

    /// - Parameter standardInput: what `-` reads; injectable for tests.
    public init(maxArticleBytes: Int = ArticleReader.defaultMaxArticleBytes, standardInput: FileHandle = .standardInput) {
        self.maxArticleBytes = max(0, maxArticleBytes)
        self.standardInput = standardInput
    }

    /// Reads `inputs` (paths, or `-` for standard input), handing each article and problem to `body` as it is found.
    ///
    /// - Throws: only what `body` throws, which stops the read.
    @discardableResult
    public func read(_ inputs: [String], _ body: (IngestEvent) throws -> Void) throws -> IngestSummary {
        try withoutActuallyEscaping(body) { body in
            let run = IngestRun(maxArticleBytes: maxArticleBytes, standardInput: standardInput, emit: body)
            for input in inputs { try run.read(input) }
            return run.summary
        }
    }

    /// Reads everything into memory: for small inputs and tests.
    public func readAll(_ inputs: [String]) -> (articles: [Article], problems: [IngestProblem], summary: IngestSummary) {
        var articles: [Article] = []
        var problems: [IngestProblem] = []
        // The body never throws, so neither does the read.
        let summary = (try? read(inputs) { event in
            switch event {
            case .article(let article): articles.append(article)
            case .problem(let problem): problems.append(problem)
            }
        }) ?? IngestSummary()
        return (articles, problems, summary)
    }
}
