import ArticleAnalysis
import Foundation
import GRDB

// MARK: - Report queries
//
// Without a filter each query reads the aggregate tables (a few index lookups or a scan of a small table); with
// one it sums summary rows where they answer it (`SQLiteReportStore+Summaries`), else counts the articles that
// match, starting from the most selective index the filter allows.

extension SQLiteReportStore: ReportQueries {
    public func summary(_ filter: ReportFilter) throws -> ReportSummary {
        var summary = try indexedSummary(filter)
        let waiting = try notYetIndexed()
        summary.notYetIndexed = waiting > 0 ? waiting : nil
        return summary
    }

    private func indexedSummary(_ filter: ReportFilter) throws -> ReportSummary {
        try read("summarising") { db in
            if filter.isEmpty {
                var summary = ReportSummary()
                let tallies = try Row.fetchAll(db, sql: """
                    SELECT dimension, COUNT(*) AS n, SUM(articles) AS articles, MIN(value) AS first, MAX(value) AS last
                    FROM tallies WHERE dimension IN ('language', 'source', 'day') GROUP BY dimension
                    """)
                for row in tallies {
                    switch row["dimension"] as String {
                    case "language": summary.articles = row["articles"]
                    case "source": summary.sources = row["n"]
                    default:
                        summary.firstDay = row["first"]
                        summary.lastDay = row["last"]
                    }
                }
                for row in try Row.fetchAll(db, sql: "SELECT status, results AS n FROM result_counts") {
                    summary.results += row["n"] as Int
                    if (row["status"] as String) == "failed" { summary.failedResults = row["n"] }
                }
                summary.stories = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stories") ?? 0
                let history = try Row.fetchOne(db, sql: """
                    SELECT COALESCE(SUM(results - versions), 0) AS repeats, COALESCE(SUM(revised), 0) AS revised
                    FROM day_cells WHERE topic = ''
                    """)
                summary.repeats = history?["repeats"] ?? 0
                summary.revisedArticles = history?["revised"] ?? 0
                return summary
            }
            if let f = summaryFilter(filter) {
                // Stories are counted from the articles, over the window when too many match.
                return try Self.summary(f, filter: try bounded(filter, .storyCount, in: db), in: db)
            }
            let (conditions, arguments) = Self.conditions(try bounded(filter, .summary, in: db))
            guard let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS articles, COALESCE(SUM(seen), 0) AS results, COALESCE(SUM(seen - version), 0) AS repeats,
                    COALESCE(SUM(version > 1), 0) AS revised, COUNT(DISTINCT source) AS sources,
                    COUNT(DISTINCT story_id) AS stories, MIN(day) AS first, MAX(day) AS last
                FROM articles a WHERE \(conditions)
                """, arguments: arguments) else { return ReportSummary() }
            return ReportSummary(
                articles: row["articles"], results: row["results"], failedResults: 0, repeats: row["repeats"],
                revisedArticles: row["revised"], sources: row["sources"], stories: row["stories"],
                firstDay: row["first"], lastDay: row["last"])
        }
    }

    public func topEntities(_ filter: ReportFilter, limit: Int, type: EntityType?) throws -> [EntityTotal] {
        guard limit >= 0 else { throw ReportStoreError.invalidArgument("limit must not be negative, got \(limit)") }
        return try read("ranking entities") { db in
            if filter.isEmpty {
                return try Row.fetchAll(db, sql: """
                    SELECT key, type, name, articles, mentions, first_seen, last_seen FROM entity_totals
                    WHERE ?1 IS NULL OR type = ?1
                    ORDER BY mentions DESC, articles DESC, key, type LIMIT ?2
                    """, arguments: [type?.rawValue, limit]).map(Self.entityTotal)
            }
            if let f = summaryFilter(filter), let found = try Self.topEntities(f, limit: limit, type: type, in: db) {
                return found
            }
            let (conditions, arguments) = Self.conditions(try bounded(filter, .topEntities, in: db))
            return try Row.fetchAll(db, sql: """
                SELECT t.key, t.type, t.name, r.articles, r.mentions, NULL AS first_seen, NULL AS last_seen
                FROM (
                    SELECT e.entity_id, COUNT(*) AS articles, SUM(e.mentions) AS mentions
                    FROM articles a CROSS JOIN article_entities e ON e.article_id = a.article_id
                    WHERE \(conditions)
                    GROUP BY e.entity_id
                ) r
                CROSS JOIN entity_totals t ON t.entity_id = r.entity_id
                WHERE ? IS NULL OR t.type = ?
                ORDER BY r.mentions DESC, r.articles DESC, t.key, t.type LIMIT ?
                """, arguments: arguments + [type?.rawValue, type?.rawValue, limit]).map(Self.entityTotal)
        }
    }

    public func cooccurrence(_ filter: ReportFilter, limit: Int) throws -> [EntityPair] {
        // Pairs among the most mentioned entities: what a co-occurrence view can show, found by key lookups. Under
        // a filter they are counted over its window (when too many articles match), top entities included.
        let narrowed = try filter.isEmpty ? filter : read("bounding the report") { db in try bounded(filter, .cooccurrence, in: db) }
        let top = filter.isEmpty ? try topEntities(filter, limit: max(0, limit), type: nil) : []
        guard !filter.isEmpty || top.count > 1 else { return [] }
        return try read("pairing entities") { db in
            var pairs: [EntityPair] = []
            if filter.isEmpty {
                let number = try db.cachedStatement(sql: "SELECT entity_id FROM entity_totals WHERE key = ? AND type = ?")
                let lookup = try db.cachedStatement(sql: "SELECT articles FROM entity_pairs WHERE a_id = ? AND b_id = ?")
                let ordered = top.sorted { ($0.type.rawValue, $0.key) < ($1.type.rawValue, $1.key) }
                let numbers = try ordered.map { try Int64.fetchOne(number, arguments: [$0.key, $0.type.rawValue]) }
                for i in ordered.indices {
                    for j in ordered.indices where j > i {
                        guard let a = numbers[i], let b = numbers[j] else { continue }
                        if let n = try Int.fetchOne(lookup, arguments: [a, b]), n > 0 {
                            pairs.append(EntityPair(a: Self.ref(ordered[i]), b: Self.ref(ordered[j]), articles: n))
                        }
                    }
                }
            } else {
                // The matching articles (at most a window's) each with its entity rows, read once: the top entities
                // and their pairs are counted here.
                let (conditions, arguments) = Self.conditions(narrowed)
                var counting = EntityRowCounting()
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT a.article_key, t.key, t.type, e.mentions, e.paired FROM articles a
                    CROSS JOIN article_entities e ON e.article_id = a.article_id
                    CROSS JOIN entity_totals t ON t.entity_id = e.entity_id
                    WHERE \(conditions)
                    """, arguments: arguments)
                while let row = try rows.next() {
                    counting.add(article: row[0], entity: row[1], type: row[2], mentions: row[3], paired: (row[4] as Int) != 0)
                }
                let ranked = counting.top(max(0, limit))
                let name = try db.cachedStatement(sql: "SELECT name FROM entity_totals WHERE key = ? AND type = ?")
                let named = try ranked.map { e in
                    var e = e
                    e.name = try String.fetchOne(name, arguments: [e.key, e.type.rawValue]) ?? e.key
                    return e
                }
                pairs = counting.pairs(among: named)
            }
            return pairs.sorted(by: EntityPair.precedesInReports)
        }
    }

    public func entity(key: String, type: EntityType?, filter: ReportFilter) throws -> EntityPage? {
        try read("reading entity \(key)") { db -> EntityPage? in
            let candidates = [key, ArabicNormalizer.normalize(key)]
            var found: Row?
            for candidate in candidates where found == nil {
                found = try Row.fetchOne(db, sql: """
                    SELECT entity_id, key, type, name, articles, mentions, first_seen, last_seen FROM entity_totals
                    WHERE key = ? AND (? IS NULL OR type = ?) ORDER BY articles DESC, type LIMIT 1
                    """, arguments: [candidate, type?.rawValue, type?.rawValue])
            }
            if found == nil {
                found = try Row.fetchOne(db, sql: """
                    SELECT entity_id, key, type, name, articles, mentions, first_seen, last_seen FROM entity_totals
                    WHERE name = ? AND (? IS NULL OR type = ?) ORDER BY articles DESC, type LIMIT 1
                    """, arguments: [key, type?.rawValue, type?.rawValue])
            }
            guard let found else { return nil }
            var entity = Self.entityTotal(found)
            // A filtered page of an entity named by too many matching articles counts the newest of them.
            var window: CountedWindow?
            if !filter.isEmpty {
                var mentioning = filter
                mentioning.entity = entity.key
                window = try self.window(mentioning, parts: [.entityPage], in: db)
            }
            let page = window?.narrowing(filter) ?? filter
            let (conditions, arguments) = Self.conditions(page)
            // The entity's rows are keyed (entity_id, time_ms, article_id): a time filter is a range of them, and
            // the newest articles are the end of that range (the articles of one millisecond sorted by key there,
            // as the PostgreSQL store sorts them). `conditions` filters the articles by outlet and language.
            let entityID: Int64 = found["entity_id"]
            var match = "e.entity_id = ?"
            var entityArguments: StatementArguments = [entityID]
            if let since = page.since { match += " AND e.time_ms >= ?"; entityArguments += [StoredTime.milliseconds(since)] }
            if let until = page.until { match += " AND e.time_ms < ?"; entityArguments += [StoredTime.milliseconds(until)] }
            // A story is read from its articles first, each looked up in the entity's rows; otherwise the entity's
            // rows come first.
            let from = page.story != nil
                ? "articles a CROSS JOIN article_entities e ON e.article_id = a.article_id"
                : "article_entities e CROSS JOIN articles a ON a.article_id = e.article_id"
            let summaries = options.readsSummaries
            if !page.isEmpty {
                let row = try Row.fetchOne(db, sql: """
                    SELECT COUNT(*) AS articles, COALESCE(SUM(e.mentions), 0) AS mentions,
                        MIN(e.time_ms) AS first_seen, MAX(e.time_ms) AS last_seen
                    FROM \(from)
                    WHERE \(match) AND \(conditions)
                    """, arguments: entityArguments + arguments)
                entity.articles = row?["articles"] ?? 0
                entity.mentions = row?["mentions"] ?? 0
                entity.firstSeen = row?["first_seen"]
                entity.lastSeen = row?["last_seen"]
            }
            let articles = try Row.fetchAll(db, sql: """
                SELECT \(Self.articleColumns) FROM \(from)
                WHERE \(match) AND \(conditions) ORDER BY e.time_ms DESC, a.article_key DESC LIMIT ?
                """, arguments: entityArguments + arguments + [ReportQueryLimits.pageArticles])
            let listed = try Self.articleRows(articles, in: db)
            let timeline: [DayCount]
            if summaries, let f = SummaryFilter(page), f.isDaysOnly {
                let (days, values) = f.conditions(facets: false)
                timeline = try Row.fetchAll(db, sql: """
                    SELECT day, articles FROM entity_days
                    WHERE entity_id = (SELECT entity_id FROM entity_totals WHERE key = ? AND type = ?) AND \(days)
                    ORDER BY day
                    """, arguments: [entity.key, entity.type.rawValue] + StatementArguments(values)).map {
                    DayCount(day: $0["day"], articles: $0["articles"])
                }
            } else {
                timeline = try Row.fetchAll(db, sql: """
                    SELECT a.day AS day, COUNT(*) AS n FROM \(from)
                    WHERE \(match) AND \(conditions) GROUP BY a.day ORDER BY a.day
                    """, arguments: entityArguments + arguments).map { DayCount(day: $0["day"], articles: $0["n"]) }
            }
            let sources: [Tally]
            if summaries, page.isEmpty {
                sources = try Row.fetchAll(db, sql: """
                    SELECT v.value AS value, f.articles AS articles, f.tone_sum / f.articles AS mean_tone,
                        f.named_sources AS named_sources, f.anonymous_sources AS anonymous_sources, f.quotes AS quotes
                    FROM facets v CROSS JOIN entity_facets f
                        ON f.facet_id = v.facet_id
                        AND f.entity_id = (SELECT entity_id FROM entity_totals WHERE key = ? AND type = ?)
                    WHERE v.facet = 'source' ORDER BY f.articles DESC, v.value
                    """, arguments: [entity.key, entity.type.rawValue]).map(Self.tally)
            } else {
                sources = try Row.fetchAll(db, sql: """
                    SELECT a.source AS value, \(Self.tallyColumns)
                    FROM \(from)
                    WHERE \(match) AND \(conditions) GROUP BY a.source ORDER BY articles DESC, value
                    """, arguments: entityArguments + arguments).map(Self.tally)
            }
            var pairs: [EntityPair] = []
            let me = EntityRef(key: entity.key, name: entity.name, type: entity.type)
            if page.isEmpty {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT o.key AS key, o.type AS type, o.name AS name, p.articles AS n FROM entity_totals me
                    CROSS JOIN entity_pairs p ON p.a_id = me.entity_id CROSS JOIN entity_totals o ON o.entity_id = p.b_id
                    WHERE me.key = ?1 AND me.type = ?2
                    UNION ALL
                    SELECT o.key, o.type, o.name, p.articles FROM entity_totals me
                    CROSS JOIN entity_pairs p ON p.b_id = me.entity_id CROSS JOIN entity_totals o ON o.entity_id = p.a_id
                    WHERE me.key = ?1 AND me.type = ?2
                    ORDER BY n DESC, key, type LIMIT 20
                    """, arguments: [entity.key, entity.type.rawValue])
                for row in rows {
                    guard let t = EntityType(rawValue: row["type"]) else { continue }
                    pairs.append(EntityPair(a: me, b: EntityRef(key: row["key"], name: row["name"], type: t), articles: row["n"]))
                }
            } else {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT t.key, t.type, t.name, r.n FROM (
                        SELECT o.entity_id AS entity_id, COUNT(*) AS n
                        FROM \(from)
                        JOIN article_entities o ON o.article_id = e.article_id AND o.paired = 1 AND o.entity_id <> e.entity_id
                        WHERE \(match) AND e.paired = 1 AND \(conditions)
                        GROUP BY o.entity_id
                    ) r CROSS JOIN entity_totals t ON t.entity_id = r.entity_id
                    ORDER BY r.n DESC, t.key, t.type LIMIT 20
                    """, arguments: entityArguments + arguments)
                for row in rows {
                    guard let t = EntityType(rawValue: row["type"]) else { continue }
                    pairs.append(EntityPair(a: me, b: EntityRef(key: row["key"], name: row["name"], type: t), articles: row["n"]))
                }
            }
            return EntityPage(entity: entity, articles: listed, cooccurring: pairs, timeline: timeline, sources: sources, window: window)
        }
    }

    public func article(id: String) throws -> ArticlePage? {
        let found = try read("reading article \(id)") { db -> (Row, [ArticleVersion], StorySummary?)? in
            var keys = [id]
            if let url = ArticleIdentity.normalizedURL(id) { keys.append("url:" + url) }
            keys.append("id:" + id)
            var row = try Row.fetchOne(db, sql: """
                SELECT \(Self.articleColumns), a.article_id, a.seen, a.first_seen, a.last_seen FROM articles a
                WHERE a.input_id = ? AND a.input_id <> '' ORDER BY a.last_seen DESC LIMIT 1
                """, arguments: [id])
            for key in keys where row == nil {
                row = try Row.fetchOne(db, sql: """
                    SELECT \(Self.articleColumns), a.article_id, a.seen, a.first_seen, a.last_seen FROM articles a
                    WHERE a.article_key = ?
                    """, arguments: [key])
            }
            guard let row else { return nil }
            let versions = try Row.fetchAll(db, sql: """
                SELECT version, job_id, stored_at FROM article_versions WHERE article_id = ? ORDER BY version
                """, arguments: [row["article_id"] as Int64]).map {
                ArticleVersion(version: $0["version"], jobID: $0["job_id"], storedAt: $0["stored_at"])
            }
            var story: StorySummary?
            if let storyID: Int64 = row["story_id"] { story = try Self.storySummary(storyID, in: db) }
            return (row, versions, story)
        }
        guard let (row, versions, story) = found else { return nil }
        let jobID: String = row["job_id"]
        guard let result = try result(jobID: jobID), let stored = result.storedAnalysis else {
            throw ReportStoreError.corruptRow(path: path, jobID: jobID, reason: "the article's latest result is missing")
        }
        let analysis: Analysis
        do {
            analysis = try stored.decoded()
        } catch {
            throw ReportStoreError.corruptRow(path: path, jobID: jobID, reason: "the stored analysis does not decode: \(error)")
        }
        return ArticlePage(
            article: Self.articleRow(row, title: row["title"] ?? result.article.title, url: result.article.url),
            seen: row["seen"], versions: versions, firstSeen: row["first_seen"],
            lastSeen: row["last_seen"], story: story, metadata: result.article, analysis: analysis)
    }

    public func stories(_ filter: ReportFilter, limit: Int) throws -> [StorySummary] {
        guard limit >= 0 else { throw ReportStoreError.invalidArgument("limit must not be negative, got \(limit)") }
        return try read("listing stories") { db in
            if filter.isEmpty {
                return try Row.fetchAll(db, sql: """
                    SELECT s.story_id, s.label, s.articles, s.first_ms, s.last_ms,
                        (SELECT COUNT(DISTINCT source) FROM articles WHERE story_id = s.story_id) AS outlets
                    FROM stories s ORDER BY s.articles DESC, s.last_ms DESC, s.story_id LIMIT ?
                    """, arguments: [limit]).map(Self.storySummary)
            }
            let (conditions, arguments) = Self.conditions(try bounded(filter, .stories, in: db))
            return try Row.fetchAll(db, sql: """
                SELECT s.story_id, s.label, m.articles, m.first_ms, m.last_ms, m.outlets
                FROM (SELECT a.story_id, COUNT(*) AS articles, MIN(a.time_ms) AS first_ms, MAX(a.time_ms) AS last_ms,
                        COUNT(DISTINCT a.source) AS outlets
                      FROM articles a WHERE \(conditions) AND a.story_id IS NOT NULL GROUP BY a.story_id) m
                JOIN stories s ON s.story_id = m.story_id
                ORDER BY m.articles DESC, m.last_ms DESC, s.story_id LIMIT ?
                """, arguments: arguments + [limit]).map(Self.storySummary)
        }
    }

    public func story(id: Int64) throws -> StoryPage? {
        try read("reading story \(id)") { db -> StoryPage? in
            guard let summary = try Self.storySummary(id, in: db) else { return nil }
            let articles = try Row.fetchAll(db, sql: """
                SELECT \(Self.articleColumns) FROM articles a WHERE a.story_id = ? ORDER BY a.time_ms, a.article_key LIMIT 500
                """, arguments: [id])
            let listed = try Self.articleRows(articles, in: db)
            let outlets = try Row.fetchAll(db, sql: """
                SELECT a.source AS value, \(Self.tallyColumns) FROM articles a WHERE a.story_id = ?
                GROUP BY a.source ORDER BY articles DESC, value
                """, arguments: [id]).map(Self.tally)
            let terms = try Row.fetchAll(db, sql: """
                SELECT c.term AS term, COALESCE(c.name, c.term) AS name, s.articles AS articles
                FROM story_terms s CROSS JOIN term_counts c ON c.term_id = s.term_id
                WHERE s.story_id = ? ORDER BY s.articles DESC, c.term LIMIT 20
                """, arguments: [id]).map { StoryTermCount(term: $0["term"], name: $0["name"], articles: $0["articles"]) }
            return StoryPage(story: summary, articles: listed, outlets: outlets, terms: terms)
        }
    }

    public func counts(_ dimension: TallyDimension, filter: ReportFilter) throws -> [Tally] {
        try read("counting by \(dimension.rawValue)") { db in
            let order = dimension == .day ? "value" : "articles DESC, value"
            if filter.isEmpty {
                return try Row.fetchAll(db, sql: """
                    SELECT value, articles, tone_sum / articles AS mean_tone, named_sources, anonymous_sources, quotes
                    FROM tallies WHERE dimension = ? ORDER BY \(order)
                    """, arguments: [dimension.rawValue]).map(Self.tally)
            }
            if let f = summaryFilter(filter), let tallies = try Self.counts(dimension, f, in: db) { return tallies }
            let (conditions, arguments) = Self.conditions(try bounded(filter, dimension.windowPart, in: db))
            let sql: String
            switch dimension {
            case .topic:
                sql = """
                    SELECT t.topic AS value, \(Self.tallyColumns) FROM articles a
                    CROSS JOIN article_topics t ON t.article_id = a.article_id
                    WHERE \(conditions) GROUP BY t.topic ORDER BY \(order)
                    """
            case .source, .day, .language:
                sql = """
                    SELECT a.\(dimension.rawValue) AS value, \(Self.tallyColumns) FROM articles a
                    WHERE \(conditions) GROUP BY a.\(dimension.rawValue) ORDER BY \(order)
                    """
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.tally)
        }
    }

    public func speakers(_ filter: ReportFilter, limit: Int) throws -> [SpeakerTotal] {
        guard limit >= 0 else { throw ReportStoreError.invalidArgument("limit must not be negative, got \(limit)") }
        return try read("ranking speakers") { db in
            let rows: [Row]
            if filter.isEmpty {
                rows = try Row.fetchAll(db, sql: """
                    SELECT speaker, name, quotes, articles FROM speaker_totals
                    ORDER BY quotes DESC, articles DESC, speaker LIMIT ?
                    """, arguments: [limit])
            } else {
                if let f = summaryFilter(filter), let found = try Self.speakers(f, limit: limit, in: db) { return found }
                let (conditions, arguments) = Self.conditions(try bounded(filter, .speakers, in: db))
                rows = try Row.fetchAll(db, sql: """
                    SELECT t.speaker, t.name, r.quotes, r.articles
                    FROM (
                        SELECT s.speaker_id, SUM(s.quotes) AS quotes, COUNT(*) AS articles
                        FROM articles a CROSS JOIN article_speakers s ON s.article_id = a.article_id
                        WHERE \(conditions) GROUP BY s.speaker_id
                    ) r
                    CROSS JOIN speaker_totals t ON t.speaker_id = r.speaker_id
                    ORDER BY r.quotes DESC, r.articles DESC, t.speaker LIMIT ?
                    """, arguments: arguments + [limit])
            }
            return rows.map { SpeakerTotal(speaker: $0["speaker"], name: $0["name"], quotes: $0["quotes"], articles: $0["articles"]) }
        }
    }

    public func sourcing(_ filter: ReportFilter) throws -> [OutletSourcing] {
        try counts(.source, filter: filter).map {
            OutletSourcing(source: $0.value, articles: $0.articles, named: $0.namedSources, anonymous: $0.anonymousSources)
        }
    }

    // MARK: - SQL pieces

    /// The filter as conditions on `articles a`, and their arguments.
    static func conditions(_ filter: ReportFilter) -> (String, StatementArguments) {
        var parts = ["1 = 1"]
        var arguments: [(any DatabaseValueConvertible)?] = []
        // With an entity the entity's rows come first (they carry its time bounds): `+` keeps SQLite from starting
        // at an outlet's, a language's or a time range's articles instead.
        let column = filter.entity == nil ? "a." : "+a."
        if let since = filter.since { parts.append("\(column)time_ms >= ?"); arguments.append(StoredTime.milliseconds(since)) }
        if let until = filter.until { parts.append("\(column)time_ms < ?"); arguments.append(StoredTime.milliseconds(until)) }
        if let source = filter.source { parts.append("\(column)source = ?"); arguments.append(source) }
        if let language = filter.language { parts.append("\(column)language = ?"); arguments.append(language) }
        if let story = filter.story { parts.append("a.story_id = ?"); arguments.append(story) }
        if let entity = filter.entity {
            // Driven from the entity's rows (primary key (entity_id, time_ms, article_id)), not from every article:
            // the time bounds narrow the range of each of the entity's numbers.
            var inner = "fe.entity_id IN (SELECT entity_id FROM entity_totals WHERE key IN (?, ?))"
            arguments += [entity, ArabicNormalizer.normalize(entity)]
            if let since = filter.since { inner += " AND fe.time_ms >= ?"; arguments.append(StoredTime.milliseconds(since)) }
            if let until = filter.until { inner += " AND fe.time_ms < ?"; arguments.append(StoredTime.milliseconds(until)) }
            parts.append("a.article_id IN (SELECT fe.article_id FROM article_entities fe WHERE \(inner))")
        }
        if let topic = filter.topic {
            // From a start time on, the articles in range are fewer than the topic's: each is looked up in the
            // topic's rows. Without one, the topic's rows are the list to start from.
            if filter.since != nil {
                parts.append("EXISTS (SELECT 1 FROM article_topics ft WHERE ft.topic = ? AND ft.article_id = a.article_id)")
            } else {
                parts.append("a.article_id IN (SELECT ft.article_id FROM article_topics ft WHERE ft.topic = ?)")
            }
            arguments.append(topic)
        }
        return (parts.joined(separator: " AND "), StatementArguments(arguments))
    }

    /// What a listed article is read with; its URL and (unless the row keeps one) its title are its latest result's
    /// (`articleRows`).
    static let articleColumns = "a.article_key, a.input_id, a.job_id, a.title, a.source, a.language, a.day, a.time_ms, a.tone, a.story_id"

    /// Listed articles, each with the title and URL of its latest result, read with one statement for all.
    static func articleRows(_ rows: [Row], in db: Database) throws -> [ArticleRow] {
        let jobs = rows.map { $0["job_id"] as String }
        var found: [String: (title: String?, url: String?)] = [:]
        if !jobs.isEmpty {
            let results = try Row.fetchCursor(db, sql: """
                SELECT job_id, title, url FROM results WHERE job_id IN (\(databaseQuestionMarks(count: jobs.count)))
                """, arguments: StatementArguments(jobs))
            while let result = try results.next() { found[result[0]] = (result[1], result[2]) }
        }
        return rows.map { row in
            let result = found[row["job_id"] as String]
            return articleRow(row, title: row["title"] ?? result?.title, url: result?.url)
        }
    }
    static let tallyColumns = """
        COUNT(*) AS articles, AVG(a.tone) AS mean_tone, SUM(a.named_sources) AS named_sources,
        SUM(a.anonymous_sources) AS anonymous_sources, SUM(a.quotes) AS quotes
        """

    static func articleRow(_ row: Row, title: String?, url: String?) -> ArticleRow {
        ArticleRow(
            key: row["article_key"], id: InputIDsOnceSchema.inputID(stored: row["input_id"], key: row["article_key"]),
            title: title, url: url, source: row["source"],
            language: row["language"], day: row["day"], time: row["time_ms"], tone: row["tone"], storyID: row["story_id"])
    }

    static func tally(_ row: Row) -> Tally {
        Tally(value: row["value"], articles: row["articles"], meanTone: row["mean_tone"] ?? 0,
              namedSources: row["named_sources"] ?? 0, anonymousSources: row["anonymous_sources"] ?? 0,
              quotes: row["quotes"] ?? 0)
    }

    static func entityTotal(_ row: Row) -> EntityTotal {
        EntityTotal(
            key: row["key"], name: row["name"], type: EntityType(rawValue: row["type"]) ?? .miscellaneous,
            articles: row["articles"], mentions: row["mentions"], firstSeen: row["first_seen"], lastSeen: row["last_seen"])
    }

    static func ref(_ entity: EntityTotal) -> EntityRef { EntityRef(key: entity.key, name: entity.name, type: entity.type) }

    static func storySummary(_ row: Row) -> StorySummary {
        StorySummary(
            id: row["story_id"], label: row["label"], articles: row["articles"], outlets: row["outlets"],
            firstDay: PublishedTime.day(milliseconds: row["first_ms"]), lastDay: PublishedTime.day(milliseconds: row["last_ms"]))
    }

    static func storySummary(_ id: Int64, in db: Database) throws -> StorySummary? {
        try Row.fetchOne(db, sql: """
            SELECT s.story_id, s.label, s.articles, s.first_ms, s.last_ms,
                (SELECT COUNT(DISTINCT source) FROM articles WHERE story_id = s.story_id) AS outlets
            FROM stories s WHERE s.story_id = ?
            """, arguments: [id]).map(storySummary)
    }

    private func read<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        try perform(operation) { try pool.read(body) }
    }
}
