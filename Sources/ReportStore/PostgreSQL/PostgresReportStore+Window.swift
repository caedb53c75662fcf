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
        } else {
            var filter = filter
            if let f = SummaryFilter(filter) {
                // As on SQLite: the day cells give the day the window starts on; only it and later days are read.
                guard let first = try await firstDay(of: limit + 1, f, on: db), let day = PublishedTime.startOfDay(first) else {
                    return nil
                }
                let start = StoredTime.date(milliseconds: day)
                if filter.since.map({ $0 < start }) ?? true { filter.since = start }
            }
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

    /// The latest day by which `count` articles of `f` are reached counting back from the newest day; nil when
    /// fewer match in all.
    static func firstDay(of count: Int, _ f: SummaryFilter, on db: PostgresConnection) async throws -> String? {
        var s = PostgresStatement()
        let topic = s.bind(f.topic ?? "")
        s.text = """
            SELECT day, SUM(articles)::bigint AS n FROM day_cells WHERE topic = \(topic) AND \(conditions(f, &s))
            GROUP BY day ORDER BY day DESC
            """
        var total = 0
        for row in try await db.rows(s.query) {
            total += try row.value("n", as: Int.self)
            if total >= count { return try row.value("day", as: String.self) }
        }
        return nil
    }
}
