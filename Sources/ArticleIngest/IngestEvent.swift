import ArticleAnalysis

/// What a reader hands its caller, in input order: an article, or a problem with some input.
public enum IngestEvent: Sendable, Hashable {
    case article(Article)
    case problem(IngestProblem)
}
