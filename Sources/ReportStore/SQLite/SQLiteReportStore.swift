import ArticleAnalysis
import Foundation
import GRDB
import Synchronization

/// The report store in one SQLite file, in WAL mode: one writer at a time, readers never blocked by it.
///
/// Each `store` call is one transaction with `synchronous = FULL`, so the rows are on disk when it returns.
/// The schema is built and upgraded by `SQLiteSchema.migrator` when the store opens.
///
/// A store that stages results (`Options.stagesResults`, or one whose inbox file exists) commits them to its
/// inbox (`ResultInbox`) instead, and `indexPending` moves them into the tables reports read. Whatever stages,
/// `count`, `contains`, `result`, `batchCounts` and the notices answer for every result committed, indexed or
/// not; reports answer for the indexed ones and say how many wait (`ReportSummary.notYetIndexed`).
public final class SQLiteReportStore: ReportStore {
    /// How to open a store.
    public struct Options: Sendable {
        /// The most the database file may grow to; past it writes fail with `ReportStoreError.diskFull`,
        /// as they would on a full disk. Nil for no limit but the disk's.
        public var maximumSizeBytes: Int?
        /// Whether results become articles with aggregates and stories (the default). Without, each result is
        /// a job row with its entity and topic rows only, as before articles existed: a baseline for measuring
        /// what articles cost, not a mode to report from.
        public var keepsArticles: Bool
        /// Whether storing keeps the aggregates and summary rows (the default). Without, articles, their rows and
        /// stories are still written but only the store-wide tallies are kept: a baseline for measuring what the
        /// aggregates cost, not a mode to report from (reports read stale or empty aggregates).
        public var keepsAggregates: Bool
        /// Whether `store` commits results to the inbox, to be indexed by `indexPending` (a collector's way), rather
        /// than indexing them in the committing transaction. A store whose inbox file exists stages whatever this
        /// says, so that a job id is looked up in one place.
        public var stagesResults = false
        /// How stories are formed; tests and the story evaluation change it.
        public var storyWindowDays: Double
        public var storySimilarity: Double
        /// Whether filtered reports read the summary rows where they answer the filter (the default), or count the
        /// matching articles always: tests compare the two.
        var readsSummaries = true
        /// The most matching articles a filtered report counts one by one: beyond, the parts summary rows do not
        /// answer are counted over the newest this many (`CountedWindow`). Tests lower it.
        public var windowLimit = CountedWindow.defaultLimit

        public init(
            maximumSizeBytes: Int? = nil, keepsArticles: Bool = true, keepsAggregates: Bool = true,
            storyWindowDays: Double = 3, storySimilarity: Double = 0.15, stagesResults: Bool = false
        ) {
            self.stagesResults = stagesResults
            self.maximumSizeBytes = maximumSizeBytes
            self.keepsArticles = keepsArticles
            self.keepsAggregates = keepsAggregates
            self.storyWindowDays = storyWindowDays
            self.storySimilarity = storySimilarity
        }
    }

    /// The database file's path, as given.
    public let path: String
    let pool: DatabasePool
    let options: Options
    /// Where committed results wait to be indexed, when the store stages them.
    let inbox: ResultInbox?
    /// The store's `inbox_progress.indexed_seq` as this process last read or wrote it: never above it, since it
    /// only grows, so the inbox rows up to it may be deleted without reading the store at every commit.
    let indexedSequenceSeen = Atomic<Int64>(0)
    private let inboxCommitCount = Atomic<UInt64>(0)

    /// Commits this process made to the inbox: an indexer in the same process looks at the inbox when it changes
    /// rather than polling the files.
    public var inboxCommits: UInt64 { inboxCommitCount.load(ordering: .relaxed) }
    let clustering: StoryClustering.Parameters
    /// Each connection's page cache.
    static let cacheKibibytes = 65_536

