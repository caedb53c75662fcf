import ArticleAnalysis
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
        // As the store keeps them (`CanonicalText`): a key typed or linked in another encoding still matches.
        self.source = source.map(CanonicalText.nfc)
        self.entity = entity.map(CanonicalText.nfc)
        self.topic = topic.map(CanonicalText.nfc)
        self.story = story
        self.language = language
    }

    public var isEmpty: Bool { self == ReportFilter() }

    /// Midnight UTC of a `YYYY-MM-DD` day, as `since` and `until` take it; nil for anything else, invalid dates
    /// (`2018-02-30`) included. The one reading of a day that `mirsad report` and `mirsad web` share.
    public static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: y, month: m, day: d)
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}
