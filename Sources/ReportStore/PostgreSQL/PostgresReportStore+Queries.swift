import ArticleAnalysis
import Foundation
import PostgresNIO

// MARK: - Report queries
//
// The same queries as `SQLiteReportStore+Queries`, in PostgreSQL's dialect: without a filter each reads the
// aggregate tables through their ordered indexes; with one it counts the matching articles.

extension PostgresReportStore {
    public func summary(_ filter: ReportFilter) throws -> ReportSummary {
        let summaries = summaryFilter(filter), windowLimit = options.windowLimit
        return try read("summarising") { db in
            if filter.isEmpty {
                var summary = ReportSummary()
                for row in try await db.rows("""
                    SELECT dimension, COUNT(*) AS n, SUM(articles)::bigint AS articles, MIN(value) AS first, MAX(value) AS last
                    FROM tallies WHERE dimension IN ('language', 'source', 'day') GROUP BY dimension
                    """) {
                    switch try row.value("dimension", as: String.self) {
                    case "language": summary.articles = try row.value("articles")
                    case "source": summary.sources = try row.value("n")
                    default:
                        summary.firstDay = try row.value("first")
                        summary.lastDay = try row.value("last")
                    }
                }
                for row in try await db.rows("SELECT status, results AS n FROM result_counts") {
                    let n: Int = try row.value("n")
                    summary.results += n
                    if try row.value("status", as: String.self) == "failed" { summary.failedResults = n }
                }
                summary.stories = try await db.row("SELECT COUNT(*) AS n FROM stories")?.value("n") ?? 0
                if let history = try await db.row("""
                    SELECT COALESCE(SUM(results - versions), 0)::bigint AS repeats, COALESCE(SUM(revised), 0)::bigint AS revised
                    FROM day_cells WHERE topic = ''
                    """) {
                    summary.repeats = try history.value("repeats")
                    summary.revisedArticles = try history.value("revised")
                }
                return summary
            }
            if let f = summaries {
                // Stories are counted from the articles, over the window when too many match.
                return try await Self.summary(f, filter: try await Self.bounded(filter, .storyCount, limit: windowLimit, on: db), on: db)
            }
            var s = PostgresStatement()
            let conditions = Self.conditions(try await Self.bounded(filter, .summary, limit: windowLimit, on: db), &s)
            s.text = """
                SELECT COUNT(*) AS articles, COALESCE(SUM(seen), 0)::bigint AS results,
                    COALESCE(SUM(seen - version), 0)::bigint AS repeats, COUNT(*) FILTER (WHERE version > 1) AS revised,
                    COUNT(DISTINCT source) AS sources, COUNT(DISTINCT story_id) AS stories, MIN(day) AS first, MAX(day) AS last
                FROM articles a WHERE \(conditions)
                """
            guard let row = try await db.row(s.query) else { return ReportSummary() }
            return ReportSummary(
                articles: try row.value("articles"), results: try row.value("results"), failedResults: 0,
                repeats: try row.value("repeats"), revisedArticles: try row.value("revised"),
                sources: try row.value("sources"), stories: try row.value("stories"),
                firstDay: try row.value("first"), lastDay: try row.value("last"))
        }
    }

    public func topEntities(_ filter: ReportFilter, limit: Int, type: EntityType?) throws -> [EntityTotal] {
        guard limit >= 0 else { throw ReportStoreError.invalidArgument("limit must not be negative, got \(limit)") }
        let summaries = summaryFilter(filter), windowLimit = options.windowLimit
        return try read("ranking entities") { db in
            if let f = summaries, let found = try await Self.topEntities(f, limit: limit, type: type, on: db) { return found }
            let narrowed = filter.isEmpty ? filter : try await Self.bounded(filter, .topEntities, limit: windowLimit, on: db)
            return try await Self.topEntities(narrowed, limit: limit, type: type, on: db)
        }
    }

