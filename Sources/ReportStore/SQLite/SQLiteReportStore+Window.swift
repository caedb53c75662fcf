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
            // Driven from the entity's rows, newest first, per entity number: one index range each.
            times = []
            let found = try Int64.fetchAll(db, sql: "SELECT entity_id FROM entity_totals WHERE key IN (?, ?)",
                                           arguments: [entity, ArabicNormalizer.normalize(entity)])
            var conditions = ["fe.entity_id = ?"]
            var values: [(any DatabaseValueConvertible)?] = []
            if let since = filter.since { conditions.append("fe.time_ms >= ?"); values.append(StoredTime.milliseconds(since)) }
            if let until = filter.until { conditions.append("fe.time_ms < ?"); values.append(StoredTime.milliseconds(until)) }
            if let topic = filter.topic {
                conditions.append("EXISTS (SELECT 1 FROM article_topics ft WHERE ft.topic = ? AND ft.article_id = fe.article_id)")
                values.append(topic)
            }
            // The outlet, the language and the story are the article's.
            var ofArticle: [String] = []
            if let source = filter.source { ofArticle.append("a.source = ?"); values.append(source) }
            if let language = filter.language { ofArticle.append("a.language = ?"); values.append(language) }
            if let story = filter.story { ofArticle.append("a.story_id = ?"); values.append(story) }
            if !ofArticle.isEmpty {
                conditions.append("EXISTS (SELECT 1 FROM articles a WHERE a.article_id = fe.article_id AND \(ofArticle.joined(separator: " AND ")))")
            }
            let statement = try db.makeStatement(sql: """
                SELECT fe.time_ms FROM article_entities fe WHERE \(conditions.joined(separator: " AND "))
                ORDER BY fe.time_ms DESC LIMIT ?
                """)
            for id in found {
                times += try Int64.fetchAll(statement, arguments: StatementArguments([id] + values + [limit + 1]))
            }
            times.sort(by: >)
            times = Array(times.dropFirst(limit - 1).prefix(2))
        } else if let f = SummaryFilter(filter) {
            // The day cells say how many match each day: only the day the window starts on is read, to find the
            // time of its `limit`-th newest article.
            guard let (day, after) = try Self.windowDay(limit, f, in: db), let start = PublishedTime.startOfDay(day) else {
                return nil
            }
            var onDay = filter
            onDay.since = StoredTime.date(milliseconds: start)
            onDay.until = StoredTime.date(milliseconds: start + 86_400_000)
            let (conditions, arguments) = Self.conditions(onDay)
            guard let cutoff = try Int64.fetchOne(db, sql: """
                SELECT a.time_ms FROM articles a WHERE \(conditions) ORDER BY a.time_ms DESC LIMIT 1 OFFSET ?
                """, arguments: arguments + [limit - after - 1]) else { return nil }
            onDay.since = StoredTime.date(milliseconds: cutoff)
            let (counted, countedArguments) = Self.conditions(onDay)
            let onTheDay = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM articles a WHERE \(counted)", arguments: countedArguments) ?? 0
            return CountedWindow(articles: after + onTheDay, since: cutoff, matching: try Self.matchingArticles(f, in: db), parts: parts)
        } else {
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

    /// The day holding the `limit`-th newest article of `f` and the articles of `f` on later days, from the day
    /// cells; nil when no more than `limit` match.
    static func windowDay(_ limit: Int, _ f: SummaryFilter, in db: Database) throws -> (day: String, after: Int)? {
        let (conditions, values) = f.conditions()
        let rows = try Row.fetchCursor(db, sql: """
            SELECT day, SUM(articles) AS n FROM day_cells WHERE topic = ? AND \(conditions) GROUP BY day ORDER BY day DESC
            """, arguments: StatementArguments([f.topic ?? ""] + values))
        var total = 0
        var found: (day: String, after: Int)?
        while let row = try rows.next() {
            let n: Int = row["n"]
            if found == nil, total + n >= limit { found = (row["day"], total) }
            total += n
            if total > limit, let found { return found }
        }
        return nil
    }
}
