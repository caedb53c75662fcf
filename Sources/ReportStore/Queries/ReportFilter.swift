import Foundation

/// Which articles a report covers. Every field narrows; an empty filter covers the whole store.
///
/// Times are the article's time (`published`, else analysed), `since` inclusive and `until` exclusive.
public struct ReportFilter: Sendable, Hashable, Codable {
    public var since: Date?
    public var until: Date?
    /// An outlet, as the input named it (`source`).
    public var source: String?
    /// A canonical entity key (any type).
    public var entity: String?
    public var topic: String?
    public var story: Int64?
    /// An ISO 639-1 code.
    public var language: String?

    public init(
        since: Date? = nil, until: Date? = nil, source: String? = nil, entity: String? = nil, topic: String? = nil,
        story: Int64? = nil, language: String? = nil
    ) {
        self.since = since
        self.until = until
        self.source = source
        self.entity = entity
        self.topic = topic
        self.story = story
        self.language = language
    }

    public var isEmpty: Bool { self == ReportFilter() }
}
