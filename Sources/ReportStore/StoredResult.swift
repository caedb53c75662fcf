import ArticleAnalysis
import Foundation

/// What the collector hands the store for one job: the article's metadata and the analysis, or why it failed.
///
/// A stored analysis keeps everything but its tokens (`Analysis.tokens` is empty when read back; the count
/// survives as `tokenCount`). Times are kept to the millisecond.
public struct StoredResult: Sendable, Hashable {
    /// What became of the job.
    public enum Outcome: Sendable, Hashable {
        case analysed(Analysis)
        case failed(reason: String)
    }

    /// The job's identifier; a store keeps at most one result per job id.
    public var jobID: String
    public var batchID: String
    public var article: ArticleMetadata
    /// Set only through an initialiser, so that `tokenCount` always describes it.
    public private(set) var outcome: Outcome
    public var workerID: String
    /// When the producer submitted the job, if known.
    public var submittedAt: Date?
    /// When the worker finished the analysis, if known.
    public var analysedAt: Date?
    /// How many tokens the analysis had before they were dropped; 0 for a failed job.
    public private(set) var tokenCount: Int

    public init(
        jobID: String,
        batchID: String,
        article: ArticleMetadata,
        outcome: Outcome,
        workerID: String,
        submittedAt: Date? = nil,
        analysedAt: Date? = nil
    ) {
        // Times are kept to the millisecond, so a result compares equal to itself read back.
        self.jobID = jobID
        self.batchID = batchID
        self.article = article
        self.workerID = workerID
        self.submittedAt = submittedAt.map(StoredTime.roundedToMilliseconds)
        self.analysedAt = analysedAt.map(StoredTime.roundedToMilliseconds)
        switch outcome {
        case .analysed(var analysis):
            self.tokenCount = analysis.tokens.count
            analysis.tokens = []
            self.outcome = .analysed(analysis)
        case .failed:
            self.tokenCount = 0
            self.outcome = outcome
        }
    }

    /// A result read back from a store: `outcome` is already without tokens, `tokenCount` says how many there were.
    init(
        jobID: String, batchID: String, article: ArticleMetadata, storedOutcome: Outcome, tokenCount: Int,
        workerID: String, submittedAt: Date?, analysedAt: Date?
    ) {
        self.jobID = jobID
        self.batchID = batchID
        self.article = article
        self.outcome = storedOutcome
        self.tokenCount = tokenCount
        self.workerID = workerID
        self.submittedAt = submittedAt
        self.analysedAt = analysedAt
    }

    /// The analysis, when the job succeeded.
    public var analysis: Analysis? {
        if case .analysed(let analysis) = outcome { return analysis }
        return nil
    }

    /// Why the job failed, when it did.
    public var failureReason: String? {
        if case .failed(let reason) = outcome { return reason }
        return nil
    }
}

/// The descriptive fields of an article, without its body.
public struct ArticleMetadata: Sendable, Hashable, Codable {
    public var id: String
    public var url: String?
    public var source: String?
    public var category: String?
    public var title: String?
    /// As the source gave it (ISO 8601 where known).
    public var published: String?
    public var author: String?

    public init(
        id: String, url: String? = nil, source: String? = nil, category: String? = nil,
        title: String? = nil, published: String? = nil, author: String? = nil
    ) {
        self.id = id
        self.url = url
        self.source = source
        self.category = category
        self.title = title
        self.published = published
        self.author = author
    }

    /// The metadata of `article`.
    public init(_ article: Article) {
        self.init(
            id: article.id, url: article.url, source: article.source, category: article.category,
            title: article.title, published: article.published, author: article.author)
    }
}