    /// The page size of a store file made by this build (an existing file keeps its own).
    ///
    /// A result's row, its analysis included, takes about 2.8 KB: with 4 KiB pages, two never share a page and a
    /// third of the table's pages was free space. SQLite moves the part of a row beyond what a page holds into
    /// overflow pages that it fills completely; with 2 KiB pages that is most of a result's row, and the table
    /// takes a fifth less (`mirsad benchmark collector`: 3.85 KB a result with 4 KiB pages, 3.10 KB with 2 KiB). The
    /// index tables take 1-4% more, and indexing costs about the same CPU.
    static let pageSize = 2_048
    /// The log written between automatic checkpoints where the disk has room: it grows to about 64 MiB before it
    /// is copied into the database and reused.
    ///
    /// A result touches about 160 B-tree entries across the article, summary and story tables, so a commit
    /// dirties pages all over the file. Checkpointing every 1,000 pages (SQLite's default) copied the same hot pages
    /// back into the database again and again: a fifth of storing. Every 64 MiB, each page is copied once
    /// however often it changed meanwhile.
    static let checkpointLogBytes = 64 << 20
    /// SQLite's default, kept where the disk is small or full: a checkpoint copies the log into the database file,
    /// which needs free space beside the log, so a log that could outgrow the free space would never be copied.
    static let defaultCheckpointPages = 1_000

