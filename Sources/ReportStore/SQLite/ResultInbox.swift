import Foundation
import GRDB
import Synchronization

/// The results a collector has committed and the report store has not yet indexed, in a SQLite file of their own
/// beside the store (`<store>-inbox`), with the stored notices.
///
/// A collector commits each result here, as received, and acknowledges it; indexers then move results from here
/// into the store's tables in large batches (`SQLiteReportStore.indexPending`), so that what storing one result
/// costs the acknowledgement is a row and a notice, not the articles, aggregates and stories it feeds.
///
/// Invariants:
/// - a job id has at most one row here; `seq` numbers rows in the order they were committed and is never reused
///   (AUTOINCREMENT), so "every row up to n" names a fixed set of results;
/// - the store's `inbox_progress.indexed_seq` is the last row the store holds (written in the transaction that
///   moved it): rows at or below it only wait to be deleted, which the next commit here does, so a result is in
///   the store, here, or both (between the move and the deletion), never neither;
/// - the collector is the only writer of this file and indexers the only writers of the store, so neither waits
///   for the other's lock; each reads the other's file, and readers of a WAL database never wait.
final class ResultInbox: Sendable {
    let path: String
    let pool: DatabasePool
    /// A connection of its own for copying the log into the file (`copyLogIntoFile`), so that the copy runs on the
    /// indexer's thread: the writer's connection would queue it behind, and between, the commits it acknowledges.
    /// Opened by the first copy (a process that only reads the store never makes one).
    private let checkpointer = Mutex<DatabaseQueue?>(nil)

    /// Where the inbox of the store at `storePath` is.
    static func path(forStore storePath: String) -> String { storePath + "-inbox" }

    static let table = "inbox"

    init(path: String, maximumSizeBytes: Int?) throws {
        self.path = path
        // A size limit bounds the file, not its log: under one the log stays at SQLite's default size.
        let backstopPages = maximumSizeBytes == nil
            && SQLiteReportStore.hasRoom(forLogOf: Self.backstopCheckpointPages * 4_096, besideStoreAt: path)
            ? Self.backstopCheckpointPages : SQLiteReportStore.defaultCheckpointPages
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Effective when the file is created: rows are deleted once indexed, and the pages a backlog took are
            // given back to the file system (`deleteMoved`) instead of kept at the backlog's peak.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL") }
            // The writer's is set again once the pool has turned on WAL mode (`makeCommitsDurable`).
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(backstopPages)")
            if let limit = maximumSizeBytes {
                let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                try db.execute(sql: "PRAGMA max_page_count = \(max(1, limit / pageSize))")
            }
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try pool.makeCommitsDurable()
        try Self.migrator.migrate(pool)
    }

    // MARK: - Copying the log into the file
    //
    // Every committed page is written twice: to the log, durably, before the acknowledgement, and later into the
    // file (a checkpoint). The second copy adds nothing to durability and is about as many bytes as the first, so
    // the indexer, which reads the inbox anyway, makes it after a batch (`copyLogIntoFile`), off the acknowledging
    // thread; the writer copies the whole log only once it has grown to `backstopCheckpointPages` (an indexer paused
    // on busy cores or in a long batch, or none running).

    /// The log pages (4 KiB: the inbox keeps SQLite's page size) past which the writer copies the log itself where
    /// the disk has room (`SQLiteReportStore.hasRoom`, as for the store's own log): 32 MiB.
    static let backstopCheckpointPages = 8_192

    /// Results committed between two copies of the log by an indexer: about as many log pages (a result's row is
    /// most of a 4 KiB page), SQLite's own interval.
    static let resultsBetweenLogCopies = 1_024

    /// Copies the log into the file as far as it goes, without waiting for the writer or taking its lock (a
    /// passive checkpoint), and leaves the frames committed meanwhile to the writer (`committed(results:)`).
    ///
    /// The writer commits every few milliseconds, so a copy made beside it is never quite complete; and a log is
    /// started again from its beginning only by a commit that finds it wholly copied. Without the writer's part
    /// the log would never restart, and once past `backstopCheckpointPages` the writer would copy it at every commit.
    /// (A restarting checkpoint here would finish the copy, but it holds off the writer, and so acknowledgements,
    /// for as long as a reader stays in the log.)
    func copyLogIntoFile() throws {
        let connection = try checkpointer.withLock { connection in
            if let connection { return connection }
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            let opened = try DatabaseQueue(path: path, configuration: configuration)
            connection = opened
            return opened
        }
        try connection.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
        writerFinishesLogCopy.store(true, ordering: .releasing)
    }