    /// From the store-wide totals without a filter, else counted from the articles `filter` matches.
    static func topEntities(_ filter: ReportFilter, limit: Int, type: EntityType?, on db: PostgresConnection) async throws -> [EntityTotal] {
        var s = PostgresStatement()
        let typeCondition = type.map { "type = \(s.bind($0.rawValue))" } ?? "TRUE"
        if filter.isEmpty {
            s.text = """
                SELECT key, type, name, articles, mentions, first_seen, last_seen FROM entity_totals
                WHERE \(typeCondition) ORDER BY mentions DESC, articles DESC, key, type LIMIT \(s.bind(limit))
                """
            return try await db.rows(s.query).map(entityTotal)
        }
        let conditions = Self.conditions(filter, &s)
        let entityType = type.map { "e.type = \(s.bind($0.rawValue))" } ?? "TRUE"
        s.text = """
            SELECT r.key, r.type, COALESCE(t.name, r.key) AS name, r.articles, r.mentions,
                NULL::bigint AS first_seen, NULL::bigint AS last_seen
            FROM (
                SELECT e.key, e.type, COUNT(*) AS articles, SUM(e.mentions)::bigint AS mentions
                FROM articles a JOIN article_entities e ON e.article_key = a.article_key
                WHERE \(conditions) AND \(entityType)
                GROUP BY e.key, e.type
                ORDER BY mentions DESC, articles DESC, e.key, e.type LIMIT \(s.bind(limit))
            ) r LEFT JOIN entity_totals t ON t.key = r.key AND t.type = r.type
            ORDER BY r.mentions DESC, r.articles DESC, r.key, r.type
            """
        return try await db.rows(s.query).map(entityTotal)
    }

    public func cooccurrence(_ filter: ReportFilter, limit: Int) throws -> [EntityPair] {
        // As on SQLite: under a filter, counted over its window when too many articles match, top entities included.
        let windowLimit = options.windowLimit
        let narrowed = try filter.isEmpty ? filter : read("bounding the report") { db in
            try await Self.bounded(filter, .cooccurrence, limit: windowLimit, on: db)
        }
        let top = filter.isEmpty ? try topEntities(filter, limit: max(0, limit), type: nil) : []
        guard !filter.isEmpty || top.count > 1 else { return [] }
        return try read("pairing entities") { db in
            var pairs: [EntityPair] = []
            let byID = Dictionary(top.map { ($0.type.rawValue + "\u{1F}" + $0.key, $0) }, uniquingKeysWith: { a, _ in a })
            var s = PostgresStatement()
            if filter.isEmpty {
                let ordered = top.sorted { ($0.type.rawValue, $0.key) < ($1.type.rawValue, $1.key) }
                var ak: [String] = [], at: [String] = [], bk: [String] = [], bt: [String] = []
                for i in ordered.indices {
                    for j in ordered.indices where j > i {
                        ak.append(ordered[i].key); at.append(ordered[i].type.rawValue)
                        bk.append(ordered[j].key); bt.append(ordered[j].type.rawValue)
                    }
                }
                s.text = """
                    SELECT p.a_key, p.a_type, p.b_key, p.b_type, p.articles AS n
                    FROM unnest(\(s.bind(ak))::text[], \(s.bind(at))::text[], \(s.bind(bk))::text[], \(s.bind(bt))::text[]) AS x(ak, at, bk, bt)
                    JOIN entity_pairs p ON p.a_key = x.ak AND p.a_type = x.at AND p.b_key = x.bk AND p.b_type = x.bt
                    WHERE p.articles > 0
                    """
                for row in try await db.rows(s.query) {
                    guard let a = byID[try row.value("a_type", as: String.self) + "\u{1F}" + row.value("a_key", as: String.self)],
                          let b = byID[try row.value("b_type", as: String.self) + "\u{1F}" + row.value("b_key", as: String.self)] else { continue }
                    pairs.append(EntityPair(a: Self.ref(a), b: Self.ref(b), articles: try row.value("n")))
                }
            } else {
                // As on SQLite: the matching articles (at most a window's) each with its entity rows, read once:
                // the top entities and their pairs are counted here.
                let conditions = Self.conditions(narrowed, &s)
                s.text = """
                    SELECT e.article_key, e.key, e.type, e.mentions, e.paired FROM articles a
                    JOIN article_entities e ON e.article_key = a.article_key
                    WHERE \(conditions)
                    """
                var counting = EntityRowCounting()
                for row in try await db.rows(s.query) {
                    counting.add(article: try row.value("article_key"), entity: try row.value("key"), type: try row.value("type"),
                                 mentions: try row.value("mentions", as: Int.self), paired: try row.value("paired", as: Int32.self) != 0)
                }
                var ranked = counting.top(max(0, limit))
                if !ranked.isEmpty {
                    var names: [String: String] = [:]
                    for row in try await db.rows("""
                        SELECT t.key, t.type, t.name FROM unnest(\(ranked.map(\.key))::text[], \(ranked.map(\.type.rawValue))::text[]) AS x(k, t)
                        JOIN entity_totals t ON t.key = x.k AND t.type = x.t
                        """) {
                        names[try row.value("type", as: String.self) + "\u{1F}" + row.value("key", as: String.self)] = try row.value("name")
                    }
                    ranked = ranked.map { var e = $0; e.name = names[e.type.rawValue + "\u{1F}" + e.key] ?? e.key; return e }
                }
                pairs = counting.pairs(among: ranked)
            }
            return pairs.sorted(by: EntityPair.precedesInReports)
        }
    }

