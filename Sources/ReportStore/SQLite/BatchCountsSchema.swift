import GRDB

/// Schema v13: results counted per batch in a row of their own, and no index that no query reads.
///
/// A batch's stored results were counted through `results_batch` (batch_id, status), an index entry of some 60
/// bytes for every result; `batch_counts` holds one row per batch and status, kept by the transaction that writes
/// the results (as `result_counts` is). `results_source` and `articles_job` were never read: reports filter
/// outlets through `articles`, and an article's latest result is found by `articles.job_id` in `results`, whose
/// key it is. A stored news article takes about 140 bytes less.
///
/// Invariant: `batch_counts` has, for each batch and status of `results`, the number of its rows, and no other
/// row.
enum BatchCountsSchema {
    static let migration = """
        CREATE TABLE batch_counts (
            batch_id TEXT NOT NULL,
            status TEXT NOT NULL,
            results INTEGER NOT NULL,
            PRIMARY KEY (batch_id, status)
        ) WITHOUT ROWID;
        INSERT INTO batch_counts (batch_id, status, results) SELECT batch_id, status, COUNT(*) FROM results GROUP BY 1, 2;
        DROP INDEX IF EXISTS results_batch;
        DROP INDEX IF EXISTS results_source;
        DROP INDEX IF EXISTS articles_job;
        """

    /// The v13 migration. (A store written before v4 gets its articles from the newest migration, once every
    /// table has the layout today's ledger writes: `SQLiteSchema`.)
    static func migrate(_ db: Database) throws {
        try db.execute(sql: migration)
    }
}
