import GRDB

/// Schema v7: articles, story terms and entities by number.
///
/// An article's key (`ArticleIdentity`, some 30 bytes) was repeated in every row of it: each entity, topic,
/// speaker, version and index posting, with a copy in each secondary index; each co-occurring pair of entities
/// repeated both entities' keys and types, twice with its second index. v7 gives every article an `article_id`
/// (`articles`' INTEGER PRIMARY KEY, so that no VACUUM renumbers it), every story term a `term_id`
/// (`term_counts`) and every entity an `entity_id` (`entity_totals`), and the per-article rows, `term_postings`
/// and `entity_pairs` hold those numbers instead.
///
/// - `article_key` stays in `articles`, unique: it is how a new result finds its article.
/// - `article_entities` no longer copies each entity's name as the article wrote it: no report read it (reports
///   name an entity as `entity_totals` does, and an article page reads its analysis).
/// - `term_postings.term` is a story term's `term_id` (positive) or a minhash band's key
///   (`StoryClustering.bandKey`, negative), so one index holds both kinds of posting, as before.
/// - A `term_counts` row still goes when its count falls to 0; its id may then be given again, but no posting
///   holds it any more (a term's count is the number of its postings). Likewise an `entity_totals` row goes with
///   its last article, and every pair of that entity with it (a pair counts articles naming both).
/// - `entity_pairs` keeps each pair in the order `ArticleFacts.entityPairs` gives it, (type, key) ascending.
enum NumberedArticlesSchema {
    static let tables = """
        CREATE TABLE articles_v7 (
            article_id INTEGER PRIMARY KEY,
            article_key TEXT NOT NULL UNIQUE,
            input_id TEXT NOT NULL,
            url TEXT,
            job_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            seen INTEGER NOT NULL,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            content_hash INTEGER NOT NULL,
            source TEXT NOT NULL,
            language TEXT NOT NULL,
            time_ms INTEGER NOT NULL,
            day TEXT NOT NULL,
            title TEXT,
            tone REAL NOT NULL,
            named_sources INTEGER NOT NULL,
            anonymous_sources INTEGER NOT NULL,
            quotes INTEGER NOT NULL,
            simhash INTEGER NOT NULL,
            minhash BLOB,
            term_weight REAL NOT NULL,
            story_id INTEGER
        );
        INSERT INTO articles_v7 (article_id, article_key, input_id, url, job_id, version, seen, first_seen, last_seen,
                content_hash, source, language, time_ms, day, title, tone, named_sources, anonymous_sources, quotes,
                simhash, minhash, term_weight, story_id)
            SELECT rowid, article_key, input_id, url, job_id, version, seen, first_seen, last_seen, content_hash,
                source, language, time_ms, day, title, tone, named_sources, anonymous_sources, quotes, simhash, minhash,
                term_weight, story_id
            FROM articles ORDER BY rowid;

        CREATE TABLE article_versions_v7 (
            article_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            job_id TEXT NOT NULL,
            content_hash INTEGER NOT NULL,
            stored_at INTEGER NOT NULL,
            PRIMARY KEY (article_id, version)
        ) WITHOUT ROWID;
        INSERT INTO article_versions_v7 (article_id, version, job_id, content_hash, stored_at)
            SELECT a.article_id, v.version, v.job_id, v.content_hash, v.stored_at
            FROM article_versions v JOIN articles_v7 a ON a.article_key = v.article_key;

        CREATE TABLE article_entities_v7 (
            key TEXT NOT NULL,
            type TEXT NOT NULL,
            time_ms INTEGER NOT NULL,
            article_id INTEGER NOT NULL,
            mentions INTEGER NOT NULL,
            paired INTEGER NOT NULL,
            day TEXT NOT NULL,
            source TEXT NOT NULL,
            language TEXT NOT NULL,
            PRIMARY KEY (key, type, time_ms, article_id)
        ) WITHOUT ROWID;
        INSERT INTO article_entities_v7 (key, type, time_ms, article_id, mentions, paired, day, source, language)
            SELECT e.key, e.type, e.time_ms, a.article_id, e.mentions, e.paired, e.day, e.source, e.language
            FROM article_entities e JOIN articles_v7 a ON a.article_key = e.article_key;

        CREATE TABLE article_topics_v7 (
            topic TEXT NOT NULL,
            article_id INTEGER NOT NULL,
            PRIMARY KEY (topic, article_id)
        ) WITHOUT ROWID;
        INSERT INTO article_topics_v7 (topic, article_id)
            SELECT t.topic, a.article_id FROM article_topics t JOIN articles_v7 a ON a.article_key = t.article_key;

        CREATE TABLE article_speakers_v7 (
            speaker TEXT NOT NULL,
            article_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            quotes INTEGER NOT NULL,
            PRIMARY KEY (speaker, article_id)
        ) WITHOUT ROWID;
        INSERT INTO article_speakers_v7 (speaker, article_id, name, quotes)
            SELECT s.speaker, a.article_id, s.name, s.quotes
            FROM article_speakers s JOIN articles_v7 a ON a.article_key = s.article_key;

        CREATE TABLE term_counts_v7 (
            term_id INTEGER PRIMARY KEY,
            term TEXT NOT NULL UNIQUE,
            articles INTEGER NOT NULL
        );
        INSERT INTO term_counts_v7 (term, articles) SELECT term, articles FROM term_counts ORDER BY term;

        CREATE TABLE term_postings_v7 (
            term INTEGER NOT NULL,
            time_ms INTEGER NOT NULL,
            article_id INTEGER NOT NULL,
            PRIMARY KEY (term, time_ms, article_id)
        ) WITHOUT ROWID;
        INSERT INTO term_postings_v7 (term, time_ms, article_id)
            SELECT c.term_id, p.time_ms, a.article_id FROM term_postings p
            JOIN term_counts_v7 c ON c.term = p.term JOIN articles_v7 a ON a.article_key = p.article_key;

        CREATE TABLE entity_totals_v7 (
            entity_id INTEGER PRIMARY KEY,
            key TEXT NOT NULL,
            type TEXT NOT NULL,
            name TEXT NOT NULL,
            articles INTEGER NOT NULL,
            mentions INTEGER NOT NULL,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            UNIQUE (key, type)
        );
        INSERT INTO entity_totals_v7 (key, type, name, articles, mentions, first_seen, last_seen)
            SELECT key, type, name, articles, mentions, first_seen, last_seen FROM entity_totals ORDER BY key, type;

        CREATE TABLE entity_pairs_v7 (
            a_id INTEGER NOT NULL,
            b_id INTEGER NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (a_id, b_id)
        ) WITHOUT ROWID;
        INSERT INTO entity_pairs_v7 (a_id, b_id, articles)
            SELECT x.entity_id, y.entity_id, p.articles FROM entity_pairs p
            JOIN entity_totals_v7 x ON x.key = p.a_key AND x.type = p.a_type
            JOIN entity_totals_v7 y ON y.key = p.b_key AND y.type = p.b_type;
        """