    /// Set by `copyLogIntoFile`: the writer copies what was committed since, after its next commit.
    private let writerFinishesLogCopy = Atomic<Bool>(false)
    /// Results this process committed here since its indexer last copied the log.
    private let committedSinceLogCopy = Atomic<Int>(0)

    /// On the writer's thread, after a commit of `results` new rows: counts them towards the indexer's next copy,
    /// and copies the frames `copyLogIntoFile` left, a commit or two's worth, so that the next commit starts the log
    /// again. A copy that fails (a reader still in the log) is tried again after the indexer's next copy.
    func committed(results: Int) {
        committedSinceLogCopy.add(results, ordering: .relaxed)
        guard writerFinishesLogCopy.exchange(false, ordering: .acquiring) else { return }
        _ = try? pool.writeWithoutTransaction { db in try db.checkpoint(.passive) }
    }

    /// On the indexer's thread, after a batch: copies the log once `resultsBetweenLogCopies` results were committed
    /// since the last copy. A copy that fails (a full disk) is left to the next batch or to the writer's own, later
    /// copy: the log stays whole and durable either way.
    func copyLogIfDue() {
        let committed = committedSinceLogCopy.load(ordering: .relaxed)
        guard committed >= Self.resultsBetweenLogCopies else { return }
        committedSinceLogCopy.subtract(committed, ordering: .relaxed)
        try? copyLogIntoFile()
    }

    /// The inbox's tables. `inbox` has the columns of the store's `results` (`ResultRow` reads and writes both)
    /// and `seq`; `stored_notices` is the store's (see `SQLiteSchema`). Counting what waits (`seq > indexed`,
    /// by status, by batch) reads only the index `inbox_batch` (`countingSource`), never the wide rows: a status
    /// request during a backlog reads a few bytes per waiting result, not the result.
    ///
    /// v2 drops v1's second index, `inbox_pending (seq, status)`: `inbox_batch` holds the same values (an index
    /// entry carries its row's `seq`), and every index costs each result an insertion and a deletion on the
    /// acknowledging thread.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: inbox, stored_notices") { db in
            try db.execute(sql: """
                CREATE TABLE inbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    job_id TEXT NOT NULL UNIQUE,
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
                    analysis TEXT,
                    analysis_pb BLOB,
                    analysis_zlib_bytes INTEGER
                );
                CREATE INDEX inbox_batch ON inbox (batch_id, status);
                CREATE INDEX inbox_pending ON inbox (seq, status);
                CREATE TABLE stored_notices (
                    job_id TEXT PRIMARY KEY NOT NULL,
                    noticed_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2: one index") { db in
            try db.execute(sql: "DROP INDEX IF EXISTS inbox_pending")
        }
        return migrator
    }

    /// The inbox's rows as counted: through `inbox_batch` alone, whose entries hold each row's `seq`, `batch_id`
    /// and `status`, so that a count reads no row (SQLite would otherwise walk the rows for a range of `seq`).
    static let countingSource = "inbox INDEXED BY inbox_batch"

    /// Free pages beyond which a commit gives some back to the file system; also the most one step gives back.
    static let freePagesKept = 1024

    /// Inside a commit: deletes the rows up to `indexed` (the store holds them) and, when more than `keeping`
    /// pages are free, gives up to `freePagesKept` back, so that a backlog's space returns as it drains, a bounded
    /// amount per step. Returns whether more than `keeping` free pages remain for another step.
    @discardableResult
    static func deleteMoved(through indexed: Int64, keepingFreePages keeping: Int, in db: Database) throws -> Bool {
        try db.cachedStatement(sql: "DELETE FROM inbox WHERE seq <= ?").execute(arguments: [indexed])
        let free = try Int.fetchOne(db.cachedStatement(sql: "PRAGMA freelist_count")) ?? 0
        guard free > keeping else { return false }
        let released = min(free, freePagesKept)
        try db.execute(sql: "PRAGMA incremental_vacuum(\(released))")
        return free - released > keeping
    }

    static let insertSQL = ResultRow.insertSQL(into: table)
    static let selectAllSQL = ResultRow.selectAllSQL(from: table)
    static let selectWithSequenceSQL = ResultRow.selectAllSQL(from: table, alsoSelecting: "seq")
}
