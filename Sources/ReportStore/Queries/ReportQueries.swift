import ArticleAnalysis
import Foundation

/// What reports read: articles (latest versions, each once), never job rows.
///
/// Every list is ordered so that ties are stable (by count, then by name or key). Queries without a filter read the
/// aggregates kept as results are stored; with a filter they count the matching articles. Kept to plain SQL so
/// that another database can answer the same way.
public protocol ReportQueries: Sendable {
    func summary(_ filter: ReportFilter) throws -> ReportSummary
    /// Ordered by mentions, then articles, then key and type.
    func topEntities(_ filter: ReportFilter, limit: Int, type: EntityType?) throws -> [EntityTotal]
    /// The entity with `key` (of `type`, else of the type most articles name it as); nil when no article does.
    func entity(key: String, type: EntityType?, filter: ReportFilter) throws -> EntityPage?
    /// Pairs ordered by articles, then keys.
    func cooccurrence(_ filter: ReportFilter, limit: Int) throws -> [EntityPair]
    /// An article by its input id, its identity key or its URL; nil when unknown.
    func article(id: String) throws -> ArticlePage?
    /// The largest stories first, then the most recent.
    func stories(_ filter: ReportFilter, limit: Int) throws -> [StorySummary]
    func story(id: Int64) throws -> StoryPage?
    /// Days in order; other dimensions by articles, then value.
    func counts(_ dimension: TallyDimension, filter: ReportFilter) throws -> [Tally]
    func speakers(_ filter: ReportFilter, limit: Int) throws -> [SpeakerTotal]
    func sourcing(_ filter: ReportFilter) throws -> [OutletSourcing]
    /// The window the parts of `filter`'s overview that summary rows do not answer are counted over; nil when they
    /// count every matching article (few enough match, or summary rows answer every part).
    func countingWindow(_ filter: ReportFilter) throws -> CountedWindow?
}

extension ReportQueries {
    /// The overview page's data, in one call.
    public func overview(_ filter: ReportFilter, limit: Int = 20) throws -> ReportOverview {
        ReportOverview(
            filter: filter,
            summary: try summary(filter),
            topEntities: try topEntities(filter, limit: limit, type: nil),
            timeline: try counts(.day, filter: filter),
            sources: try counts(.source, filter: filter),
            topics: try counts(.topic, filter: filter),
            languages: try counts(.language, filter: filter),
            stories: try stories(filter, limit: limit),
            cooccurrence: try cooccurrence(filter, limit: limit * 2),
            speakers: try speakers(filter, limit: limit),
            sourcing: try sourcing(filter),
            window: try countingWindow(filter))
    }
}