    public func entity(key: String, type: EntityType?, filter: ReportFilter) throws -> EntityPage? {
        let summaries = options.readsSummaries, windowLimit = options.windowLimit
        return try read("reading entity \(key)") { db -> EntityPage? in
            let typeName = type?.rawValue
            var found: PostgresRandomAccessRow?
            for candidate in [key, ArabicNormalizer.normalize(key)] where found == nil {
                found = try await db.row("""
                    SELECT key, type, name, articles, mentions, first_seen, last_seen FROM entity_totals
                    WHERE key = \(candidate) AND (\(typeName)::text IS NULL OR type = \(typeName)) ORDER BY articles DESC, type LIMIT 1
                    """)
            }
            if found == nil {
                found = try await db.row("""
                    SELECT key, type, name, articles, mentions, first_seen, last_seen FROM entity_totals
                    WHERE name = \(key) AND (\(typeName)::text IS NULL OR type = \(typeName)) ORDER BY articles DESC, type LIMIT 1
                    """)
            }
            guard let found else { return nil }
            var entity = try Self.entityTotal(found)
            // A filtered page of an entity named by too many matching articles counts the newest of them.
            var window: CountedWindow?
            if !filter.isEmpty {
                var mentioning = filter
                mentioning.entity = entity.key
                window = try await Self.window(mentioning, parts: [.entityPage], limit: windowLimit, on: db)
            }
            let page = window?.narrowing(filter) ?? filter
            let entityKey = entity.key, entityType = entity.type.rawValue
            func statement() -> (PostgresStatement, String) {
                var s = PostgresStatement()
                // The entity's rows are keyed (key, type, time_ms, article_key): a time filter is a range of them.
                var match = "e.key = \(s.bind(entityKey)) AND e.type = \(s.bind(entityType))"
                if let since = page.since { match += " AND e.time_ms >= \(s.bind(StoredTime.milliseconds(since)))" }
                if let until = page.until { match += " AND e.time_ms < \(s.bind(StoredTime.milliseconds(until)))" }
                if let source = page.source { match += " AND e.source = \(s.bind(source))" }
                if let language = page.language { match += " AND e.language = \(s.bind(language))" }
                let conditions = Self.conditions(page, &s)
                return (s, match + " AND " + conditions)
            }
            // Every query below binds the same values in the same order, so one statement is their template.
            let (template, wherePart) = statement()
            let from = "article_entities e JOIN articles a ON a.article_key = e.article_key"
            if !page.isEmpty {
                var s = template
                s.text = """
                    SELECT COUNT(*) AS articles, COALESCE(SUM(e.mentions), 0)::bigint AS mentions,
                        MIN(e.time_ms) AS first_seen, MAX(e.time_ms) AS last_seen
                    FROM \(from) WHERE \(wherePart)
                    """
                let row = try await db.row(s.query)
                entity.articles = try row?.value("articles") ?? 0
                entity.mentions = try row?.value("mentions") ?? 0
                entity.firstSeen = try row?.value("first_seen")
                entity.lastSeen = try row?.value("last_seen")
            }
            var s1 = template
            s1.text = """
                SELECT \(Self.articleColumns) FROM \(from) WHERE \(wherePart)
                ORDER BY e.time_ms DESC, e.article_key DESC LIMIT \(ReportQueryLimits.pageArticles)
                """
            let articles = try await db.rows(s1.query).map(Self.articleRow)
            let timeline: [DayCount]
            if summaries, let f = SummaryFilter(page), f.isDaysOnly {
                var s = PostgresStatement()
                let key = s.bind(entityKey), type = s.bind(entityType)
                s.text = """
                    SELECT day, articles FROM entity_days WHERE key = \(key) AND type = \(type)
                        AND \(Self.conditions(f, facets: false, &s)) ORDER BY day
                    """
                timeline = try await db.rows(s.query).map { DayCount(day: try $0.value("day"), articles: try $0.value("articles")) }
            } else {
                var s2 = template
                s2.text = "SELECT e.day AS day, COUNT(*) AS n FROM \(from) WHERE \(wherePart) GROUP BY e.day ORDER BY e.day"
                timeline = try await db.rows(s2.query).map { DayCount(day: try $0.value("day"), articles: try $0.value("n")) }
            }
            let sources: [Tally]
            if summaries, page.isEmpty {
                sources = try await db.rows("""
                    SELECT f.value AS value, f.articles AS articles, f.tone_sum / f.articles AS mean_tone,
                        f.named_sources AS named_sources, f.anonymous_sources AS anonymous_sources, f.quotes AS quotes
                    FROM entity_facets f
                    WHERE f.facet = 'source' AND f.key = \(entityKey) AND f.type = \(entityType)
                    ORDER BY f.articles DESC, f.value
                    """).map(Self.tally)
            } else {
                var s3 = template
                s3.text = """
                    SELECT a.source AS value, \(Self.tallyColumns) FROM \(from) WHERE \(wherePart)
                    GROUP BY a.source ORDER BY articles DESC, value
                    """
                sources = try await db.rows(s3.query).map(Self.tally)
            }
            var pairs: [EntityPair] = []
            let me = EntityRef(key: entity.key, name: entity.name, type: entity.type)
            if page.isEmpty {
                let rows = try await db.rows("""
                    SELECT o.key, o.type, COALESCE(t.name, o.key) AS name, o.n FROM (
                        SELECT p.b_key AS key, p.b_type AS type, p.articles AS n FROM entity_pairs p
                        WHERE p.a_key = \(entity.key) AND p.a_type = \(entity.type.rawValue)
                        UNION ALL
                        SELECT p.a_key, p.a_type, p.articles FROM entity_pairs p
                        WHERE p.b_key = \(entity.key) AND p.b_type = \(entity.type.rawValue)
                        ORDER BY n DESC, key, type LIMIT 20) o
                    LEFT JOIN entity_totals t ON t.key = o.key AND t.type = o.type
                    ORDER BY o.n DESC, o.key, o.type
                    """)
                for row in rows {
                    guard let t = EntityType(rawValue: try row.value("type")) else { continue }
                    pairs.append(EntityPair(a: me, b: EntityRef(key: try row.value("key"), name: try row.value("name"), type: t),
                                            articles: try row.value("n")))
                }
            } else {
                var s4 = template
                s4.text = """
                    SELECT r.key, r.type, COALESCE(t.name, r.key) AS name, r.n FROM (
                        SELECT o.key AS key, o.type AS type, COUNT(*) AS n
                        FROM \(from)
                        JOIN article_entities o ON o.article_key = e.article_key AND o.paired = 1 AND NOT (o.key = e.key AND o.type = e.type)
                        WHERE \(wherePart) AND e.paired = 1
                        GROUP BY o.key, o.type ORDER BY n DESC, o.key, o.type LIMIT 20
                    ) r LEFT JOIN entity_totals t ON t.key = r.key AND t.type = r.type
                    ORDER BY r.n DESC, r.key, r.type
                    """
                for row in try await db.rows(s4.query) {
                    guard let t = EntityType(rawValue: try row.value("type")) else { continue }
                    pairs.append(EntityPair(a: me, b: EntityRef(key: try row.value("key"), name: try row.value("name"), type: t),
                                            articles: try row.value("n")))
                }
            }
            return EntityPage(entity: entity, articles: articles, cooccurring: pairs, timeline: timeline, sources: sources, window: window)
        }
    }

