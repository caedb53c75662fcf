import Foundation

/// A report filter that summary rows answer exactly: no entity and no story, and `since`/`until` (if set) at the
/// start of a UTC day, so that the filter keeps whole days.
///
/// Days are `YYYY-MM-DD`, which order as text the way they order in time.
struct SummaryFilter: Hashable {
    /// The first day kept, inclusive.
    var firstDay: String?
    /// The first day no longer kept.
    var endDay: String?
    var source: String?
    var language: String?
    var topic: String?

    /// Nil when `filter` names an entity or a story, or a time inside a day.
    init?(_ filter: ReportFilter) {
        guard filter.entity == nil, filter.story == nil else { return nil }
        func day(_ date: Date?) -> String?? {
            guard let date else { return .some(nil) }
            let milliseconds = StoredTime.milliseconds(date)
            guard milliseconds % 86_400_000 == 0 else { return nil }
            return .some(PublishedTime.day(milliseconds: milliseconds))
        }
        guard let first = day(filter.since), let end = day(filter.until) else { return nil }
        firstDay = first
        endDay = end
        source = filter.source
        language = filter.language
        topic = filter.topic
    }

    /// Whether only days are filtered (or nothing).
    var isDaysOnly: Bool { source == nil && language == nil && topic == nil }

    /// The one facet filtered, when exactly one of source, language and topic is and no day is.
    var singleFacet: (facet: String, value: String)? {
        guard firstDay == nil, endDay == nil else { return nil }
        let set = [("source", source), ("language", language), ("topic", topic)].compactMap { f, v in v.map { (f, $0) } }
        return set.count == 1 ? (set[0].0, set[0].1) : nil
    }

    /// The conditions on a table's `day` column, and on `source` and `language` when `facets` (both with their
    /// placeholder values in order).
    func conditions(facets: Bool = true) -> (sql: String, values: [String]) {
        var parts: [String] = []
        var values: [String] = []
        if let firstDay { parts.append("day >= ?"); values.append(firstDay) }
        if let endDay { parts.append("day < ?"); values.append(endDay) }
        // A closed range, so that a planner reads the days' rows rather than a whole index in another order.
        if firstDay != nil, endDay == nil { parts.append("day <= ?"); values.append("9999-12-31") }
        if facets, let source { parts.append("source = ?"); values.append(source) }
        if facets, let language { parts.append("language = ?"); values.append(language) }
        return (parts.isEmpty ? "1 = 1" : parts.joined(separator: " AND "), values)
    }
}
