import Foundation
import PostgresNIO

/// The PostgreSQL store's tables, built by numbered migrations recorded in `mirsad_schema`. A migration, once
/// shipped, is never edited: changes go in a new one.
///
/// The tables mirror the SQLite store's schema (v1 its v4, `SQLiteSchema`; v2 its v5, `SummarySchema`), with the
/// same meanings: times are BIGINT
/// milliseconds since 1970 UTC, counts BIGINT; `stored_notices.seq` orders notices as SQLite's rowid does.
/// Indexes are those the report queries read through, each named in the query that needs it.
///
/// Invariants: `mirsad_schema` has one row per applied migration; migrations run under the store's
/// migration lock (`pg_advisory_xact_lock`), so collectors starting at once apply each exactly once; a database
/// with a version above `currentVersion` is refused untouched (`ReportStoreError.newerSchema`).
enum PostgresSchema {
    static let migrations: [(name: String, sql: String)] = [
        ("v1: results, notices, articles, aggregates, stories", v1),
        ("v2: summary rows by day and facet", v2),
        ("v3: minhash signatures of 32 values", v3),
    ]

    static var currentVersion: Int { migrations.count }

    /// The transaction-scoped advisory locks the store takes, one per purpose, each per store (its schema), so
    /// stores in different schemas of one database never wait for each other. Waits are bounded by the session's
    /// `lock_timeout` (`PostgresLocation.lockTimeout`). The migration lock is keyed by the schema's name, as the
    /// schema may not exist yet when it is taken.
    static func migrationLock(schema: String?) -> PostgresQuery {
        let name = schema ?? "public"
        return "SELECT pg_advisory_xact_lock(hashtext('mirsad.migration'), hashtext(\(name)))"
    }

    static let writerLock: PostgresQuery = "SELECT pg_advisory_xact_lock(hashtext('mirsad.writer'), hashtext(current_schema()))"

