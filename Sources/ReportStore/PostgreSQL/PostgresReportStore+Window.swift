import ArticleAnalysis
import Foundation
import PostgresNIO

// MARK: - Bounded computation
//
// `SQLiteReportStore+Window` in PostgreSQL's dialect: the same window (the newest `Options.windowLimit` matching
// articles, by time) for the same parts (`CountedWindow.parts(for:)`).

extension PostgresReportStore {
    public func countingWindow(_ filter: ReportFilter) throws -> CountedWindow? {
        let parts = CountedWindow.parts(for: filter)
        guard !parts.isEmpty else { return nil }
        let limit = options.windowLimit
        return try perform("bounding the report") { connections in
            try await connections.withConnection { db in try await Self.window(filter, parts: parts, limit: limit, on: db) }
        }
    }

    /// `filter` narrowed to its window when `part` of its report is counted over one, else `filter`.
    static func bounded(_ filter: ReportFilter, _ part: CountedWindow.Part, limit: Int, on db: PostgresConnection) async throws -> ReportFilter {
        guard CountedWindow.parts(for: filter).contains(part),
              let window = try await window(filter, parts: [part], limit: limit, on: db) else { return filter }
        return window.narrowing(filter)
    }

    /// The newest `limit` articles `filter` matches (all that share the last one's time), nil when no more match.
    static func window(
        _ filter: ReportFilter, parts: [CountedWindow.Part], limit: Int, on db: PostgresConnection
    ) async throws -> CountedWindow? {
        let limit = max(1, limit)
        var times: [Int64] = []
        if let entity = filter.entity {
            // Driven from the entity's rows, newest first, per (key, type): one index range each.
            let found = try await db.rows("""
                SELECT key, type FROM entity_totals WHERE key IN (\(entity), \(ArabicNormalizer.normalize(entity)))
                """)
            for row in found {
                var s = PostgresStatement()
                var conditions = ["fe.key = \(s.bind(try row.value("key", as: String.self)))",
                                  "fe.type = \(s.bind(try row.value("type", as: String.self)))"]
                if let since = filter.since { conditions.append("fe.time_ms >= \(s.bind(StoredTime.milliseconds(since)))") }
                if let until = filter.until { conditions.append("fe.time_ms < \(s.bind(StoredTime.milliseconds(until)))") }
                if let source = filter.source { conditions.append("fe.source = \(s.bind(source))") }
                if let language = filter.language { conditions.append("fe.language = \(s.bind(language))") }
                if let topic = filter.topic {
                    conditions.append("EXISTS (SELECT 1 FROM article_topics ft WHERE ft.topic = \(s.bind(topic)) AND ft.article_key = fe.article_key)")
                }
                if let story = filter.story {
                    conditions.append("EXISTS (SELECT 1 FROM articles a WHERE a.article_key = fe.article_key AND a.story_id = \(s.bind(story)))")
                }
                s.text = """
                    SELECT fe.time_ms FROM article_entities fe WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY fe.time_ms DESC LIMIT \(s.bind(limit + 1))
                    """
                times += try await db.rows(s.query).map { try $0.value("time_ms", as: Int64.self) }
            }
            times.sort(by: >)
            times = Array(times.dropFirst(limit - 1).prefix(2))
        } else if let f = SummaryFilter(filter) {
            // As on SQLite: only the day the window starts on is read, to find the time of its `limit`-th newest.
            guard let (day, after) = try await windowDay(limit, f, on: db), let start = PublishedTime.startOfDay(day) else {
                return nil
            }
            var onDay = filter
            onDay.since = StoredTime.date(milliseconds: start)
            onDay.until = StoredTime.date(milliseconds: start + 86_400_000)
            var s = PostgresStatement()
            let conditions = Self.conditions(onDay, &s)
            s.text = "SELECT a.time_ms FROM articles a WHERE \(conditions) ORDER BY a.time_ms DESC LIMIT 1 OFFSET \(s.bind(limit - after - 1))"
            guard let cutoff = try await db.row(s.query)?.value("time_ms", as: Int64.self) else { return nil }
            onDay.since = StoredTime.date(milliseconds: cutoff)
            var c = PostgresStatement()
            c.text = "SELECT COUNT(*) AS n FROM articles a WHERE \(Self.conditions(onDay, &c))"
            let onTheDay = try await db.row(c.query)?.value("n", as: Int.self) ?? 0
            return CountedWindow(articles: after + onTheDay, since: cutoff, matching: try await matchingArticles(f, on: db), parts: parts)
        } else {
            var s = PostgresStatement()
            let conditions = Self.conditions(filter, &s)
            s.text = """
                SELECT a.time_ms FROM articles a WHERE \(conditions) ORDER BY a.time_ms DESC LIMIT 2 OFFSET \(s.bind(limit - 1))
                """
            times = try await db.rows(s.query).map { try $0.value("time_ms", as: Int64.self) }
        }
        guard times.count == 2 else { return nil }
        var window = CountedWindow(articles: 0, since: times[0], matching: nil, parts: parts)
        var s = PostgresStatement()
        s.text = "SELECT COUNT(*) AS n FROM articles a WHERE \(Self.conditions(window.narrowing(filter), &s))"
        window.articles = try await db.row(s.query)?.value("n", as: Int.self) ?? 0
        if let f = SummaryFilter(filter) { window.matching = try await matchingArticles(f, on: db) }
        return window
    }

    /// The day holding the `limit`-th newest article of `f` and the articles of `f` on later days, from the day
    /// cells; nil when no more than `limit` match.
    static func windowDay(_ limit: Int, _ f: SummaryFilter, on db: PostgresConnection) async throws -> (day: String, after: Int)? {
        var s = PostgresStatement()
        let topic = s.bind(f.topic ?? "")
        s.text = """
            SELECT day, SUM(articles)::bigint AS n FROM day_cells WHERE topic = \(topic) AND \(conditions(f, &s))
            GROUP BY day ORDER BY day DESC
            """
        var total = 0
        var found: (day: String, after: Int)?
        for row in try await db.rows(s.query) {
            let n = try row.value("n", as: Int.self)
            if found == nil, total + n >= limit { found = (try row.value("day", as: String.self), total) }
            total += n
            if total > limit, let found { return found }
        }
        return nil
    }
}
