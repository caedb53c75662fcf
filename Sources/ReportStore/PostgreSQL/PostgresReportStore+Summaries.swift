import ArticleAnalysis
import Foundation
import PostgresNIO

// MARK: - Filtered reports from summary rows
//
// `SQLiteReportStore+Summaries` in PostgreSQL's dialect: a filter of whole days, outlet, language and topic
// (`SummaryFilter`) sums summary rows (`PostgresSchema.v2`). Each function returns nil where its summary rows do not
// answer the filter, and the caller counts the matching articles.

extension PostgresReportStore {
    func summaryFilter(_ filter: ReportFilter) -> SummaryFilter? {
        guard options.readsSummaries, !filter.isEmpty else { return nil }
        return SummaryFilter(filter)
    }

    /// The conditions on a summary table's `day`, and on `source` and `language` when `facets`.
    static func conditions(_ f: SummaryFilter, facets: Bool = true, _ s: inout PostgresStatement) -> String {
        var parts = ["TRUE"]
        if let first = f.firstDay { parts.append("day >= \(s.bind(first))") }
        if let end = f.endDay { parts.append("day < \(s.bind(end))") }
        if facets, let source = f.source { parts.append("source = \(s.bind(source))") }
        if facets, let language = f.language { parts.append("language = \(s.bind(language))") }
        return parts.joined(separator: " AND ")
    }

    static func summary(_ f: SummaryFilter, filter: ReportFilter, on db: PostgresConnection) async throws -> ReportSummary {
        var s = PostgresStatement()
        let topic = s.bind(f.topic ?? "")
        s.text = """
            SELECT COALESCE(SUM(articles), 0)::bigint AS articles, COALESCE(SUM(results), 0)::bigint AS results,
                COALESCE(SUM(results - versions), 0)::bigint AS repeats, COALESCE(SUM(revised), 0)::bigint AS revised,
                COUNT(DISTINCT source) AS sources, MIN(day) AS first, MAX(day) AS last
            FROM day_cells WHERE topic = \(topic) AND \(conditions(f, &s))
            """
        let row = try await db.row(s.query)
        // Stories are not additive over days or outlets: counted from the articles' (facet, time, story) indexes.
        var t = PostgresStatement()
        t.text = "SELECT COUNT(DISTINCT a.story_id) AS n FROM articles a WHERE \(conditions(filter, &t))"
        let stories = try await db.row(t.query)?.value("n", as: Int.self) ?? 0
        return ReportSummary(
            articles: try row?.value("articles") ?? 0, results: try row?.value("results") ?? 0, failedResults: 0,
            repeats: try row?.value("repeats") ?? 0, revisedArticles: try row?.value("revised") ?? 0,
            sources: try row?.value("sources") ?? 0, stories: stories,
            firstDay: try row?.value("first", as: String?.self), lastDay: try row?.value("last", as: String?.self))
    }

    /// Nil for counts by topic of a topic filter (articles of one topic by each of their topics: not kept).
    static func counts(_ dimension: TallyDimension, _ f: SummaryFilter, on db: PostgresConnection) async throws -> [Tally]? {
        var s = PostgresStatement()
        let topicCondition: String
        switch dimension {
        case .topic:
            guard f.topic == nil else { return nil }
            topicCondition = "topic <> ''"
        case .source, .day, .language:
            topicCondition = "topic = \(s.bind(f.topic ?? ""))"
        }
        let column = dimension == .topic ? "topic" : dimension.rawValue
        let order = dimension == .day ? "value" : "articles DESC, value"
        s.text = """
            SELECT \(column) AS value, SUM(articles)::bigint AS articles, SUM(tone_sum) / SUM(articles) AS mean_tone,
                SUM(named_sources)::bigint AS named_sources, SUM(anonymous_sources)::bigint AS anonymous_sources,
                SUM(quotes)::bigint AS quotes
            FROM day_cells WHERE \(topicCondition) AND \(conditions(f, &s))
            GROUP BY \(column) ORDER BY \(order)
            """
        return try await db.rows(s.query).map(tally)
    }

    /// Nil unless the filter keeps days only, or one outlet, language or topic only.
    static func topEntities(_ f: SummaryFilter, limit: Int, type: EntityType?, on db: PostgresConnection) async throws -> [EntityTotal]? {
        var s = PostgresStatement()
        let ranked: String
        if f.isDaysOnly {
            let days = conditions(f, facets: false, &s)
            let typeCondition = type.map { "type = \(s.bind($0.rawValue))" } ?? "TRUE"
            ranked = """
                SELECT key, type, SUM(articles)::bigint AS articles, SUM(mentions)::bigint AS mentions FROM entity_days
                WHERE \(days) AND \(typeCondition) GROUP BY key, type
                """
        } else if let (facet, value) = f.singleFacet {
            let typeCondition = type.map { "type = \(s.bind($0.rawValue))" } ?? "TRUE"
            ranked = """
                SELECT key, type, articles, mentions FROM entity_facets
                WHERE facet = \(s.bind(facet)) AND value = \(s.bind(value)) AND \(typeCondition)
                """
        } else {
            return nil
        }
        s.text = """
            SELECT r.key, r.type, COALESCE(t.name, r.key) AS name, r.articles, r.mentions,
                NULL::bigint AS first_seen, NULL::bigint AS last_seen
            FROM (\(ranked) ORDER BY mentions DESC, articles DESC, key, type LIMIT \(s.bind(limit))) r
            LEFT JOIN entity_totals t ON t.key = r.key AND t.type = r.type
            ORDER BY r.mentions DESC, r.articles DESC, r.key, r.type
            """
        return try await db.rows(s.query).map(entityTotal)
    }

    /// Nil unless the filter keeps days only, or one outlet, language or topic only.
    static func speakers(_ f: SummaryFilter, limit: Int, on db: PostgresConnection) async throws -> [SpeakerTotal]? {
        var s = PostgresStatement()
        let ranked: String
        if f.isDaysOnly {
            ranked = """
                SELECT speaker, SUM(quotes)::bigint AS quotes, SUM(articles)::bigint AS articles FROM speaker_days
                WHERE \(conditions(f, facets: false, &s)) GROUP BY speaker
                """
        } else if let (facet, value) = f.singleFacet {
            ranked = """
                SELECT speaker, quotes, articles FROM speaker_facets WHERE facet = \(s.bind(facet)) AND value = \(s.bind(value))
                """
        } else {
            return nil
        }
        s.text = """
            SELECT r.speaker, COALESCE(t.name, r.speaker) AS name, r.quotes, r.articles
            FROM (\(ranked) ORDER BY quotes DESC, articles DESC, speaker LIMIT \(s.bind(limit))) r
            LEFT JOIN speaker_totals t ON t.speaker = r.speaker
            ORDER BY r.quotes DESC, r.articles DESC, r.speaker
            """
        return try await db.rows(s.query).map {
            SpeakerTotal(speaker: try $0.value("speaker"), name: try $0.value("name"), quotes: try $0.value("quotes"),
                         articles: try $0.value("articles"))
        }
    }

    /// The articles a summary filter keeps, from its day cells.
    static func matchingArticles(_ f: SummaryFilter, on db: PostgresConnection) async throws -> Int {
        var s = PostgresStatement()
        let topic = s.bind(f.topic ?? "")
        s.text = "SELECT COALESCE(SUM(articles), 0)::bigint AS n FROM day_cells WHERE topic = \(topic) AND \(conditions(f, &s))"
        return try await db.row(s.query)?.value("n", as: Int.self) ?? 0
    }
}
