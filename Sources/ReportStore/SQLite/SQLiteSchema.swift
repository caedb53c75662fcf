import GRDB

/// The SQLite store's tables, built by numbered migrations. A migration, once shipped, is never edited:
/// changes go in a new one. The one exception is v4's rebuild of articles from the results stored before it,
/// which the newest migration takes over: v4 writes the text-keyed tables it always wrote, but leaves them empty,
/// and the newest migration, after which every table has the layout today's ledger writes, builds the articles of
/// such a store (its `migrate` ends with `ArticleLedger.rebuildIfNoArticles`; a new migration takes the call over).
///
/// `results` has one row per job id. Times are INTEGER milliseconds since 1970 UTC; `simhash` is the
/// fingerprint's 64 bits read as a signed integer; `analysis_pb` is the protobuf `Analysis` as the worker encoded
/// it, without its tokens (NULL for a failed job), deflated with zlib as the worker sent it when
/// `analysis_zlib_bytes` (its size before compression) is set; `analysis` is the same as JSON, in rows written
/// before v3.
/// `entities` and `topics` repeat parts of the analysis as rows so that they can be counted across the corpus; they
/// are written once with their result and never changed. Since v3 each is a WITHOUT ROWID table whose primary key
/// is what queries group by ((key, type, job_id), (topic, job_id)): one B-tree insertion per row, the store's main
/// write cost, and no other index. Keywords stay inside the analysis only.
///
/// `stored_notices` holds the job ids whose STORED the dispatcher has not acknowledged: written in the transaction
/// that stores their results, deleted on acknowledgement. It is a rowid table on purpose: a new row's rowid is
/// above every live row's, so `ORDER BY rowid` lists notices in the order they were recorded. `noticed_at` is
/// milliseconds since 1970 UTC, for people reading the file.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: results, entities, topics") { db in
            try db.execute(sql: """
                CREATE TABLE results (
                    job_id TEXT PRIMARY KEY NOT NULL,
                    batch_id TEXT NOT NULL,
                    article_id TEXT NOT NULL,
                    url TEXT,
                    source TEXT,
                    category TEXT,
                    title TEXT,
                    published TEXT,
                    author TEXT,
                    language TEXT,
                    language_confidence REAL,
                    status TEXT NOT NULL CHECK (status IN ('analysed', 'failed')),
                    error TEXT,
                    worker_id TEXT NOT NULL,
                    submitted_at INTEGER,
                    analysed_at INTEGER,
                    stored_at INTEGER NOT NULL,
                    token_count INTEGER NOT NULL,
                    tone REAL,
                    simhash INTEGER,
                    analysis TEXT
                );
                CREATE INDEX results_batch ON results (batch_id, status);
                CREATE INDEX results_source ON results (source);
                CREATE TABLE entities (
                    job_id TEXT NOT NULL,
                    key TEXT NOT NULL,
                    name TEXT NOT NULL,
                    type TEXT NOT NULL,
                    mentions INTEGER NOT NULL
                );
                CREATE INDEX entities_key ON entities (key, type);
                CREATE TABLE topics (
                    job_id TEXT NOT NULL,
                    topic TEXT NOT NULL,
                    score REAL NOT NULL
                );
                CREATE INDEX topics_topic ON topics (topic);
                """)
        }
        migrator.registerMigration("v2: stored_notices") { db in
            try db.execute(sql: """
                CREATE TABLE stored_notices (
                    job_id TEXT PRIMARY KEY NOT NULL,
                    noticed_at INTEGER NOT NULL
                )
                """)
        }
        migrator.registerMigration("v3: analysis as protobuf, entities and topics by key") { db in
            // New rows keep the analysis as the worker encoded it (`StoredAnalysis`) and leave `analysis` (JSON,
            // written by v1 and v2) NULL; rows written before stay as they are and are read either way.
            try db.execute(sql: "ALTER TABLE results ADD COLUMN analysis_pb BLOB")
            try db.execute(sql: "ALTER TABLE results ADD COLUMN analysis_zlib_bytes INTEGER")
            // Entity and topic rows keyed by what queries group them by, without a rowid: one B-tree insert per
            // row instead of two (the table and its index), the main cost of storing a result.
            try db.execute(sql: """
                CREATE TABLE entities_v3 (
                    key TEXT NOT NULL,
                    type TEXT NOT NULL,
                    job_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    mentions INTEGER NOT NULL,
                    PRIMARY KEY (key, type, job_id)
                ) WITHOUT ROWID;
                INSERT OR IGNORE INTO entities_v3 (key, type, job_id, name, mentions)
                    SELECT key, type, job_id, name, mentions FROM entities;
                DROP TABLE entities;
                ALTER TABLE entities_v3 RENAME TO entities;
                CREATE TABLE topics_v3 (
                    topic TEXT NOT NULL,
                    job_id TEXT NOT NULL,
                    score REAL NOT NULL,
                    PRIMARY KEY (topic, job_id)
                ) WITHOUT ROWID;
                INSERT OR IGNORE INTO topics_v3 (topic, job_id, score) SELECT topic, job_id, score FROM topics;
                DROP TABLE topics;
                ALTER TABLE topics_v3 RENAME TO topics;
                """)
        }
        migrator.registerMigration(Self.v4) { db in
            // The results stored before v4 become articles in v12 (`NumberedFacetsSchema.migrate`).
            try db.execute(sql: Self.v4Tables)
        }
        migrator.registerMigration(Self.v5) { db in
            try SummarySchema.migrate(db)
        }
        migrator.registerMigration(Self.v6) { db in
            // The last row of the inbox (`ResultInbox`) whose result this store holds; none until a collector
            // stages results.
            try db.execute(sql: """
                CREATE TABLE inbox_progress (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    indexed_seq INTEGER NOT NULL
                )
                """)
        }
        migrator.registerMigration(Self.v7) { db in
            try NumberedArticlesSchema.migrate(db)
        }
        migrator.registerMigration(Self.v8) { db in
            try NumberedEntitySummariesSchema.migrate(db)
        }
        migrator.registerMigration(Self.v9) { db in
            try NumberedEntityRowsSchema.migrate(db)
        }
        migrator.registerMigration(Self.v10) { db in
            try NumberedSpeakersSchema.migrate(db)
        }
        migrator.registerMigration(Self.v11) { db in
            try LeanArticleRowsSchema.migrate(db)
        }
        migrator.registerMigration(Self.v12) { db in
            try NumberedFacetsSchema.migrate(db)
        }
        migrator.registerMigration(Self.v13) { db in
            try BatchCountsSchema.migrate(db)
        }
        migrator.registerMigration(Self.v14) { db in
            try InputIDsOnceSchema.migrate(db)
        }
        migrator.registerMigration(Self.v15) { db in
            try ShortSignaturesSchema.migrate(db)
        }
        return migrator
    }

    /// The schema version this build writes: the number of migrations it knows.
    static let currentVersion = 15
    static let v4 = "v4: articles, aggregates, stories"
    static let v5 = "v5: summary rows by day and facet"
    static let v6 = "v6: inbox progress"
    static let v7 = "v7: articles, terms and entities by number"
    static let v8 = "v8: entity summary rows by number"
    static let v9 = "v9: article entity rows and story terms by number"
    static let v10 = "v10: speakers by number"
    static let v11 = "v11: article rows without their result's url and title"
    static let v12 = "v12: facet values by number"
    static let v13 = "v13: results counted per batch, unread indexes dropped"
    static let v14 = "v14: input ids kept once"
    static let v15 = "v15: minhash signatures of 32 values"

    /// Articles by identity, their per-article facts, the aggregates kept from them, and the story index.
    ///
    /// - `articles`: one row per article identity (`ArticleIdentity`); `job_id` is the job whose result is the
    ///   latest version; `seen` counts the results that brought it (a duplicate job is not one);
    ///   `first_seen`/`last_seen` are store times in milliseconds; `time_ms`/`day` are the article's time
    ///   (`published`, else analysed). `article_versions` keeps each version's job.
    /// - `article_entities`, `article_topics`, `article_speakers`: the latest version's facts, one row each.
    /// - `entity_totals`, `entity_source_totals` (the same per outlet, for the commonest filter), `entity_pairs`,
    ///   `tallies`, `speaker_totals`: sums over the latest versions of all
    ///   articles, changed in the transaction that stores a result; rows whose count falls to 0 are deleted.
    ///   `tallies` is keyed by (dimension, value), dimension one of `source`, `day`, `topic`, `language`.
    ///   `entity_totals.first_seen`/`last_seen` are the earliest and latest article times of any version that
    ///   named the entity (a later version does not take them back).
    /// - `term_postings`/`term_counts`: the inverted index the story clustering looks candidates up in
    ///   (term, article time) and each term's article count; `stories`/`story_terms`: stories, their article
    ///   counts and the term counts their labels come from.
    static let v4Tables = """
        CREATE TABLE articles (
            article_key TEXT PRIMARY KEY NOT NULL,
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
        CREATE INDEX articles_input_id ON articles (input_id);
        CREATE INDEX articles_job ON articles (job_id);
        CREATE INDEX articles_time ON articles (time_ms);
        CREATE INDEX articles_source ON articles (source, time_ms);
        CREATE INDEX articles_language ON articles (language, time_ms);
        CREATE INDEX articles_story ON articles (story_id, time_ms);
        CREATE TABLE article_versions (
            article_key TEXT NOT NULL,
            version INTEGER NOT NULL,
            job_id TEXT NOT NULL,
            content_hash INTEGER NOT NULL,
            stored_at INTEGER NOT NULL,
            PRIMARY KEY (article_key, version)
        ) WITHOUT ROWID;
        CREATE TABLE article_entities (
            key TEXT NOT NULL,
            type TEXT NOT NULL,
            article_key TEXT NOT NULL,
            name TEXT NOT NULL,
            mentions INTEGER NOT NULL,
            paired INTEGER NOT NULL,
            PRIMARY KEY (key, type, article_key)
        ) WITHOUT ROWID;
        CREATE INDEX article_entities_article ON article_entities (article_key);
        CREATE TABLE article_topics (
            topic TEXT NOT NULL,
            article_key TEXT NOT NULL,
            PRIMARY KEY (topic, article_key)
        ) WITHOUT ROWID;
        CREATE INDEX article_topics_article ON article_topics (article_key);
        CREATE TABLE article_speakers (
            speaker TEXT NOT NULL,
            article_key TEXT NOT NULL,
            name TEXT NOT NULL,
            quotes INTEGER NOT NULL,
            PRIMARY KEY (speaker, article_key)
        ) WITHOUT ROWID;
        CREATE INDEX article_speakers_article ON article_speakers (article_key);
        CREATE TABLE entity_totals (
            key TEXT NOT NULL,
            type TEXT NOT NULL,
            name TEXT NOT NULL,
            articles INTEGER NOT NULL,
            mentions INTEGER NOT NULL,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            PRIMARY KEY (key, type)
        ) WITHOUT ROWID;
        CREATE INDEX entity_totals_mentions ON entity_totals (mentions);
        CREATE TABLE entity_source_totals (
            source TEXT NOT NULL,
            key TEXT NOT NULL,
            type TEXT NOT NULL,
            name TEXT NOT NULL,
            articles INTEGER NOT NULL,
            mentions INTEGER NOT NULL,
            PRIMARY KEY (source, key, type)
        ) WITHOUT ROWID;
        CREATE INDEX entity_source_totals_mentions ON entity_source_totals (source, mentions);
        CREATE TABLE entity_pairs (
            a_key TEXT NOT NULL,
            a_type TEXT NOT NULL,
            b_key TEXT NOT NULL,
            b_type TEXT NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (a_key, a_type, b_key, b_type)
        ) WITHOUT ROWID;
        CREATE INDEX entity_pairs_b ON entity_pairs (b_key, b_type);
        CREATE TABLE tallies (
            dimension TEXT NOT NULL,
            value TEXT NOT NULL,
            articles INTEGER NOT NULL,
            tone_sum REAL NOT NULL,
            named_sources INTEGER NOT NULL,
            anonymous_sources INTEGER NOT NULL,
            quotes INTEGER NOT NULL,
            PRIMARY KEY (dimension, value)
        ) WITHOUT ROWID;
        CREATE TABLE speaker_totals (
            speaker TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            quotes INTEGER NOT NULL,
            articles INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX speaker_totals_quotes ON speaker_totals (quotes);
        CREATE TABLE term_postings (
            term TEXT NOT NULL,
            time_ms INTEGER NOT NULL,
            article_key TEXT NOT NULL,
            PRIMARY KEY (term, time_ms, article_key)
        ) WITHOUT ROWID;
        CREATE TABLE term_counts (
            term TEXT PRIMARY KEY NOT NULL,
            articles INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE stories (
            story_id INTEGER PRIMARY KEY,
            label TEXT NOT NULL,
            articles INTEGER NOT NULL,
            first_ms INTEGER NOT NULL,
            last_ms INTEGER NOT NULL
        );
        CREATE INDEX stories_size ON stories (articles, last_ms);
        CREATE INDEX stories_last ON stories (last_ms);
        CREATE TABLE story_terms (
            story_id INTEGER NOT NULL,
            term TEXT NOT NULL,
            name TEXT NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (story_id, term)
        ) WITHOUT ROWID;
        """
}