    public func article(id: String) throws -> ArticlePage? {
        let found = try read("reading article \(id)") { db -> (ArticleRow, Int, Int64, Int64, String, [ArticleVersion], StorySummary?)? in
            var keys = [id]
            if let url = ArticleIdentity.normalizedURL(id) { keys.append("url:" + url) }
            keys.append("id:" + id)
            var row = try await db.row(PostgresQuery(unsafeSQL: """
                SELECT \(Self.articleColumns), a.seen, a.first_seen, a.last_seen, a.job_id FROM articles a
                WHERE a.input_id = $1 ORDER BY a.last_seen DESC LIMIT 1
                """, binds: Self.binds(id)))
            for key in keys where row == nil {
                row = try await db.row(PostgresQuery(unsafeSQL: """
                    SELECT \(Self.articleColumns), a.seen, a.first_seen, a.last_seen, a.job_id FROM articles a
                    WHERE a.article_key = $1
                    """, binds: Self.binds(key)))
            }
            guard let row else { return nil }
            let article = try Self.articleRow(row)
            let versions = try await db.rows("""
                SELECT version, job_id, stored_at FROM article_versions WHERE article_key = \(article.key) ORDER BY version
                """).map { ArticleVersion(version: try $0.value("version"), jobID: try $0.value("job_id"), storedAt: try $0.value("stored_at")) }
            var story: StorySummary?
            if let storyID = article.storyID { story = try await Self.storySummary(storyID, on: db) }
            return (article, try row.value("seen"), try row.value("first_seen"), try row.value("last_seen"),
                    try row.value("job_id"), versions, story)
        }
        guard let (article, seen, firstSeen, lastSeen, jobID, versions, story) = found else { return nil }
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
            article: article, seen: seen, versions: versions, firstSeen: firstSeen, lastSeen: lastSeen, story: story,
            metadata: result.article, analysis: analysis)
    }

    public func stories(_ filter: ReportFilter, limit: Int) throws -> [StorySummary] {
        guard limit >= 0 else { throw ReportStoreError.invalidArgument("limit must not be negative, got \(limit)") }
        let windowLimit = options.windowLimit
        return try read("listing stories") { db in
            if filter.isEmpty {
                return try await db.rows("""
                    SELECT s.story_id, s.label, s.articles, s.first_ms, s.last_ms,
                        (SELECT COUNT(DISTINCT source) FROM articles WHERE story_id = s.story_id) AS outlets
                    FROM stories s ORDER BY s.articles DESC, s.last_ms DESC, s.story_id LIMIT \(limit)
                    """).map(Self.storySummary)
            }
            var s = PostgresStatement()
            let conditions = Self.conditions(try await Self.bounded(filter, .stories, limit: windowLimit, on: db), &s)
            s.text = """
                SELECT s.story_id, s.label, m.articles, m.first_ms, m.last_ms, m.outlets
                FROM (SELECT a.story_id, COUNT(*) AS articles, MIN(a.time_ms) AS first_ms, MAX(a.time_ms) AS last_ms,
                        COUNT(DISTINCT a.source) AS outlets
                      FROM articles a WHERE \(conditions) AND a.story_id IS NOT NULL GROUP BY a.story_id) m
                JOIN stories s ON s.story_id = m.story_id
                ORDER BY m.articles DESC, m.last_ms DESC, s.story_id LIMIT \(s.bind(limit))
                """
            return try await db.rows(s.query).map(Self.storySummary)
        }
    }

    public func story(id: Int64) throws -> StoryPage? {
        try read("reading story \(id)") { db -> StoryPage? in
            guard let summary = try await Self.storySummary(id, on: db) else { return nil }
            let articles = try await db.rows(PostgresQuery(unsafeSQL: """
                SELECT \(Self.articleColumns) FROM articles a WHERE a.story_id = $1 ORDER BY a.time_ms, a.article_key LIMIT 500
                """, binds: Self.binds(id))).map(Self.articleRow)
            let outlets = try await db.rows(PostgresQuery(unsafeSQL: """
                SELECT a.source AS value, \(Self.tallyColumns) FROM articles a WHERE a.story_id = $1
                GROUP BY a.source ORDER BY articles DESC, value
                """, binds: Self.binds(id))).map(Self.tally)
            let terms = try await db.rows("""
                SELECT term, name, articles FROM story_terms WHERE story_id = \(id) ORDER BY articles DESC, term LIMIT 20
                """).map { StoryTermCount(term: try $0.value("term"), name: try $0.value("name"), articles: try $0.value("articles")) }
            return StoryPage(story: summary, articles: articles, outlets: outlets, terms: terms)
        }
    }

    public func counts(_ dimension: TallyDimension, filter: ReportFilter) throws -> [Tally] {
        let summaries = summaryFilter(filter), windowLimit = options.windowLimit
        return try read("counting by \(dimension.rawValue)") { db in
            let order = dimension == .day ? "value" : "articles DESC, value"
            if filter.isEmpty {
                return try await db.rows(PostgresQuery(unsafeSQL: """
                    SELECT value, articles, tone_sum / articles AS mean_tone, named_sources, anonymous_sources, quotes
                    FROM tallies WHERE dimension = $1 ORDER BY \(order)
                    """, binds: Self.binds(dimension.rawValue))).map(Self.tally)
            }
            if let f = summaries, let tallies = try await Self.counts(dimension, f, on: db) { return tallies }
            var s = PostgresStatement()
            let conditions = Self.conditions(try await Self.bounded(filter, dimension.windowPart, limit: windowLimit, on: db), &s)
            switch dimension {
            case .topic:
                s.text = """
                    SELECT t.topic AS value, \(Self.tallyColumns) FROM \(Self.matching(conditions))
                    JOIN article_topics t ON t.article_key = a.article_key
                    GROUP BY t.topic ORDER BY \(order)
                    """
            case .source, .day, .language:
                s.text = """
                    SELECT a.\(dimension.rawValue) AS value, \(Self.tallyColumns) FROM articles a
                    WHERE \(conditions) GROUP BY a.\(dimension.rawValue) ORDER BY \(order)
                    """
            }
            return try await db.rows(s.query).map(Self.tally)
        }
    }

    public func speakers(_ filter: ReportFilter, limit: Int) throws -> [SpeakerTotal] {
        guard limit >= 0 else { throw ReportStoreError.invalidArgument("limit must not be negative, got \(limit)") }
        let summaries = summaryFilter(filter), windowLimit = options.windowLimit
        return try read("ranking speakers") { db in
            var s = PostgresStatement()
            if filter.isEmpty {
                s.text = """
                    SELECT speaker, name, quotes, articles FROM speaker_totals
                    ORDER BY quotes DESC, articles DESC, speaker LIMIT \(s.bind(limit))
                    """
            } else {
                if let f = summaries, let found = try await Self.speakers(f, limit: limit, on: db) { return found }
                let conditions = Self.conditions(try await Self.bounded(filter, .speakers, limit: windowLimit, on: db), &s)
                s.text = """
                    SELECT r.speaker, COALESCE(t.name, r.speaker) AS name, r.quotes, r.articles
                    FROM (
                        SELECT s.speaker, SUM(s.quotes)::bigint AS quotes, COUNT(*) AS articles
                        FROM \(Self.matching(conditions)) JOIN article_speakers s ON s.article_key = a.article_key
                        GROUP BY s.speaker ORDER BY quotes DESC, articles DESC, s.speaker LIMIT \(s.bind(limit))
                    ) r LEFT JOIN speaker_totals t ON t.speaker = r.speaker
                    ORDER BY r.quotes DESC, r.articles DESC, r.speaker
                    """
            }
            return try await db.rows(s.query).map {
                SpeakerTotal(speaker: try $0.value("speaker"), name: try $0.value("name"), quotes: try $0.value("quotes"),
                             articles: try $0.value("articles"))
            }
        }
    }

    public func sourcing(_ filter: ReportFilter) throws -> [OutletSourcing] {
        try counts(.source, filter: filter).map {
            OutletSourcing(source: $0.value, articles: $0.articles, named: $0.namedSources, anonymous: $0.anonymousSources)
        }
    }

    // MARK: - SQL pieces

    /// The filter as conditions on `articles a`, its values bound in `s`.
    static func conditions(_ filter: ReportFilter, _ s: inout PostgresStatement) -> String {
        var parts = ["TRUE"]
        if let since = filter.since { parts.append("a.time_ms >= \(s.bind(StoredTime.milliseconds(since)))") }
        if let until = filter.until { parts.append("a.time_ms < \(s.bind(StoredTime.milliseconds(until)))") }
        if let source = filter.source { parts.append("a.source = \(s.bind(source))") }
        if let language = filter.language { parts.append("a.language = \(s.bind(language))") }
        if let story = filter.story { parts.append("a.story_id = \(s.bind(story))") }
        if let entity = filter.entity {
            // Driven from the entity's rows, its time bounds narrowing their range of (key, type, time_ms, ...).
            var inner = "fe.key IN (\(s.bind(entity)), \(s.bind(ArabicNormalizer.normalize(entity))))"
            if let since = filter.since { inner += " AND fe.time_ms >= \(s.bind(StoredTime.milliseconds(since)))" }
            if let until = filter.until { inner += " AND fe.time_ms < \(s.bind(StoredTime.milliseconds(until)))" }
            parts.append("a.article_key IN (SELECT fe.article_key FROM article_entities fe WHERE \(inner))")
        }
        if let topic = filter.topic {
            // As on SQLite: looked up per article from a start time on, else the topic's rows first.
            if filter.since != nil {
                parts.append("EXISTS (SELECT 1 FROM article_topics ft WHERE ft.topic = \(s.bind(topic)) AND ft.article_key = a.article_key)")
            } else {
                parts.append("a.article_key IN (SELECT ft.article_key FROM article_topics ft WHERE ft.topic = \(s.bind(topic)))")
            }
        }
        return parts.joined(separator: " AND ")
    }

    /// The articles `conditions` keep, as a table `a` of their key, tone and attributions, found before anything is
    /// joined to them (`OFFSET 0` keeps the planner from flattening it): a filtered report counts at most a window's
    /// articles, and starting from them reads their topic or speaker rows only, where the planner would otherwise
    /// hash the whole `article_topics` or `article_speakers` table. (Entity rows, joined by the planner's own choice,
    /// measured faster without it.)
    static func matching(_ conditions: String) -> String {
        """
        (SELECT a.article_key, a.tone, a.named_sources, a.anonymous_sources, a.quotes FROM articles a
         WHERE \(conditions) OFFSET 0) a
        """
    }

    static func binds<V: PostgresNonThrowingEncodable>(_ value: V) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(value)
        return binds
    }

    static let articleColumns = "a.article_key, a.input_id, a.title, a.url, a.source, a.language, a.day, a.time_ms, a.tone, a.story_id"
    static let tallyColumns = """
        COUNT(*) AS articles, AVG(a.tone) AS mean_tone, SUM(a.named_sources)::bigint AS named_sources,
        SUM(a.anonymous_sources)::bigint AS anonymous_sources, SUM(a.quotes)::bigint AS quotes
        """

    static func articleRow(_ row: PostgresRandomAccessRow) throws -> ArticleRow {
        ArticleRow(
            key: try row.value("article_key"), id: try row.value("input_id"), title: try row.value("title"),
            url: try row.value("url"), source: try row.value("source"), language: try row.value("language"),
            day: try row.value("day"), time: try row.value("time_ms"), tone: try row.value("tone"),
            storyID: try row.value("story_id"))
    }

    static func tally(_ row: PostgresRandomAccessRow) throws -> Tally {
        Tally(value: try row.value("value"), articles: try row.value("articles"),
              meanTone: try row.value("mean_tone", as: Double?.self) ?? 0,
              namedSources: try row.value("named_sources", as: Int?.self) ?? 0,
              anonymousSources: try row.value("anonymous_sources", as: Int?.self) ?? 0,
              quotes: try row.value("quotes", as: Int?.self) ?? 0)
    }

    static func entityTotal(_ row: PostgresRandomAccessRow) throws -> EntityTotal {
        EntityTotal(
            key: try row.value("key"), name: try row.value("name"),
            type: EntityType(rawValue: try row.value("type")) ?? .miscellaneous,
            articles: try row.value("articles"), mentions: try row.value("mentions"),
            firstSeen: try row.value("first_seen"), lastSeen: try row.value("last_seen"))
    }

    static func ref(_ entity: EntityTotal) -> EntityRef { EntityRef(key: entity.key, name: entity.name, type: entity.type) }

    static func storySummary(_ row: PostgresRandomAccessRow) throws -> StorySummary {
        StorySummary(
            id: try row.value("story_id"), label: try row.value("label"), articles: try row.value("articles"),
            outlets: try row.value("outlets"),
            firstDay: PublishedTime.day(milliseconds: try row.value("first_ms")),
            lastDay: PublishedTime.day(milliseconds: try row.value("last_ms")))
    }

    static func storySummary(_ id: Int64, on db: PostgresConnection) async throws -> StorySummary? {
        try await db.row("""
            SELECT s.story_id, s.label, s.articles, s.first_ms, s.last_ms,
                (SELECT COUNT(DISTINCT source) FROM articles WHERE story_id = s.story_id) AS outlets
            FROM stories s WHERE s.story_id = \(id)
            """).map(storySummary)
    }

    private func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) throws -> T {
        try perform(operation) { connections in try await connections.withConnection { db in try await body(db) } }
    }
}
