import ArticleAnalysis

/// Where analysed results are kept: one row per job id.
///
/// Conformers are safe to call from any thread. Writes are idempotent on the job id, so a collector may resend a
/// result it is unsure about.
public protocol ReportStore: Sendable {
    /// Commits all results in one transaction and returns which job ids were new and which were already stored
    /// (a job id repeated inside `results` counts as a duplicate after its first occurrence). The same
    /// transaction records a stored notice for every job id of `results` (see `pendingNotices`). When it returns
    /// the rows and notices are durable; when it throws, none of `results` was committed and every earlier row is
    /// kept.
    func store(_ results: [StoredResult]) throws -> StoreOutcome
    /// `confirmNotices(confirming)` then `store(results)`, in one transaction where the store can: a collector
    /// deletes acknowledged notices with its next commit instead of committing twice.
    func store(_ results: [StoredResult], confirmingNotices confirming: [String]) throws -> StoreOutcome
    /// Rows by status, over the whole store.
    func count() throws -> StoreCounts
    func contains(jobID: String) throws -> Bool
    /// The stored result, its analysis without tokens; nil when the job id is unknown.
    func result(jobID: String) throws -> StoredResult?
    /// The most mentioned canonical entities across all analysed articles, optionally of one type only.
    ///
    /// Ordered by mentions, then by the number of articles, then by key and type, all so that ties are stable.
    func topEntities(limit: Int, type: EntityType?) throws -> [EntityCount]
    /// Rows by status, over the results of one batch.
    func batchCounts(batchID: String) throws -> StoreCounts

    // MARK: Stored notices
    //
    // Every `store` call also records, in the same transaction, a *stored notice* for each job id it was given,
    // new or duplicate: "this job is stored, the dispatcher has not acknowledged it yet". A notice stays until
    // `confirmNotices` removes it, so one that outlives its process is found again by the next one. A job id
    // has at most one notice; storing it again while its notice is pending keeps the notice where it is.

    /// Up to `limit` job ids with a pending notice, the oldest first (in the order their notices were recorded).
    ///
    /// - Throws: `ReportStoreError.invalidArgument` when `limit` is negative.
    func pendingNotices(limit: Int) throws -> [String]
    /// Removes the notices of `jobIDs` in one transaction; ids without a notice are ignored.
    func confirmNotices(_ jobIDs: [String]) throws

    /// Housekeeping a collector does while no results arrive, a bounded step at a time, which its commits would
    /// otherwise have done: true when more is left for another step.
    func tidyWhileIdle() throws -> Bool
}

extension ReportStore {
    /// A store that keeps nothing on the side has nothing to tidy.
    public func tidyWhileIdle() throws -> Bool { false }
}

/// What one `store` call did with each job id, in the order of its input.
public struct StoreOutcome: Sendable, Hashable {
    /// Job ids written by this call.
    public var inserted: [String]
    /// Job ids that were already stored (or repeated in the call) and were left as they were.
    public var duplicates: [String]

    public init(inserted: [String] = [], duplicates: [String] = []) {
        self.inserted = inserted
        self.duplicates = duplicates
    }
}

/// Row counts; `total == analysed + failed`.
public struct StoreCounts: Sendable, Hashable {
    public var analysed: Int
    public var failed: Int
    public var total: Int { analysed + failed }

    public init(analysed: Int, failed: Int) {
        self.analysed = analysed
        self.failed = failed
    }
}

/// One canonical entity counted across the corpus.
public struct EntityCount: Sendable, Hashable {
    public var key: String
    /// The name most mentioned under this key across articles (the first in order on a tie).
    public var name: String
    public var type: EntityType
    /// Mentions summed over all articles.
    public var mentions: Int
    /// Articles that mention the entity at least once.
    public var articles: Int

    public init(key: String, name: String? = nil, type: EntityType, mentions: Int, articles: Int) {
        self.key = key
        self.name = name ?? key
        self.type = type
        self.mentions = mentions
        self.articles = articles
    }
}

extension ReportStore {
    public func store(_ results: [StoredResult], confirmingNotices confirming: [String]) throws -> StoreOutcome {
        try confirmNotices(confirming)
        return try store(results)
    }
}
