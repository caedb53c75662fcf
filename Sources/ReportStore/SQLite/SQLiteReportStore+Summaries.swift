import ArticleAnalysis
import Foundation
import GRDB

// MARK: - Filtered reports from summary rows
//
// A filter of whole days, outlet, language and topic (`SummaryFilter`) is answered by summing summary rows
// (`SummarySchema`): the cost grows with the days and facet values it keeps, not with its articles. Each function
// returns nil where its summary rows do not answer the filter, and the caller counts the matching articles.

extension SQLiteReportStore {
    /// The filter as summary rows can read it, nil when they cannot (or for the unfiltered reports, which read the
    /// store-wide aggregates).
    func summaryFilter(_ filter: ReportFilter) -> SummaryFilter? {
        guard options.readsSummaries, !filter.isEmpty else { return nil }
        return SummaryFilter(filter)
    }

    /// `filter` counts the stories (the caller narrows it to its window); `f` everything else.
    static func summary(_ f: SummaryFilter, filter: ReportFilter, in db: Database) throws -> ReportSummary {
        let (conditions, values) = f.conditions()
        let row = try Row.fetchOne(db, sql: """
            SELECT COALESCE(SUM(articles), 0) AS articles, COALESCE(SUM(results), 0) AS results,
                COALESCE(SUM(results - versions), 0) AS repeats, COALESCE(SUM(revised), 0) AS revised,
                COUNT(DISTINCT source) AS sources, MIN(day) AS first, MAX(day) AS last
            FROM day_cells WHERE topic = ? AND \(conditions)
            """, arguments: StatementArguments([f.topic ?? ""] + values))
        // Stories are not additive over days or outlets: counted from the articles' (facet, time, story) indexes.
        let (articleConditions, arguments) = Self.conditions(filter)
        let stories = try Int.fetchOne(
            db, sql: "SELECT COUNT(DISTINCT a.story_id) FROM articles a WHERE \(articleConditions)", arguments: arguments) ?? 0
        return ReportSummary(
            articles: row?["articles"] ?? 0, results: row?["results"] ?? 0, failedResults: 0, repeats: row?["repeats"] ?? 0,
            revisedArticles: row?["revised"] ?? 0, sources: row?["sources"] ?? 0, stories: stories,
            firstDay: row?["first"], lastDay: row?["last"])
    }

    /// Nil for counts by topic of a topic filter (articles of one topic by each of their topics: not kept).
    static func counts(_ dimension: TallyDimension, _ f: SummaryFilter, in db: Database) throws -> [Tally]? {
        let (conditions, values) = f.conditions()
        let topicCondition: String
        var arguments: [String] = []
        switch dimension {
        case .topic:
            guard f.topic == nil else { return nil }
            topicCondition = "topic <> ''"
        case .source, .day, .language:
            topicCondition = "topic = ?"
            arguments.append(f.topic ?? "")
        }
        let column = dimension == .topic ? "topic" : dimension.rawValue
        let order = dimension == .day ? "value" : "articles DESC, value"
        return try Row.fetchAll(db, sql: """
            SELECT \(column) AS value, SUM(articles) AS articles, SUM(tone_sum) / SUM(articles) AS mean_tone,
                SUM(named_sources) AS named_sources, SUM(anonymous_sources) AS anonymous_sources, SUM(quotes) AS quotes
            FROM day_cells WHERE \(topicCondition) AND \(conditions)
            GROUP BY \(column) ORDER BY \(order)
            """, arguments: StatementArguments(arguments + values)).map(Self.tally)
    }

    /// Nil unless the filter keeps days only, or one outlet, language or topic only.
    static func topEntities(_ f: SummaryFilter, limit: Int, type: EntityType?, in db: Database) throws -> [EntityTotal]? {
        // Summed by entity number first, so that each entity is looked up once for the key and type that rank
        // ties and filter by type.
        let counted: String
        var arguments: StatementArguments
        if f.isDaysOnly {
            let (conditions, values) = f.conditions(facets: false)
            counted = """
                SELECT entity_id, SUM(articles) AS articles, SUM(mentions) AS mentions FROM entity_days
                WHERE \(conditions) GROUP BY entity_id
                """
            arguments = StatementArguments(values)
        } else if let (facet, value) = f.singleFacet {
            counted = """
                SELECT entity_id, articles, mentions FROM entity_facets
                WHERE facet_id = (SELECT facet_id FROM facets WHERE facet = ? AND value = ?)
                """
            arguments = [facet, value]
        } else {
            return nil
        }
        arguments += [type?.rawValue, type?.rawValue, limit]
        return try Row.fetchAll(db, sql: """
            SELECT t.key, t.type, t.name, r.articles, r.mentions, NULL AS first_seen, NULL AS last_seen
            FROM (\(counted)) r CROSS JOIN entity_totals t ON t.entity_id = r.entity_id
            WHERE (? IS NULL OR t.type = ?)
            ORDER BY r.mentions DESC, r.articles DESC, t.key, t.type LIMIT ?
            """, arguments: arguments).map(Self.entityTotal)
    }

    /// Nil unless the filter keeps days only, or one outlet, language or topic only.
    static func speakers(_ f: SummaryFilter, limit: Int, in db: Database) throws -> [SpeakerTotal]? {
        let ranked: String
        var arguments: StatementArguments
        if f.isDaysOnly {
            let (conditions, values) = f.conditions(facets: false)
            ranked = """
                SELECT speaker_id, SUM(quotes) AS quotes, SUM(articles) AS articles FROM speaker_days
                WHERE \(conditions) GROUP BY speaker_id
                """
            arguments = StatementArguments(values)
        } else if let (facet, value) = f.singleFacet {
            ranked = """
                SELECT speaker_id, quotes, articles FROM speaker_facets
                WHERE facet_id = (SELECT facet_id FROM facets WHERE facet = ? AND value = ?)
                """
            arguments = [facet, value]
        } else {
            return nil
        }
        arguments += [limit]
        return try Row.fetchAll(db, sql: """
            SELECT t.speaker, t.name, r.quotes, r.articles
            FROM (\(ranked)) r CROSS JOIN speaker_totals t ON t.speaker_id = r.speaker_id
            ORDER BY r.quotes DESC, r.articles DESC, t.speaker LIMIT ?
            """, arguments: arguments).map {
            SpeakerTotal(speaker: $0["speaker"], name: $0["name"], quotes: $0["quotes"], articles: $0["articles"])
        }
    }

    /// The articles a summary filter keeps, from its day cells.
    static func matchingArticles(_ f: SummaryFilter, in db: Database) throws -> Int {
        let (conditions, values) = f.conditions()
        return try Int.fetchOne(
            db, sql: "SELECT COALESCE(SUM(articles), 0) FROM day_cells WHERE topic = ? AND \(conditions)",
            arguments: StatementArguments([f.topic ?? ""] + values)) ?? 0
    }
}
