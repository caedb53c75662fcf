import GRDB

/// Schema v5: summary rows that a filtered report sums instead of counting articles, and the per-article rows
/// keyed for the filters that summary rows do not answer.
///
/// Every summary row is a sum over the latest versions of the articles it covers, kept by `AggregateDeltas` in the
/// transaction that stores a result; a row whose article count falls to 0 is deleted.
///
/// - `day_cells`: one row per (topic, day, source, language) with articles, results (`seen` summed), versions
///   (`version` summed, so repeats are `results - versions`), revised articles (`version > 1`), tone summed,
///   named and anonymous attributions and quotes. `topic` is `''` in the row every article counts in, and each of
///   its topics in one more row each: a report filtered by any of day range, source, language and topic sums the
///   rows of one `topic` and a day range, a few thousand at most.
/// - `entity_days`: articles and mentions of each entity per day (a day range's top entities; an entity's
///   timeline by `entity_days_entity`).
/// - `entity_facets`: the same per `facet` (`source`, `language`, `topic`) and value, with the tone and
///   attributions of those articles (an entity page's outlets; top entities of one outlet, language or topic).
///   It replaces v4's `entity_source_totals`. Since v8 both hold an entity's `entity_id` instead of its key and
///   type (`NumberedEntitySummariesSchema`).
/// - `speaker_days`, `speaker_facets`: quotes and articles of each speaker per day and per facet value.
///
/// `article_entities` gains the article's time, day, source and language and is keyed by
/// (key, type, time_ms, article_key): an entity's rows in a time range, newest first, are one range of the key, so
/// an entity page and `--entity X --since D` read only the rows they show or count. The articles' time, source and
/// language indexes also carry `story_id`, so counting the stories of a filter reads the index only.
///
/// `result_counts` holds the job rows per status, so that the whole store's summary does not count a million job
/// rows.
///
/// Names are not repeated in summary rows: they are those of `entity_totals` and `speaker_totals`.
enum SummarySchema {
    static let tables = """
        CREATE TABLE result_counts (
            status TEXT PRIMARY KEY NOT NULL,
            results INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO result_counts (status, results) SELECT status, COUNT(*) FROM results GROUP BY status;
        CREATE TABLE day_cells (
            topic TEXT NOT NULL,
            day TEXT NOT NULL,
            source TEXT NOT NULL,
            language TEXT NOT NULL,
            articles INTEGER NOT NULL,
            results INTEGER NOT NULL,
            versions INTEGER NOT NULL,
            revised INTEGER NOT NULL,
            tone_sum REAL NOT NULL,
            named_sources INTEGER NOT NULL,
            anonymous_sources INTEGER NOT NULL,
            quotes INTEGER NOT NULL,
            PRIMARY KEY (topic, day, source, language)
        ) WITHOUT ROWID;
        CREATE TABLE entity_days (
            day TEXT NOT NULL,
            key TEXT NOT NULL,
            type TEXT NOT NULL,
            articles INTEGER NOT NULL,
            mentions INTEGER NOT NULL,
            PRIMARY KEY (day, key, type)
        ) WITHOUT ROWID;
        CREATE INDEX entity_days_entity ON entity_days (key, type, day, articles);
        CREATE TABLE entity_facets (
            facet TEXT NOT NULL,
            value TEXT NOT NULL,
            key TEXT NOT NULL,
            type TEXT NOT NULL,
            articles INTEGER NOT NULL,
            mentions INTEGER NOT NULL,
            tone_sum REAL NOT NULL,
            named_sources INTEGER NOT NULL,
            anonymous_sources INTEGER NOT NULL,
            quotes INTEGER NOT NULL,
            PRIMARY KEY (facet, value, key, type)
        ) WITHOUT ROWID;
        CREATE TABLE speaker_days (
            day TEXT NOT NULL,
            speaker TEXT NOT NULL,
            quotes INTEGER NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (day, speaker)
        ) WITHOUT ROWID;
        CREATE TABLE speaker_facets (
            facet TEXT NOT NULL,
            value TEXT NOT NULL,
            speaker TEXT NOT NULL,
            quotes INTEGER NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (facet, value, speaker)
        ) WITHOUT ROWID;
        """

    /// `article_entities` as v5 keys it, filled from v4's rows and their articles.
    static let articleEntities = """
        CREATE TABLE article_entities_v5 (
            key TEXT NOT NULL,
            type TEXT NOT NULL,
            time_ms INTEGER NOT NULL,
            article_key TEXT NOT NULL,
            name TEXT NOT NULL,
            mentions INTEGER NOT NULL,
            paired INTEGER NOT NULL,
            day TEXT NOT NULL,
            source TEXT NOT NULL,
            language TEXT NOT NULL,
            PRIMARY KEY (key, type, time_ms, article_key)
        ) WITHOUT ROWID;
        INSERT INTO article_entities_v5 (key, type, time_ms, article_key, name, mentions, paired, day, source, language)
            SELECT e.key, e.type, a.time_ms, e.article_key, e.name, e.mentions, e.paired, a.day, a.source, a.language
            FROM article_entities e JOIN articles a ON a.article_key = e.article_key;
        DROP TABLE article_entities;
        ALTER TABLE article_entities_v5 RENAME TO article_entities;
        CREATE INDEX article_entities_article ON article_entities (article_key);
        DROP TABLE entity_source_totals;
        DROP INDEX articles_time;
        DROP INDEX articles_source;
        DROP INDEX articles_language;
        CREATE INDEX articles_time ON articles (time_ms, story_id);
        CREATE INDEX articles_source ON articles (source, time_ms, story_id);
        CREATE INDEX articles_language ON articles (language, time_ms, story_id);
        """

