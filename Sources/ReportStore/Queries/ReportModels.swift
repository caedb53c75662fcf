import ArticleAnalysis
import Foundation

// The values report queries return: plain, Codable, independent of the store that made them.

/// How much a report covers.
public struct ReportSummary: Sendable, Hashable, Codable {
    /// Distinct articles (latest versions).
    public var articles: Int
    /// Job results stored, failed ones included (duplicates of a job are not stored twice).
    public var results: Int
    public var failedResults: Int
    /// Results that were an article seen again with the same content.
    public var repeats: Int
    /// Articles that have more than one version.
    public var revisedArticles: Int
    public var sources: Int
    public var stories: Int
    public var firstDay: String?
    public var lastDay: String?
    /// Results committed but not yet indexed (`ReportIndexer`): the counts above leave them out. Nil when none wait.
    public var notYetIndexed: Int?

    public init(articles: Int = 0, results: Int = 0, failedResults: Int = 0, repeats: Int = 0, revisedArticles: Int = 0,
                sources: Int = 0, stories: Int = 0, firstDay: String? = nil, lastDay: String? = nil) {
        self.articles = articles
        self.results = results
        self.failedResults = failedResults
        self.repeats = repeats
        self.revisedArticles = revisedArticles
        self.sources = sources
        self.stories = stories
        self.firstDay = firstDay
        self.lastDay = lastDay
    }
}

/// A canonical entity counted over articles.
public struct EntityTotal: Sendable, Hashable, Codable {
    public var key: String
    public var name: String
    public var type: EntityType
    public var articles: Int
    public var mentions: Int
    /// Earliest and latest article time (milliseconds since 1970) of an article naming it; unset when filtered.
    public var firstSeen: Int64?
    public var lastSeen: Int64?
}

/// Two entities named by the same articles (among each article's most mentioned).
public struct EntityPair: Sendable, Hashable, Codable {
    public var a: EntityRef
    public var b: EntityRef
    public var articles: Int

    /// The order reports list pairs in: the most shared first, then by the first entity's key and type, then the
    /// second's. A total order, so that a report lists its pairs alike on every run and from either store (one key
    /// may be named under two types, and pairs are counted in a dictionary, whose order changes from run to run).
    static func precedesInReports(_ x: EntityPair, _ y: EntityPair) -> Bool {
        (y.articles, x.a.key, x.a.type.rawValue, x.b.key, x.b.type.rawValue)
            < (x.articles, y.a.key, y.a.type.rawValue, y.b.key, y.b.type.rawValue)
    }
}

public struct EntityRef: Sendable, Hashable, Codable {
    public var key: String
    public var name: String
    public var type: EntityType

    public init(key: String, name: String, type: EntityType) {
        self.key = key
        self.name = name
        self.type = type
    }
}

/// What aggregate counts are split by.
public enum TallyDimension: String, Sendable, Hashable, Codable, CaseIterable {
    case source, day, topic, language
}

/// Articles with one value of a dimension, their summed tone and attributions.
public struct Tally: Sendable, Hashable, Codable {
    public var value: String
    public var articles: Int
    public var meanTone: Double
    public var namedSources: Int
    public var anonymousSources: Int
    public var quotes: Int
}

public struct SpeakerTotal: Sendable, Hashable, Codable {
    /// The speaker's canonical entity key when recognised, else the name as written.
    public var speaker: String
    public var name: String
    public var quotes: Int
    public var articles: Int
}

/// Named vs anonymous attributions of one outlet.
public struct OutletSourcing: Sendable, Hashable, Codable {
    public var source: String
    public var articles: Int
    public var named: Int
    public var anonymous: Int
    /// anonymous / (named + anonymous), 0 with no attribution.
    public var anonymousShare: Double { named + anonymous == 0 ? 0 : Double(anonymous) / Double(named + anonymous) }
}

/// One article in a list.
public struct ArticleRow: Sendable, Hashable, Codable {
    /// The article's identity (`ArticleIdentity`).
    public var key: String
    /// The input's id of its latest version.
    public var id: String
    public var title: String?
    public var url: String?
    public var source: String
    public var language: String
    public var day: String
    public var time: Int64
    public var tone: Double
    public var storyID: Int64?
}

public struct DayCount: Sendable, Hashable, Codable {
    public var day: String
    public var articles: Int
}

public struct StorySummary: Sendable, Hashable, Codable {
    public var id: Int64
    public var label: String
    /// Articles in the story (within the filter, when there is one).
    public var articles: Int
    public var outlets: Int
    public var firstDay: String
    public var lastDay: String
}

public struct StoryPage: Sendable, Hashable, Codable {
    public var story: StorySummary
    public var articles: [ArticleRow]
    public var outlets: [Tally]
    /// The story's terms with how many of its articles carry each (entity terms `e:TYPE:key`, keywords `k:`).
    public var terms: [StoryTermCount]
}

public struct StoryTermCount: Sendable, Hashable, Codable {
    public var term: String
    public var name: String
    public var articles: Int
}

public struct EntityPage: Sendable, Hashable, Codable {
    public var entity: EntityTotal
    /// The most recent articles naming it (at most `ReportQueryLimits.pageArticles`).
    public var articles: [ArticleRow]
    public var cooccurring: [EntityPair]
    public var timeline: [DayCount]
    public var sources: [Tally]
    /// Set when the page's counts, timeline, outlets and co-occurring entities were counted over the newest
    /// matching articles only (a filtered page of an entity named by more than `CountedWindow.defaultLimit`).
    public var window: CountedWindow? = nil
}

/// One article: identity, history and its latest analysis decoded from the stored protobuf.
public struct ArticlePage: Sendable, Hashable, Codable {
    public var article: ArticleRow
    public var seen: Int
    public var versions: [ArticleVersion]
    /// Store times, milliseconds since 1970.
    public var firstSeen: Int64
    public var lastSeen: Int64
    public var story: StorySummary?
    public var metadata: ArticleMetadata
    public var analysis: Analysis
}

public struct ArticleVersion: Sendable, Hashable, Codable {
    public var version: Int
    public var jobID: String
    public var storedAt: Int64
}

/// Everything the overview page shows, for one filter.
public struct ReportOverview: Sendable, Hashable, Codable {
    public var filter: ReportFilter
    public var summary: ReportSummary
    public var topEntities: [EntityTotal]
    public var timeline: [Tally]
    public var sources: [Tally]
    public var topics: [Tally]
    public var languages: [Tally]
    public var stories: [StorySummary]
    public var cooccurrence: [EntityPair]
    public var speakers: [SpeakerTotal]
    public var sourcing: [OutletSourcing]
    /// Set when some parts were counted over the newest matching articles only (`CountedWindow`).
    public var window: CountedWindow? = nil
}

/// How long lists are.
public enum ReportQueryLimits {
    public static let pageArticles = 50
}
