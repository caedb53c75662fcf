import GRDB

/// The SQLite store's tables, built by numbered migrations. A migration, once shipped, is never edited:
/// changes go in a new one.
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
        return migrator
    }
}