    /// The summary rows recomputed from the per-article rows (plain SQL, as another database would run it).
    static let fill = """
        INSERT INTO day_cells (topic, day, source, language, articles, results, versions, revised, tone_sum,
                named_sources, anonymous_sources, quotes)
            SELECT '', day, source, language, COUNT(*), SUM(seen), SUM(version), SUM(version > 1), SUM(tone),
                SUM(named_sources), SUM(anonymous_sources), SUM(quotes)
            FROM articles GROUP BY day, source, language;
        INSERT INTO day_cells (topic, day, source, language, articles, results, versions, revised, tone_sum,
                named_sources, anonymous_sources, quotes)
            SELECT t.topic, a.day, a.source, a.language, COUNT(*), SUM(a.seen), SUM(a.version), SUM(a.version > 1),
                SUM(a.tone), SUM(a.named_sources), SUM(a.anonymous_sources), SUM(a.quotes)
            FROM article_topics t JOIN articles a ON a.article_key = t.article_key
            GROUP BY t.topic, a.day, a.source, a.language;
        INSERT INTO entity_days (day, key, type, articles, mentions)
            SELECT day, key, type, COUNT(*), SUM(mentions) FROM article_entities GROUP BY day, key, type;
        INSERT INTO entity_facets (facet, value, key, type, articles, mentions, tone_sum, named_sources,
                anonymous_sources, quotes)
            SELECT 'source', a.source, e.key, e.type, COUNT(*), SUM(e.mentions), SUM(a.tone), SUM(a.named_sources),
                SUM(a.anonymous_sources), SUM(a.quotes)
            FROM article_entities e JOIN articles a ON a.article_key = e.article_key GROUP BY a.source, e.key, e.type;
        INSERT INTO entity_facets (facet, value, key, type, articles, mentions, tone_sum, named_sources,
                anonymous_sources, quotes)
            SELECT 'language', a.language, e.key, e.type, COUNT(*), SUM(e.mentions), SUM(a.tone), SUM(a.named_sources),
                SUM(a.anonymous_sources), SUM(a.quotes)
            FROM article_entities e JOIN articles a ON a.article_key = e.article_key GROUP BY a.language, e.key, e.type;
        INSERT INTO entity_facets (facet, value, key, type, articles, mentions, tone_sum, named_sources,
                anonymous_sources, quotes)
            SELECT 'topic', t.topic, e.key, e.type, COUNT(*), SUM(e.mentions), SUM(a.tone), SUM(a.named_sources),
                SUM(a.anonymous_sources), SUM(a.quotes)
            FROM article_topics t JOIN article_entities e ON e.article_key = t.article_key
            JOIN articles a ON a.article_key = t.article_key GROUP BY t.topic, e.key, e.type;
        INSERT INTO speaker_days (day, speaker, quotes, articles)
            SELECT a.day, s.speaker, SUM(s.quotes), COUNT(*)
            FROM article_speakers s JOIN articles a ON a.article_key = s.article_key GROUP BY a.day, s.speaker;
        INSERT INTO speaker_facets (facet, value, speaker, quotes, articles)
            SELECT 'source', a.source, s.speaker, SUM(s.quotes), COUNT(*)
            FROM article_speakers s JOIN articles a ON a.article_key = s.article_key GROUP BY a.source, s.speaker;
        INSERT INTO speaker_facets (facet, value, speaker, quotes, articles)
            SELECT 'language', a.language, s.speaker, SUM(s.quotes), COUNT(*)
            FROM article_speakers s JOIN articles a ON a.article_key = s.article_key GROUP BY a.language, s.speaker;
        INSERT INTO speaker_facets (facet, value, speaker, quotes, articles)
            SELECT 'topic', t.topic, s.speaker, SUM(s.quotes), COUNT(*)
            FROM article_topics t JOIN article_speakers s ON s.article_key = t.article_key GROUP BY t.topic, s.speaker;
        """

    /// The v5 migration: every store reaching it has its articles (v4 built them from the results stored before),
    /// so the summary rows are computed from them.
    static func migrate(_ db: Database) throws {
        try db.execute(sql: articleEntities)
        try db.execute(sql: tables)
        try db.execute(sql: fill)
    }
}