    /// Whether the disk under the file at `path` has room for a log of `bytes` eight times over.
    static func hasRoom(forLogOf bytes: Int, besideStoreAt path: String) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        var stats = statvfs()
        guard statvfs(directory.isEmpty ? "." : directory, &stats) == 0 else { return false }
        return Int(stats.f_bavail) * Int(stats.f_frsize) >= 8 * bytes
    }

    /// Opens the store at `path`, creating the file and its tables if needed.
    ///
    /// - Throws: `ReportStoreError.cannotOpen` naming the path and the reason (missing directory, not a
    ///   database, no permission, ...).
    public init(path: String, options: Options = Options()) throws {
        self.path = path
        self.options = options
        var clustering = StoryClustering.Parameters()
        clustering.windowMilliseconds = Int64(options.storyWindowDays * 86_400_000)
        clustering.similarity = options.storySimilarity
        self.clustering = clustering
        // Read once: every connection's setting, though only the writer's checkpoints (in pages of the file's size,
        // read on each connection).
        let roomForLongLog = Self.hasRoom(forLogOf: Self.checkpointLogBytes, besideStoreAt: path)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA page_size = \(Self.pageSize)")
            // The writer's is set again once the pool has turned on WAL mode (`makeCommitsDurable`).
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // A commit holds up to thousands of results: with SQLite's default 2 MB page cache, pages spill to the
            // log mid-transaction and are read back, which cost a third of storing.
            try db.execute(sql: "PRAGMA cache_size = -\(Self.cacheKibibytes)")
            // A file made before stores had 2 KiB pages keeps its 4 KiB ones.
            let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? Self.pageSize
            let checkpointPages = roomForLongLog ? Self.checkpointLogBytes / pageSize : Self.defaultCheckpointPages
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(checkpointPages)")
            if let limit = options.maximumSizeBytes {
                try db.execute(sql: "PRAGMA max_page_count = \(max(1, limit / pageSize))")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.makeCommitsDurable()
        } catch {
            throw ReportStoreError.cannotOpen(path: path, reason: Self.openFailureReason(path: path, error: error))
        }
        let applied: Set<String>
        do {
            applied = try pool.read { db in try SQLiteSchema.migrator.appliedIdentifiers(db) }
        } catch {
            throw ReportStoreError.cannotOpen(path: path, reason: Self.openFailureReason(path: path, error: error))
        }
        let known = Set(SQLiteSchema.migrator.migrations)
        let unknown = applied.subtracting(known)
        if !unknown.isEmpty {
            throw ReportStoreError.newerSchema(
                path: path, found: known.count + unknown.count, supported: SQLiteSchema.currentVersion,
                migrations: unknown.sorted())
        }
        do {
            try SQLiteSchema.migrator.migrate(pool)
        } catch {
            throw ReportStoreError.cannotOpen(path: path, reason: Self.openFailureReason(path: path, error: error))
        }
        // A new file went through every migration, and the renumbering of v7 and v8 left the pages of the tables
        // they replaced free: given back now (an instant for an empty store), so that a new store holds no space
        // it has not used. Best effort: another process opening the same new file at once may hold it, and free
        // pages are reused anyway.
        if applied.isEmpty { try? pool.vacuum() }
        let inboxPath = ResultInbox.path(forStore: path)
        if options.stagesResults || FileManager.default.fileExists(atPath: inboxPath) {
            do {
                inbox = try ResultInbox(path: inboxPath, maximumSizeBytes: options.maximumSizeBytes)
                try moveNoticesToInbox()
                saw(indexedSequence: try indexedSequence())
            } catch {
                throw ReportStoreError.cannotOpen(
                    path: inboxPath, reason: Self.openFailureReason(path: inboxPath, error: error))
            }
        } else {
            inbox = nil
        }
    }

    /// Notices a store kept before it staged move to its inbox, in their order: first copied, then deleted here,
    /// so that a crash between the two leaves them in both, and the next open finishes the move.
    private func moveNoticesToInbox() throws {
        guard let inbox else { return }
        let notices = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT job_id, noticed_at FROM stored_notices ORDER BY rowid")
        }
        if notices.isEmpty { return }
        try inbox.pool.write { db in
            for notice in notices {
                try db.cachedStatement(sql: Self.insertNoticeSQL).execute(arguments: [notice["job_id"], notice["noticed_at"]])
            }
        }
        try pool.write { db in try db.execute(sql: "DELETE FROM stored_notices") }
    }

    public func store(_ results: [StoredResult]) throws -> StoreOutcome {
        try store(results, confirmingNotices: [])
    }

    public func store(_ results: [StoredResult], confirmingNotices confirming: [String]) throws -> StoreOutcome {
        if results.isEmpty {
            try confirmNotices(confirming)
            return StoreOutcome()
        }
        let storedAt = StoredTime.milliseconds(Date())
        do {
            if let inbox {
                let outcome = try stage(results, confirmingNotices: confirming, storedAt: storedAt, in: inbox)
                if !outcome.inserted.isEmpty { inboxCommitCount.add(1, ordering: .relaxed) }
                inbox.committed(results: outcome.inserted.count)
                return outcome
            }
            return try storeInTransaction(results, confirmingNotices: confirming, storedAt: storedAt)
        } catch let error as ReportStoreError {
            if case .diskFull = error {
                if let inbox {
                    // The log may hold what the next commit needs: what can be copied into the file is copied now,
                    // so that the next commit reuses the log.
                    try? inbox.copyLogIntoFile()
                } else {
                    checkpointOftenAfterDiskFull()
                }
            }
            throw error
        }
    }

    private func storeInTransaction(
        _ results: [StoredResult], confirmingNotices confirming: [String], storedAt: Int64
    ) throws -> StoreOutcome {
        try perform("storing \(results.count) results") {
            try pool.write { db in
                let deleteNotice = try db.cachedStatement(sql: Self.deleteNoticeSQL)
                for jobID in confirming {
                    deleteNotice.setUncheckedArguments([jobID])
                    try deleteNotice.execute()
                }
                let insertNotice = try db.cachedStatement(sql: Self.insertNoticeSQL)
                for result in results {
                    insertNotice.setUncheckedArguments([result.jobID, storedAt])
                    try insertNotice.execute()
                }
                return try index(results.lazy.map { ($0, storedAt) }, in: db)
            }
        }
    }

    /// Writes the job rows of `results` (each with the time it was committed) and indexes the new ones, inside
    /// the caller's transaction: the articles, aggregates and stories, or the entity and topic rows without
    /// articles.
    func index(
        _ results: some Sequence<(StoredResult, Int64)>, in db: Database
    ) throws -> StoreOutcome {
        try index(results.lazy.map { IndexedResult(result: $0, storedAt: $1) }, in: db)
    }

    /// A result on its way into the store's tables, with what was worked out of it before the write lock was
    /// taken: its analysis decoded, and the article's facts (nil: worked out under the lock).
    struct IndexedResult: Sendable {
        var result: StoredResult
        var storedAt: Int64
        var analysis: Analysis? = nil
        var facts: ArticleFacts? = nil
    }

    /// `index(_:in:)` of results whose analyses and facts may be worked out already.
    func index(_ results: some Sequence<IndexedResult>, in db: Database) throws -> StoreOutcome {
        var insertResult = DirectStatement(try db.cachedStatement(sql: ResultRow.insertSQL))
        let insertEntity = try db.cachedStatement(sql: ResultRow.insertEntitySQL)
        let insertTopic = try db.cachedStatement(sql: ResultRow.insertTopicSQL)
        var outcome = StoreOutcome()
        // Rows written per batch and status, for `batch_counts` and `result_counts`.
        var perBatch: [BatchStatus: Int] = [:]
        let deltas = AggregateDeltas(keepsSummaries: options.keepsAggregates)
        for indexed in results {
            let (result, storedAt, decoded) = (indexed.result, indexed.storedAt, indexed.analysis)
            guard try ResultRow.insert(result, storedAt: storedAt, with: &insertResult) else {
                outcome.duplicates.append(result.jobID)
                continue
            }
            outcome.inserted.append(result.jobID)
            perBatch[BatchStatus(batchID: result.batchID, analysed: result.storedAnalysis != nil), default: 0] += 1
            guard let stored = result.storedAnalysis else { continue }
            if options.keepsArticles {
                // An analysis that does not decode stays a job row, found when it is read.
                guard let analysis = decoded ?? (try? stored.decoded()) else { continue }
                try ArticleLedger.record(
                    result, analysis: analysis, facts: indexed.facts, storedAt: storedAt, clustering: clustering,
                    deltas: deltas, in: db)
                continue
            }
            let index = stored.index
            for entity in index.entities {
                insertEntity.setUncheckedArguments([result.jobID, entity.key, entity.name, entity.type.rawValue, entity.mentions])
                try insertEntity.execute()
            }
            for topic in index.topics {
                insertTopic.setUncheckedArguments([result.jobID, topic.topic, topic.score])
                try insertTopic.execute()
            }
        }
        try deltas.flush(db)
        let counted = try db.cachedStatement(sql: """
            INSERT INTO result_counts (status, results) VALUES (?, ?)
            ON CONFLICT (status) DO UPDATE SET results = results + excluded.results
            """)
        var perStatus: [String: Int] = [:]
        for (key, n) in perBatch { perStatus[key.status, default: 0] += n }
        for (status, n) in perStatus.sorted(by: { $0.key < $1.key }) {
            try counted.execute(arguments: [status, n])
        }
        let countedInBatch = try db.cachedStatement(sql: """
            INSERT INTO batch_counts (batch_id, status, results) VALUES (?, ?, ?)
            ON CONFLICT (batch_id, status) DO UPDATE SET results = results + excluded.results
            """)
        for (key, n) in perBatch {
            try countedInBatch.execute(arguments: [key.batchID, key.status, n])
        }
        return outcome
    }

    private struct BatchStatus: Hashable {
        var batchID: String
        var analysed: Bool
        var status: String { analysed ? "analysed" : "failed" }
    }

    /// The log may hold the space a commit needs: from now on it is checkpointed often, and what can be copied is
    /// copied now, so that the next commit reuses the log instead of growing it.
    func checkpointOftenAfterDiskFull() {
        try? pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.defaultCheckpointPages)")
            _ = try? db.checkpoint(.passive)
        }
    }

    /// Copies the write-ahead log into the database file and empties it, so that the file alone holds the store
    /// and its size is what the store takes (the log may otherwise hold up to `checkpointLogBytes`).
    public func checkpoint() throws {
        try perform("checkpointing the log") {
            _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            _ = try inbox?.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        }
    }

    static let deleteNoticeSQL = "DELETE FROM stored_notices WHERE job_id = ?"
    static let insertNoticeSQL =
        "INSERT INTO stored_notices (job_id, noticed_at) VALUES (?, ?) ON CONFLICT (job_id) DO NOTHING"

    /// The database holding the stored notices: the inbox's when the store stages.
    private var noticePool: DatabasePool { inbox?.pool ?? pool }

    public func pendingNotices(limit: Int) throws -> [String] {
        guard limit >= 0 else { throw ReportStoreError.invalidArgument("limit must not be negative, got \(limit)") }
        return try perform("listing pending stored notices") {
            try noticePool.read { db in
                try String.fetchAll(db, sql: "SELECT job_id FROM stored_notices ORDER BY rowid LIMIT ?", arguments: [limit])
            }
        }
    }

    public func confirmNotices(_ jobIDs: [String]) throws {
        if jobIDs.isEmpty { return }
        try perform("confirming \(jobIDs.count) stored notices") {
            try noticePool.write { db in
                let delete = try db.cachedStatement(sql: Self.deleteNoticeSQL)
                for jobID in jobIDs {
                    delete.setUncheckedArguments([jobID])
                    try delete.execute()
                }
            }
        }
    }

    public func count() throws -> StoreCounts {
        try perform("counting") {
            try countsWithInbox(condition: "1", arguments: []) { db in
                try Self.counts(db, sql: "SELECT status, results FROM result_counts", arguments: [])
            }
        }
    }

    public func batchCounts(batchID: String) throws -> StoreCounts {
        try perform("counting batch \(batchID)") {
            try countsWithInbox(condition: "batch_id = ?", arguments: [batchID]) { db in
                try Self.counts(
                    db, sql: "SELECT status, results FROM batch_counts WHERE batch_id = ?", arguments: [batchID])
            }
        }
    }

    public func contains(jobID: String) throws -> Bool {
        try perform("looking up job \(jobID)") {
            let sql = "SELECT 1 FROM \(ResultInbox.table) WHERE job_id = ?"
            if let inbox, try inbox.pool.read({ db in try Bool.fetchOne(db, sql: sql, arguments: [jobID]) }) == true {
                return true
            }
            return try pool.read { db in
                try Bool.fetchOne(db, sql: "SELECT 1 FROM results WHERE job_id = ?", arguments: [jobID]) ?? false
            }
        }
    }

    public func result(jobID: String) throws -> StoredResult? {
        // The inbox first: a result moved meanwhile is in the store by the time the store is read.
        if let staged = try perform("reading job \(jobID)", { try stagedResult(jobID: jobID) }) { return staged }
        let row = try perform("reading job \(jobID)") {
            try pool.read { db in try Row.fetchOne(db, sql: ResultRow.selectSQL, arguments: [jobID]) }
        }
        guard let row else { return nil }
        do {
            return try ResultRow.decode(row, decoder: JSONDecoder())
        } catch let error as ResultRow.RowError {
            throw ReportStoreError.corruptRow(path: path, jobID: error.jobID, reason: error.reason)
        }
    }

    public func topEntities(limit: Int, type: EntityType?) throws -> [EntityCount] {
        guard limit >= 0 else { throw ReportStoreError.invalidArgument("limit must not be negative, got \(limit)") }
        if options.keepsArticles {
            return try topEntities(ReportFilter(), limit: limit, type: type).map {
                EntityCount(key: $0.key, name: $0.name, type: $0.type, mentions: $0.mentions, articles: $0.articles)
            }
        }
        let rows = try perform("ranking entities") {
            try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT ranked.*, (
                        SELECT name FROM entities n WHERE n.key = ranked.key AND n.type = ranked.type
                        GROUP BY name ORDER BY SUM(mentions) DESC, name LIMIT 1) AS name
                    FROM (
                        SELECT key, type, SUM(mentions) AS mentions, COUNT(DISTINCT job_id) AS articles
                        FROM entities
                        WHERE ?1 IS NULL OR type = ?1
                        GROUP BY key, type
                        ORDER BY mentions DESC, articles DESC, key, type
                        LIMIT ?2
                    ) AS ranked
                    ORDER BY mentions DESC, articles DESC, key, type
                    """, arguments: [type?.rawValue, limit])
            }
        }
        return try rows.map { row in
            let typeName: String = row["type"]
            guard let type = EntityType(rawValue: typeName) else {
                throw ReportStoreError.corruptRow(
                    path: path, jobID: "(entity \(row["key"] as String))", reason: "unknown entity type \(typeName)")
            }
            return EntityCount(key: row["key"], name: row["name"], type: type, mentions: row["mentions"], articles: row["articles"])
        }
    }

    // MARK: - Helpers

    private static func counts(_ db: Database, sql: String, arguments: StatementArguments) throws -> StoreCounts {
        var counts = StoreCounts(analysed: 0, failed: 0)
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            switch row[0] as String {
            case "analysed": counts.analysed = row[1]
            default: counts.failed += row[1] as Int
            }
        }
        return counts
    }

    /// Runs `body`, turning database errors into `ReportStoreError`s that name the store and `operation`.
    func perform<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_FULL {
                throw ReportStoreError.diskFull(path: path, reason: error.message ?? "database or disk is full")
            }
            throw ReportStoreError.database(path: path, operation: operation, reason: error.description)
        }
    }

    private static func openFailureReason(path: String, error: Error) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            return "the directory \(directory) does not exist"
        }
        if !directory.isEmpty, !isDirectory.boolValue {
            return "\(directory) is not a directory"
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return "\(path) is a directory"
        }
        if FileManager.default.fileExists(atPath: path), !FileManager.default.isWritableFile(atPath: path) {
            return "the file is not writable (a store is opened for writing: it may need upgrading, and SQLite keeps its log beside it)"
        }
        if !directory.isEmpty, !FileManager.default.isWritableFile(atPath: directory) {
            return "the directory \(directory) is not writable"
        }
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }
}
