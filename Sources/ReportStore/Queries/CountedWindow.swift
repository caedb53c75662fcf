import Foundation

/// A bounded computation, said in the report: the parts of a filtered report that summary rows do not answer are
/// counted over the newest matching articles only, when more than `CountedWindow.defaultLimit` match.
///
/// Invariants:
/// - the window is every matching article whose time is at or after `since`, and no other: `since` is the time of
///   the `limit`-th newest matching article, so `articles` is at least the limit (more when articles share that
///   time) and never more than all that match;
/// - only the `parts` listed were counted over the window; every other part of the same report is exact;
/// - SQLite and PostgreSQL choose the same window and the same parts for the same store and filter (`parts(for:)`
///   is the one rule, the window is defined by the articles' times alone).
public struct CountedWindow: Sendable, Hashable, Codable {
    /// A part of a report, as the label names it.
    public enum Part: String, Sendable, Hashable, Codable, CaseIterable {
        case summary
        /// The summary's count of stories (its other figures come from summary rows).
        case storyCount = "the count of stories"
        case topEntities = "top entities"
        case timeline
        case sources
        case topics
        case languages
        case stories
        case cooccurrence = "co-occurrence"
        case speakers = "quotes by speaker"
        case sourcing
        /// An entity page's counts, timeline, outlets and co-occurring entities.
        case entityPage = "entity counts, timeline, outlets and co-occurrence"
    }

    /// The matching articles counted.
    public var articles: Int
    /// The time of the oldest article counted, milliseconds since 1970 UTC.
    public var since: Int64
    /// Every article the filter matches, where the summary rows give it exactly; nil when they do not.
    public var matching: Int?
    /// The parts counted over the window, in the report's order.
    public var parts: [Part]

    public init(articles: Int, since: Int64, matching: Int?, parts: [Part]) {
        self.articles = articles
        self.since = since
        self.matching = matching
        self.parts = parts
    }

    /// The most articles a report counts one by one before it counts the newest ones only.
    public static let defaultLimit = 10_000

    /// The label every format shows.
    public var text: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let time = formatter.string(from: Date(timeIntervalSince1970: Double(since) / 1000))
        let of = matching.map { " of the \($0) that match" } ?? " of the more that match"
        return "Bounded: \(parts.map(\.rawValue).joined(separator: ", ")) counted over the newest \(articles) matching "
            + "articles\(of) (those since \(time)); every other figure counts all matching articles."
    }

    /// The parts of an overview with `filter` that summary rows do not answer and that are therefore counted over
    /// the window when too many articles match. Empty for the whole store (its aggregates answer everything).
    public static func parts(for filter: ReportFilter) -> [Part] {
        if filter.isEmpty { return [] }
        guard let f = SummaryFilter(filter) else {
            return [.summary, .topEntities, .timeline, .sources, .topics, .languages, .stories, .cooccurrence, .speakers, .sourcing]
        }
        var parts: [Part] = [.storyCount]
        if !(f.isDaysOnly || f.singleFacet != nil) { parts.append(.topEntities) }
        if f.topic != nil { parts.append(.topics) }
        parts.append(.stories)
        parts.append(.cooccurrence)
        if !(f.isDaysOnly || f.singleFacet != nil) { parts.append(.speakers) }
        return parts
    }

    /// `filter` narrowed to the window: the same filter from `since` on.
    func narrowing(_ filter: ReportFilter) -> ReportFilter {
        var narrowed = filter
        let start = Date(timeIntervalSince1970: Double(since) / 1000)
        if narrowed.since.map({ $0 < start }) ?? true { narrowed.since = start }
        return narrowed
    }
}

extension TallyDimension {
    /// The part of a report that counts by this dimension.
    var windowPart: CountedWindow.Part {
        switch self {
        case .day: .timeline
        case .source: .sources
        case .topic: .topics
        case .language: .languages
        }
    }
}