    /// Drops the text-keyed tables (their indexes go with them) and gives the numbered ones their names and
    /// indexes.
    static let replace = """
        DROP TABLE articles;
        DROP TABLE article_versions;
        DROP TABLE article_entities;
        DROP TABLE article_topics;
        DROP TABLE article_speakers;
        DROP TABLE term_counts;
        DROP TABLE term_postings;
        DROP TABLE entity_totals;
        DROP TABLE entity_pairs;
        ALTER TABLE articles_v7 RENAME TO articles;
        ALTER TABLE article_versions_v7 RENAME TO article_versions;
        ALTER TABLE article_entities_v7 RENAME TO article_entities;
        ALTER TABLE article_topics_v7 RENAME TO article_topics;
        ALTER TABLE article_speakers_v7 RENAME TO article_speakers;
        ALTER TABLE term_counts_v7 RENAME TO term_counts;
        ALTER TABLE term_postings_v7 RENAME TO term_postings;
        ALTER TABLE entity_totals_v7 RENAME TO entity_totals;
        ALTER TABLE entity_pairs_v7 RENAME TO entity_pairs;
        CREATE INDEX articles_input_id ON articles (input_id);
        CREATE INDEX articles_job ON articles (job_id);
        CREATE INDEX articles_time ON articles (time_ms, story_id);
        CREATE INDEX articles_source ON articles (source, time_ms, story_id);
        CREATE INDEX articles_language ON articles (language, time_ms, story_id);
        CREATE INDEX articles_story ON articles (story_id, time_ms);
        CREATE INDEX article_entities_article ON article_entities (article_id);
        CREATE INDEX article_topics_article ON article_topics (article_id);
        CREATE INDEX article_speakers_article ON article_speakers (article_id);
        CREATE INDEX entity_totals_mentions ON entity_totals (mentions);
        CREATE INDEX entity_pairs_b ON entity_pairs (b_id);
        """

    /// The v7 migration: every row kept, renumbered. (A store written before v4 gets its articles from the newest
    /// migration, once every table has the layout today's ledger writes: `SQLiteSchema`.)
    static func migrate(_ db: Database) throws {
        try db.execute(sql: tables)
        // Band postings were `b:BAND:HASH` in hexadecimal: their keys are computed from the same band and hash.
        let bands = try Row.fetchCursor(db, sql: """
            SELECT p.term, p.time_ms, a.article_id FROM term_postings p JOIN articles_v7 a ON a.article_key = p.article_key
            WHERE p.term LIKE 'b:%'
            """)
        let insert = try db.makeStatement(
            sql: "INSERT OR IGNORE INTO term_postings_v7 (term, time_ms, article_id) VALUES (?, ?, ?)")
        while let row = try bands.next() {
            guard let key = bandKey(term: row[0]) else { continue }
            try insert.execute(arguments: [key, row[1] as Int64, row[2] as Int64])
        }
        try db.execute(sql: replace)
    }

    /// The v7 posting key of a band posting v6 wrote as `b:BAND:HASH` (hash in hexadecimal); nil for any other
    /// term.
    static func bandKey(term: String) -> Int64? {
        let parts = term.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "b", let band = Int(parts[1]), let hash = UInt64(parts[2], radix: 16) else {
            return nil
        }
        return StoryClustering.bandKey(band: band, hash: hash)
    }
}
