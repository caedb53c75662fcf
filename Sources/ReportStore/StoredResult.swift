import ArticleAnalysis
import Foundation

/// What the collector hands the store for one job: the article's metadata and the analysis, or why it failed.
///
/// A stored analysis is kept as its worker encoded it, without its tokens (`StoredAnalysis`): `analysis` decodes
/// it when read, with `tokens` empty; the count survives as `tokenCount`. Times are kept to the millisecond.
public struct StoredResult: Sendable, Hashable {
    /// What became of the job, as a caller in this process has it.
    public enum Outcome: Sendable, Hashable {
        case analysed(Analysis)
        case failed(reason: String)
    }

    /// What the store keeps of the outcome.
    public enum Content: Sendable, Hashable {
        case analysis(StoredAnalysis)
        case failed(reason: String)
    }

    /// The job's identifier; a store keeps at most one result per job id.
    public var jobID: String
    public var batchID: String
    public var article: ArticleMetadata
    public let content: Content
    public var workerID: String
    /// When the producer submitted the job, if known.
    public var submittedAt: Date?
    /// When the worker finished the analysis, if known.
    public var analysedAt: Date?

    /// A result whose analysis was made in this process: it is encoded once, here.
    public init(
        jobID: String,
        batchID: String,
        article: ArticleMetadata,
        outcome: Outcome,
        workerID: String,
        submittedAt: Date? = nil,
        analysedAt: Date? = nil
    ) {
        let content: Content = switch outcome {
        case .analysed(let analysis): .analysis(StoredAnalysis(analysis))
        case .failed(let reason): .failed(reason: reason)
        }
        self.init(jobID: jobID, batchID: batchID, article: article, content: content, workerID: workerID,
                  submittedAt: submittedAt, analysedAt: analysedAt)
    }

    /// A result as it came (the collector) or as it was read back from a store.
    public init(
        jobID: String, batchID: String, article: ArticleMetadata, content: Content, workerID: String,
        submittedAt: Date? = nil, analysedAt: Date? = nil
    ) {
        self.jobID = jobID
        self.batchID = batchID
        self.article = article
        self.content = content
        self.workerID = workerID
        // Times are kept to the millisecond, so a result compares equal to itself read back.
        self.submittedAt = submittedAt.map(StoredTime.roundedToMilliseconds)
        self.analysedAt = analysedAt.map(StoredTime.roundedToMilliseconds)
    }

    /// The stored analysis, when the job succeeded.
    public var storedAnalysis: StoredAnalysis? {
        if case .analysis(let analysis) = content { return analysis }
        return nil
    }

    /// The analysis, decoded, when the job succeeded (nil too if its bytes no longer decode).
    public var analysis: Analysis? { try? storedAnalysis?.decoded() }

    /// How many tokens the analysis had before they were dropped; 0 for a failed job.
    public var tokenCount: Int { storedAnalysis?.tokenCount ?? 0 }

    /// Why the job failed, when it did.
    public var failureReason: String? {
        if case .failed(let reason) = content { return reason }
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
