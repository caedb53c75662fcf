import ArticleAnalysis
import Foundation
import GRDB

// MARK: - Bounded computation
//
// The parts of a filtered report that summary rows do not answer count the matching articles one by one; when more
// than `Options.windowLimit` match they count the newest ones only (`CountedWindow`), and the report says so.

extension SQLiteReportStore {
    public func countingWindow(_ filter: ReportFilter) throws -> CountedWindow? {
        let parts = CountedWindow.parts(for: filter)
        guard !parts.isEmpty else { return nil }
        return try perform("bounding the report") { try pool.read { db in try window(filter, parts: parts, in: db) } }
    }

    /// `filter` narrowed to its window when `part` of its report is counted over one, else `filter`.
    func bounded(_ filter: ReportFilter, _ part: CountedWindow.Part, in db: Database) throws -> ReportFilter {
        guard CountedWindow.parts(for: filter).contains(part), let window = try window(filter, parts: [part], in: db) else {
            return filter
        }
        return window.narrowing(filter)
    }

    /// The newest `windowLimit` articles `filter` matches (all that share the last one's time), nil when no more
    /// match than that.
    func window(_ filter: ReportFilter, parts: [CountedWindow.Part], in db: Database) throws -> CountedWindow? {
        let limit = max(1, options.windowLimit)
        var times: [Int64]
        if let entity = filter.entity {
            // Driven from the entity's rows, newest first, per (key, type): one index range each.
            times = []
            let found = try Row.fetchAll(db, sql: "SELECT key, type FROM entity_totals WHERE key IN (?, ?)",
                                         arguments: [entity, ArabicNormalizer.normalize(entity)])
            var conditions = ["fe.key = ?", "fe.type = ?"]
            var values: [(any DatabaseValueConvertible)?] = []
            if let since = filter.since { conditions.append("fe.time_ms >= ?"); values.append(StoredTime.milliseconds(since)) }
            if let until = filter.until { conditions.append("fe.time_ms < ?"); values.append(StoredTime.milliseconds(until)) }
            if let source = filter.source { conditions.append("fe.source = ?"); values.append(source) }
            if let language = filter.language { conditions.append("fe.language = ?"); values.append(language) }
            if let topic = filter.topic {
                conditions.append("EXISTS (SELECT 1 FROM article_topics ft WHERE ft.topic = ? AND ft.article_key = fe.article_key)")
                values.append(topic)
            }
            if let story = filter.story {
                conditions.append("EXISTS (SELECT 1 FROM articles a WHERE a.article_key = fe.article_key AND a.story_id = ?)")
                values.append(story)
            }
            let statement = try db.makeStatement(sql: """
                SELECT fe.time_ms FROM article_entities fe WHERE \(conditions.joined(separator: " AND "))
                ORDER BY fe.time_ms DESC LIMIT ?
                """)
            for row in found {
                times += try Int64.fetchAll(statement, arguments: StatementArguments(
                    [row["key"] as String, row["type"] as String] + values + [limit + 1]))
            }
            times.sort(by: >)
            times = Array(times.dropFirst(limit - 1).prefix(2))
        } else {
            var filter = filter
            if let f = SummaryFilter(filter) {
                // The day cells say how many match each day: the window starts on the day where the newest `limit`
                // reach, and only that day's articles and later ones are read to find its first time.
                guard let first = try Self.firstDay(of: limit + 1, f, in: db), let day = PublishedTime.startOfDay(first) else {
                    return nil
                }
                let start = StoredTime.date(milliseconds: day)
                if filter.since.map({ $0 < start }) ?? true { filter.since = start }
            }
            let (conditions, arguments) = Self.conditions(filter)
            times = try Int64.fetchAll(db, sql: """
                SELECT a.time_ms FROM articles a WHERE \(conditions) ORDER BY a.time_ms DESC LIMIT 2 OFFSET ?
                """, arguments: arguments + [limit - 1])
        }
        guard times.count == 2 else { return nil }
        var window = CountedWindow(articles: 0, since: times[0], matching: nil, parts: parts)
        let (conditions, arguments) = Self.conditions(window.narrowing(filter))
        window.articles = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM articles a WHERE \(conditions)", arguments: arguments) ?? 0
        if let f = SummaryFilter(filter) { window.matching = try Self.matchingArticles(f, in: db) }
        return window
    }

    /// The latest day by which `count` articles of `f` are reached counting back from the newest day; nil when
    /// fewer match in all.
    static func firstDay(of count: Int, _ f: SummaryFilter, in db: Database) throws -> String? {
        let (conditions, values) = f.conditions()
        let rows = try Row.fetchCursor(db, sql: """
            SELECT day, SUM(articles) AS n FROM day_cells WHERE topic = ? AND \(conditions) GROUP BY day ORDER BY day DESC
            """, arguments: StatementArguments([f.topic ?? ""] + values))
        var total = 0
        while let row = try rows.next() {
            total += row["n"] as Int
            if total >= count { return row["day"] }
        }
        return nil
    }
}
