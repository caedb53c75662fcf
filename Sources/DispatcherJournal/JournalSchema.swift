import Foundation
import GRDB
import MirsadCore

/// A job's state as stored in the `state` column. The partial indexes name these values literally, so a value
/// once shipped is never renamed.
enum JournalRowState: String, CaseIterable {
    case queued
    case inFlight = "in_flight"
    case retrying
    case awaitingStore = "awaiting_store"
    case stored
    case dead

    var kind: JobCounts.Kind {
        switch self {
        case .queued: .queued
        case .inFlight: .inFlight
        case .retrying: .retrying
        case .awaitingStore: .awaitingStore
        case .stored: .stored
        case .dead: .failed
        }
    }

    /// SQL list of the states a job can still fail or finish from: `('queued', 'in_flight', 'retrying')`.
    static let unfinishedSQL = "('queued', 'in_flight', 'retrying')"
}

/// The journal's one table, built by numbered migrations. A migration, once shipped, is never edited: changes go
/// in a new one.
///
/// `jobs` has one row per job id, deleted only when the job has been stored for longer than the retention window
/// (`SQLiteJobJournal.pruneStored`). `seq` (the rowid) is assigned at insert and never changes: it is
/// the queue order, so a job taken back keeps its place. Since v2 the job's bytes (the `Job` as its producer
/// encoded it) are in `job_bodies` under the job's `seq`: deleted once the job is awaiting store or stored, kept for
/// dead jobs so that they can be queued again; `jobs.body` is NULL. Since v4 a body stays while its job awaits store
/// (`not_before_ms` is then the deadline for its STORED), and `batch_priorities` holds the batches whose priority is
/// not 0. Since v5 `silent_workers` lists the workers a job was taken back from when they went silent, until a late
/// crash report from each one's next process counts for the job. Times are INTEGER milliseconds since 1970 UTC.
///
/// The partial indexes cover only the rows a hot query looks for, so that taking queued jobs, promoting due
/// retries, listing dead letters and pruning stored jobs never step over other jobs. Since v6 no index covers every
/// job's state: `jobs_batch_state` (v1), which made the count at open a scan of an index instead of the table, was
/// rewritten at each of a job's changes of state, most of the journal's work per job; the count at open scans the
/// table, whose rows are small since v2.
enum JournalSchema {
    /// The name of the first migration, which a file must have applied to be taken for a journal.
    static let firstMigration = "v1: jobs"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(firstMigration) { db in
            try db.execute(sql: """
                CREATE TABLE jobs (
                    seq INTEGER PRIMARY KEY,
                    job_id TEXT NOT NULL UNIQUE,
                    batch_id TEXT NOT NULL,
                    article_id TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN \
                ('queued', 'in_flight', 'retrying', 'awaiting_store', 'stored', 'dead')),
                    failures INTEGER NOT NULL DEFAULT 0,
                    dispatches INTEGER NOT NULL DEFAULT 0,
                    not_before_ms INTEGER,
                    submitted_ms INTEGER NOT NULL,
                    error TEXT,
                    worker_id TEXT,
                    dead_ms INTEGER,
                    body BLOB
                );
                CREATE INDEX jobs_queued ON jobs (seq) WHERE state = 'queued';
                CREATE INDEX jobs_retrying ON jobs (not_before_ms) WHERE state = 'retrying';
                CREATE INDEX jobs_dead ON jobs (job_id) WHERE state = 'dead';
                CREATE INDEX jobs_dead_batch ON jobs (batch_id, job_id) WHERE state = 'dead';
                CREATE INDEX jobs_batch_state ON jobs (batch_id, state, dispatches);
                """)
        }
        migrator.registerMigration("v2: bodies apart") { db in
            // A job's row changes state several times and its body never: kept apart, a state change rewrites a
            // small row instead of the article, and the body's pages are freed when it is no longer needed.
            try db.execute(sql: """
                CREATE TABLE job_bodies (
                    seq INTEGER PRIMARY KEY,
                    body BLOB NOT NULL
                );
                INSERT INTO job_bodies (seq, body) SELECT seq, body FROM jobs WHERE body IS NOT NULL;
                UPDATE jobs SET body = NULL WHERE body IS NOT NULL;
                """)
        }
        migrator.registerMigration("v3: identity and retention") { db in
            // `stored_ms` is when a job became stored, for pruning after the retention window; rows stored before
            // this migration count from their submission. `journal_meta` holds the journal's identity.
            try db.execute(sql: """
                ALTER TABLE jobs ADD COLUMN stored_ms INTEGER;
                UPDATE jobs SET stored_ms = submitted_ms WHERE state = 'stored';
                CREATE INDEX jobs_stored ON jobs (stored_ms) WHERE state = 'stored';
                CREATE TABLE journal_meta (
                    key TEXT PRIMARY KEY,
                    value BLOB NOT NULL
                );
                """)
            try db.execute(
                sql: "INSERT INTO journal_meta (key, value) VALUES ('journal_id', ?)",
                arguments: [UUID().uuidString.lowercased()])
        }
        migrator.registerMigration("v4: batches share the queue") { db in
            // Dispatch takes the queued jobs of one batch at a time (round robin between batches) and requeues jobs
            // whose STORED is overdue (their deadline in `not_before_ms`); priorities other than 0 are kept per batch.
            try db.execute(sql: """
                CREATE INDEX jobs_queued_batch ON jobs (batch_id, seq) WHERE state = 'queued';
                CREATE INDEX jobs_awaiting_store ON jobs (not_before_ms) WHERE state = 'awaiting_store';
                CREATE TABLE batch_priorities (
                    batch_id TEXT PRIMARY KEY,
                    priority INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v5: late crash reports") { db in
            // The workers a job was taken back from when they went silent (a JSON array of ids, the latest last),
            // until a crash report of each one's next process counts for the job (once): kept here, such a report
            // counts across restarts.
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN silent_workers TEXT")
        }
        migrator.registerMigration("v6: no index of every state") { db in
            // Each change of a job's state rewrote its entry here; only the count at open read it, which now scans
            // the table (`SQLiteJobJournal.recover`).
            try db.execute(sql: "DROP INDEX IF EXISTS jobs_batch_state")
        }
        return migrator
    }
}