    /// Applies the migrations `connection`'s database lacks, up to version `target`, in one transaction.
    ///
    /// - Parameter creating: whether a database without the store's tables gets them; when false it is refused
    ///   (`ReportStoreError.cannotOpen`), as a report never creates a store.
    /// - Parameter target: the version to stop at; below `currentVersion` only to build an older store in tests.
    /// - Throws: `ReportStoreError.newerSchema` when the database was written by a newer mirsad.
    static func migrate(
        _ connection: PostgresConnection, schema: String?, creating: Bool, location: String, target: Int = currentVersion
    ) async throws {
        try await connection.execute("BEGIN")
        do {
            try await connection.execute(migrationLock(schema: schema))
            if !creating, try await connection.row("SELECT 1 AS one WHERE to_regclass('mirsad_schema') IS NOT NULL") == nil {
                throw ReportStoreError.cannotOpen(
                    path: location, reason: "no report store there (run `mirsad run` or a collector with this --store first)")
            }
            if let schema { try await connection.execute(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(schema)")) }
            try await connection.execute("""
                CREATE TABLE IF NOT EXISTS mirsad_schema (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """)
            let applied = try await connection.rows("SELECT version, name FROM mirsad_schema ORDER BY version")
            let versions = try applied.map { try $0.value("version", as: Int.self) }
            let found = versions.max() ?? 0
            if found > currentVersion {
                let unknown = try applied.filter { try $0.value("version", as: Int.self) > currentVersion }
                    .map { try $0.value("name", as: String.self) }
                throw ReportStoreError.newerSchema(path: location, found: found, supported: currentVersion, migrations: unknown)
            }
            for (index, migration) in migrations.enumerated().prefix(target) where !versions.contains(index + 1) {
                // One statement per query: the extended protocol takes no more.
                for statement in migration.sql.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
                    try await connection.execute(PostgresQuery(unsafeSQL: String(statement)))
                }
                try await connection.execute("INSERT INTO mirsad_schema (version, name) VALUES (\(index + 1), \(migration.name))")
            }
            try await connection.execute("COMMIT")
        } catch {
            try? await connection.execute("ROLLBACK")
            throw error
        }
    }

    static let v1 = """
        CREATE TABLE results (
            job_id TEXT PRIMARY KEY,
            batch_id TEXT NOT NULL,
            article_id TEXT NOT NULL,
            url TEXT, source TEXT, category TEXT, title TEXT, published TEXT, author TEXT,
            language TEXT, language_confidence DOUBLE PRECISION,
            status TEXT NOT NULL CHECK (status IN ('analysed', 'failed')),
            error TEXT,
            worker_id TEXT NOT NULL,
            submitted_at BIGINT, analysed_at BIGINT, stored_at BIGINT NOT NULL,
            token_count BIGINT NOT NULL,
            tone DOUBLE PRECISION,
            simhash BIGINT,
            analysis_pb BYTEA,
            analysis_zlib_bytes BIGINT
        );
        CREATE INDEX results_batch ON results (batch_id, status);
        CREATE INDEX results_status ON results (status);
        CREATE TABLE entities (
            key TEXT NOT NULL, type TEXT NOT NULL, job_id TEXT NOT NULL, name TEXT NOT NULL, mentions BIGINT NOT NULL,
            PRIMARY KEY (key, type, job_id)
        );
        CREATE TABLE topics (
            topic TEXT NOT NULL, job_id TEXT NOT NULL, score DOUBLE PRECISION NOT NULL, PRIMARY KEY (topic, job_id)
        );
        CREATE TABLE stored_notices (
            job_id TEXT PRIMARY KEY,
            seq BIGINT GENERATED ALWAYS AS IDENTITY,
            noticed_at BIGINT NOT NULL
        );
        CREATE INDEX stored_notices_seq ON stored_notices (seq);
        CREATE TABLE articles (
            article_key TEXT PRIMARY KEY,
            input_id TEXT NOT NULL,
            url TEXT,
            job_id TEXT NOT NULL,
            version BIGINT NOT NULL,
            seen BIGINT NOT NULL,
            first_seen BIGINT NOT NULL,
            last_seen BIGINT NOT NULL,
            content_hash BIGINT NOT NULL,
            source TEXT NOT NULL,
            language TEXT NOT NULL,
            time_ms BIGINT NOT NULL,
            day TEXT NOT NULL,
            title TEXT,
            tone DOUBLE PRECISION NOT NULL,
            named_sources BIGINT NOT NULL,
            anonymous_sources BIGINT NOT NULL,
            quotes BIGINT NOT NULL,
            simhash BIGINT NOT NULL,
            minhash BYTEA,
            term_weight DOUBLE PRECISION NOT NULL,
            story_id BIGINT
        );
        CREATE INDEX articles_input_id ON articles (input_id);
        CREATE INDEX articles_job ON articles (job_id);
        CREATE INDEX articles_time ON articles (time_ms);
        CREATE INDEX articles_source ON articles (source, time_ms);
        CREATE INDEX articles_language ON articles (language, time_ms);
        CREATE INDEX articles_story ON articles (story_id, time_ms);
        CREATE TABLE article_versions (
            article_key TEXT NOT NULL, version BIGINT NOT NULL, job_id TEXT NOT NULL, content_hash BIGINT NOT NULL,
            stored_at BIGINT NOT NULL,
            PRIMARY KEY (article_key, version)
        );
        CREATE TABLE article_entities (
            key TEXT NOT NULL, type TEXT NOT NULL, article_key TEXT NOT NULL, name TEXT NOT NULL,
            mentions BIGINT NOT NULL, paired INTEGER NOT NULL,
            PRIMARY KEY (key, type, article_key)
        );
        CREATE INDEX article_entities_article ON article_entities (article_key);
        CREATE TABLE article_topics (
            topic TEXT NOT NULL, article_key TEXT NOT NULL, PRIMARY KEY (topic, article_key)
        );
        CREATE INDEX article_topics_article ON article_topics (article_key);
        CREATE TABLE article_speakers (
            speaker TEXT NOT NULL, article_key TEXT NOT NULL, name TEXT NOT NULL, quotes BIGINT NOT NULL,
            PRIMARY KEY (speaker, article_key)
        );
        CREATE INDEX article_speakers_article ON article_speakers (article_key);
        CREATE TABLE entity_totals (
            key TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL, articles BIGINT NOT NULL,
            mentions BIGINT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,
            PRIMARY KEY (key, type)
        );
        CREATE INDEX entity_totals_mentions ON entity_totals (mentions DESC, articles DESC, key, type);
        CREATE INDEX entity_totals_type ON entity_totals (type, mentions DESC, articles DESC, key);
        CREATE INDEX entity_totals_name ON entity_totals (name);
        CREATE TABLE entity_source_totals (
            source TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL,
            articles BIGINT NOT NULL, mentions BIGINT NOT NULL,
            PRIMARY KEY (source, key, type)
        );
        CREATE INDEX entity_source_totals_mentions ON entity_source_totals (source, mentions DESC, articles DESC, key, type);
        CREATE TABLE entity_pairs (
            a_key TEXT NOT NULL, a_type TEXT NOT NULL, b_key TEXT NOT NULL, b_type TEXT NOT NULL, articles BIGINT NOT NULL,
            PRIMARY KEY (a_key, a_type, b_key, b_type)
        );
        CREATE INDEX entity_pairs_b ON entity_pairs (b_key, b_type);
        CREATE TABLE tallies (
            dimension TEXT NOT NULL, value TEXT NOT NULL, articles BIGINT NOT NULL, tone_sum DOUBLE PRECISION NOT NULL,
            named_sources BIGINT NOT NULL, anonymous_sources BIGINT NOT NULL, quotes BIGINT NOT NULL,
            PRIMARY KEY (dimension, value)
        );
        CREATE TABLE speaker_totals (
            speaker TEXT PRIMARY KEY, name TEXT NOT NULL, quotes BIGINT NOT NULL, articles BIGINT NOT NULL
        );
        CREATE INDEX speaker_totals_quotes ON speaker_totals (quotes DESC, articles DESC, speaker);
        CREATE TABLE term_postings (
            term TEXT NOT NULL, time_ms BIGINT NOT NULL, article_key TEXT NOT NULL,
            PRIMARY KEY (term, time_ms, article_key)
        );
        CREATE TABLE term_counts (
            term TEXT PRIMARY KEY, articles BIGINT NOT NULL
        );
        CREATE TABLE stories (
            story_id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            label TEXT NOT NULL, articles BIGINT NOT NULL, first_ms BIGINT NOT NULL, last_ms BIGINT NOT NULL
        );
        CREATE INDEX stories_size ON stories (articles DESC, last_ms DESC, story_id);
        CREATE INDEX stories_last ON stories (last_ms);
        CREATE TABLE story_terms (
            story_id BIGINT NOT NULL, term TEXT NOT NULL, name TEXT NOT NULL, articles BIGINT NOT NULL,
            PRIMARY KEY (story_id, term)
        );
        """

    /// SQLite's v5 (`SummarySchema`): the summary rows by day and facet, kept by `PostgresArticleLedger` in the
    /// transaction of each result and computed here from the articles a v1 store holds; `article_entities` gains
    /// its article's time, day, outlet and language and is keyed (key, type, time_ms, article_key);
    /// `entity_facets` replaces `entity_source_totals`; `result_counts` counts the job rows per status.
    static let v2 = """
        ALTER TABLE article_entities ADD COLUMN time_ms BIGINT, ADD COLUMN day TEXT, ADD COLUMN source TEXT,
            ADD COLUMN language TEXT;
        UPDATE article_entities e SET time_ms = a.time_ms, day = a.day, source = a.source, language = a.language
            FROM articles a WHERE a.article_key = e.article_key;
        ALTER TABLE article_entities ALTER COLUMN time_ms SET NOT NULL, ALTER COLUMN day SET NOT NULL,
            ALTER COLUMN source SET NOT NULL, ALTER COLUMN language SET NOT NULL;
        ALTER TABLE article_entities DROP CONSTRAINT article_entities_pkey;
        ALTER TABLE article_entities ADD PRIMARY KEY (key, type, time_ms, article_key);
        DROP TABLE entity_source_totals;
        DROP INDEX articles_time;
        DROP INDEX articles_source;
        DROP INDEX articles_language;
        CREATE INDEX articles_time ON articles (time_ms, story_id);
        CREATE INDEX articles_source ON articles (source, time_ms, story_id);
        CREATE INDEX articles_language ON articles (language, time_ms, story_id);
        CREATE TABLE result_counts (status TEXT PRIMARY KEY, results BIGINT NOT NULL);
        INSERT INTO result_counts (status, results) SELECT status, COUNT(*) FROM results GROUP BY status;
        CREATE TABLE day_cells (
            topic TEXT NOT NULL, day TEXT NOT NULL, source TEXT NOT NULL, language TEXT NOT NULL,
            articles BIGINT NOT NULL, results BIGINT NOT NULL, versions BIGINT NOT NULL, revised BIGINT NOT NULL,
            tone_sum DOUBLE PRECISION NOT NULL, named_sources BIGINT NOT NULL, anonymous_sources BIGINT NOT NULL,
            quotes BIGINT NOT NULL,
            PRIMARY KEY (topic, day, source, language)
        );
        CREATE TABLE entity_days (
            day TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, articles BIGINT NOT NULL, mentions BIGINT NOT NULL,
            PRIMARY KEY (day, key, type)
        );
        CREATE INDEX entity_days_entity ON entity_days (key, type, day, articles);
        CREATE TABLE entity_facets (
            facet TEXT NOT NULL, value TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, articles BIGINT NOT NULL,
            mentions BIGINT NOT NULL, tone_sum DOUBLE PRECISION NOT NULL, named_sources BIGINT NOT NULL,
            anonymous_sources BIGINT NOT NULL, quotes BIGINT NOT NULL,
            PRIMARY KEY (facet, value, key, type)
        );
        CREATE INDEX entity_facets_mentions ON entity_facets (facet, value, mentions DESC, articles DESC, key, type);
        CREATE TABLE speaker_days (
            day TEXT NOT NULL, speaker TEXT NOT NULL, quotes BIGINT NOT NULL, articles BIGINT NOT NULL,
            PRIMARY KEY (day, speaker)
        );
        CREATE TABLE speaker_facets (
            facet TEXT NOT NULL, value TEXT NOT NULL, speaker TEXT NOT NULL, quotes BIGINT NOT NULL,
            articles BIGINT NOT NULL,
            PRIMARY KEY (facet, value, speaker)
        );
        INSERT INTO day_cells (topic, day, source, language, articles, results, versions, revised, tone_sum,
                named_sources, anonymous_sources, quotes)
            SELECT '', day, source, language, COUNT(*), SUM(seen), SUM(version), COUNT(*) FILTER (WHERE version > 1),
                SUM(tone), SUM(named_sources), SUM(anonymous_sources), SUM(quotes)
            FROM articles GROUP BY day, source, language;
        INSERT INTO day_cells (topic, day, source, language, articles, results, versions, revised, tone_sum,
                named_sources, anonymous_sources, quotes)
            SELECT t.topic, a.day, a.source, a.language, COUNT(*), SUM(a.seen), SUM(a.version),
                COUNT(*) FILTER (WHERE a.version > 1), SUM(a.tone), SUM(a.named_sources), SUM(a.anonymous_sources),
                SUM(a.quotes)
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
            FROM article_topics t JOIN article_speakers s ON s.article_key = t.article_key GROUP BY t.topic, s.speaker
        """

    /// SQLite's v15 (`ShortSignaturesSchema`): an article keeps the first 32 values of its signature and the
    /// postings of its first 8 bands (`b:BAND:HASH`), as if it had been stored with a signature of 32.
    static let v3 = """
        DELETE FROM term_postings WHERE term LIKE 'b:%' AND split_part(term, ':', 2)::int >= 8;
        UPDATE articles SET minhash = substring(minhash FROM 1 FOR 1 + 2 * 32) WHERE length(minhash) > 1 + 2 * 32;
        """
}
