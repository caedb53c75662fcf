import ArticleAnalysis
import Foundation
import Logging
import PostgresNIO

/// The report store in a PostgreSQL database, which several collectors (on several machines) may write at once.
///
/// Same behaviour as `SQLiteReportStore`: one transaction per `store` call, holding the results, their stored
/// notices, the articles, every aggregate and the story assignments; idempotent by job id.
///
/// Concurrency: every writing transaction first takes one transaction-scoped advisory lock
/// (`PostgresSchema.writerLock`), so writers from any number of processes commit one after
/// another and each sees every earlier commit before it reads. That keeps the read-then-write steps exact (is this
/// article known, which version, which story it joins, a term's weight), which row locks and `ON CONFLICT`
/// increments alone would not: two collectors storing the same new article at once would both count it. Readers
/// take no lock and see whole transactions (MVCC). The price is one writer at a time; a collector's batch is one
/// transaction, so the lock is taken once per batch, not per result.
///
/// The interface is synchronous: a call blocks its thread while the work runs on the store's own thread and NIO's
/// event loops (`PostgresBridge`), never on Swift's cooperative pool, so callers may be anywhere but inside another
/// call's work.
public final class PostgresReportStore: ReportStore, ReportQueries {
    public typealias Options = SQLiteReportStore.Options

    /// The store's location, password hidden: what messages name.
    public let path: String
    let bridge: PostgresBridge
    let options: Options
    let clustering: StoryClustering.Parameters
    static let quietLogger = Logger(label: "mirsad.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Connects to the database at `url` (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`), creating or upgrading
    /// the tables.
    ///
    /// - Throws: `ReportStoreError.invalidArgument` for a URL that is not one; `.cannotOpen` when the server does
    ///   not answer, refuses the login or the database is missing; `.newerSchema` when a newer mirsad wrote it.
    ///
    /// - Parameter creating: false to refuse a database without the store's tables instead of creating them.
    public init(url: String, options: Options = Options(), creating: Bool = true) throws {
        let location = try PostgresLocation(url: url)
        path = location.description
        self.options = options
        var clustering = StoryClustering.Parameters()
        clustering.windowMilliseconds = Int64(options.storyWindowDays * 86_400_000)
        clustering.similarity = options.storySimilarity
        self.clustering = clustering
        bridge = PostgresBridge(configuration: location.connectionConfiguration, logger: Self.quietLogger)
        // The first connection opens with a time limit (`PostgresLocation`), so a server that does not answer or
        // refuses the login is an error here; the migrations run before any other call.
        let description = location.description, schema = location.schema
        do {
            try bridge.wait { connections in
                try await connections.withConnection { connection in
                    try await PostgresSchema.migrate(connection, schema: schema, creating: creating, location: description)
                }
            }
        } catch let error as ReportStoreError {
            bridge.shutDown()
            throw error
        } catch {
            bridge.shutDown()
            throw ReportStoreError.cannotOpen(path: path, reason: Self.reason(error))
        }
    }

    deinit { bridge.shutDown() }

    /// Drops the store kept in the schema that `url` names (`?schema=NAME`), with everything in it; a URL without
    /// a schema is refused, so the database's own `public` schema is never dropped.
    public static func drop(url: String) throws {
        let location = try PostgresLocation(url: url)
        guard let schema = location.schema else {
            throw ReportStoreError.invalidArgument("only a store in a schema of its own (?schema=NAME) can be dropped: \(location)")
        }
        let bridge = PostgresBridge(configuration: location.connectionConfiguration, logger: quietLogger)
        defer { bridge.shutDown() }
        do {
            try bridge.wait { connections in
                try await connections.withConnection { connection in
                    try await connection.execute(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"))
                }
            }
        } catch {
            throw ReportStoreError.database(path: location.description, operation: "dropping schema \(schema)", reason: reason(error))
        }
    }

    // MARK: - Writing

    public func store(_ results: [StoredResult]) throws -> StoreOutcome {
        try store(results, confirmingNotices: [])
    }

    public func store(_ results: [StoredResult], confirmingNotices confirming: [String]) throws -> StoreOutcome {
        if results.isEmpty {
            try confirmNotices(confirming)
            return StoreOutcome()
        }
        let storedAt = StoredTime.milliseconds(Date())
        let options = self.options, clustering = self.clustering
        return try perform("storing \(results.count) results") { connections in
            try await connections.withTransaction { db in
                try await db.execute(PostgresSchema.writerLock)
                if !confirming.isEmpty {
                    try await db.execute("DELETE FROM stored_notices WHERE job_id = ANY(\(confirming)::text[])")
                }
                try await db.execute("""
                    INSERT INTO stored_notices (job_id, noticed_at)
                    SELECT j, \(storedAt) FROM unnest(\(results.map(\.jobID))::text[]) WITH ORDINALITY AS x(j, n) ORDER BY n
                    ON CONFLICT (job_id) DO NOTHING
                    """)
                var outcome = StoreOutcome()
                var failed = 0
                for result in results {
                    guard try await db.row(PostgresResultRow.insert(result, storedAt: storedAt)) != nil else {
                        outcome.duplicates.append(result.jobID)
                        continue
                    }
                    outcome.inserted.append(result.jobID)
                    guard let stored = result.storedAnalysis else {
                        failed += 1
                        continue
                    }
                    if options.keepsArticles {
                        // An analysis that does not decode stays a job row, found when it is read.
                        guard let analysis = try? stored.decoded() else { continue }
                        try await PostgresArticleLedger.record(
                            result, analysis: analysis, storedAt: storedAt, clustering: clustering,
                            keepsAggregates: options.keepsAggregates, on: db)
                        continue
                    }
                    let index = stored.index
                    let entities = index.entities
                    if !entities.isEmpty {
                        try await db.execute("""
                            INSERT INTO entities (job_id, key, name, type, mentions)
                            SELECT \(result.jobID), k, n, t, m FROM unnest(\(entities.map(\.key))::text[],
                                \(entities.map(\.name))::text[], \(entities.map(\.type.rawValue))::text[],
                                \(entities.map(\.mentions))::bigint[]) AS x(k, n, t, m)
                            ON CONFLICT DO NOTHING
                            """)
                    }
                    let topics = index.topics
                    if !topics.isEmpty {
                        try await db.execute("""
                            INSERT INTO topics (job_id, topic, score)
                            SELECT \(result.jobID), t, s FROM unnest(\(topics.map(\.topic))::text[], \(topics.map(\.score))::float8[]) AS x(t, s)
                            ON CONFLICT DO NOTHING
                            """)
                    }
                }
                // Job rows per status, so that counting them reads two rows (`count()`).
                let analysed = outcome.inserted.count - failed
                try await db.execute("""
                    INSERT INTO result_counts AS c (status, results)
                    SELECT s, n FROM unnest(ARRAY['analysed', 'failed']::text[], \([analysed, failed])::bigint[]) AS x(s, n) WHERE n > 0
                    ON CONFLICT (status) DO UPDATE SET results = c.results + excluded.results
                    """)
                return outcome
            }
        }
    }

    public func pendingNotices(limit: Int) throws -> [String] {
        guard limit >= 0 else { throw ReportStoreError.invalidArgument("limit must not be negative, got \(limit)") }
        return try perform("listing pending stored notices") { connections in
            try await connections.withConnection { db in
                try await db.rows("SELECT job_id FROM stored_notices ORDER BY seq LIMIT \(limit)").map { try $0.value("job_id") }
            }
        }
    }

    public func confirmNotices(_ jobIDs: [String]) throws {
        if jobIDs.isEmpty { return }
        try perform("confirming \(jobIDs.count) stored notices") { connections in
            try await connections.withConnection { db in
                try await db.execute("DELETE FROM stored_notices WHERE job_id = ANY(\(jobIDs)::text[])")
            }
        }
    }

    // MARK: - Reading jobs

    public func count() throws -> StoreCounts {
        try counts(PostgresQuery(unsafeSQL: "SELECT status, results AS n FROM result_counts"), operation: "counting")
    }

    public func batchCounts(batchID: String) throws -> StoreCounts {
        try counts("SELECT status, COUNT(*) AS n FROM results WHERE batch_id = \(batchID) GROUP BY status",
                   operation: "counting batch \(batchID)")
    }

    public func contains(jobID: String) throws -> Bool {
        try perform("looking up job \(jobID)") { connections in
            try await connections.withConnection { db in
                try await db.row("SELECT 1 AS one FROM results WHERE job_id = \(jobID)") != nil
            }
        }
    }

    public func result(jobID: String) throws -> StoredResult? {
        let path = self.path
        return try perform("reading job \(jobID)") { connections in
            try await connections.withConnection { db -> StoredResult? in
                guard let row = try await db.row(PostgresResultRow.select(jobID: jobID)) else { return nil }
                do {
                    return try PostgresResultRow.decode(row)
                } catch let error as ResultRow.RowError {
                    throw ReportStoreError.corruptRow(path: path, jobID: error.jobID, reason: error.reason)
                }
            }
        }
    }

    public func topEntities(limit: Int, type: EntityType?) throws -> [EntityCount] {
        guard limit >= 0 else { throw ReportStoreError.invalidArgument("limit must not be negative, got \(limit)") }
        if options.keepsArticles {
            return try topEntities(ReportFilter(), limit: limit, type: type).map {
                EntityCount(key: $0.key, name: $0.name, type: $0.type, mentions: $0.mentions, articles: $0.articles)
            }
        }
        let typeName = type?.rawValue
        return try perform("ranking entities") { connections in
            try await connections.withConnection { db in
                try await db.rows("""
                    SELECT key, type, SUM(mentions)::bigint AS mentions, COUNT(*) AS articles,
                        (SELECT name FROM entities n WHERE n.key = e.key AND n.type = e.type
                         GROUP BY name ORDER BY SUM(mentions) DESC, name LIMIT 1) AS name
                    FROM entities e WHERE \(typeName)::text IS NULL OR type = \(typeName)
                    GROUP BY key, type ORDER BY mentions DESC, articles DESC, key, type LIMIT \(limit)
                    """).map {
                    EntityCount(key: try $0.value("key"), name: try $0.value("name"),
                                type: EntityType(rawValue: try $0.value("type")) ?? .miscellaneous,
                                mentions: try $0.value("mentions"), articles: try $0.value("articles"))
                }
            }
        }
    }

    // MARK: - Helpers

    private func counts(_ query: PostgresQuery, operation: String) throws -> StoreCounts {
        try perform(operation) { connections in
            try await connections.withConnection { db in
                var counts = StoreCounts(analysed: 0, failed: 0)
                for row in try await db.rows(query) {
                    let n: Int = try row.value("n")
                    if try row.value("status", as: String.self) == "analysed" { counts.analysed = n } else { counts.failed += n }
                }
                return counts
            }
        }
    }

    /// Runs `body` on the store's connections, turning database errors into `ReportStoreError`s that name the
    /// store and `operation`.
    func perform<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresConnections) async throws -> T
    ) throws -> T {
        do {
            return try bridge.wait(body)
        } catch let error as ReportStoreError {
            throw error
        } catch {
            if let error = error as? PSQLError, error.serverInfo?[.sqlState] == "53100" {
                throw ReportStoreError.diskFull(path: path, reason: Self.reason(error))
            }
            throw ReportStoreError.database(path: path, operation: operation, reason: Self.reason(error))
        }
    }

    /// What went wrong, in words: the server's message when it sent one (never the connection's password).
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if error.serverInfo?[.sqlState] == "55P03" {
            return "waited longer than the lock_timeout for a lock another session held (another collector stuck in its transaction?): "
                + (error.serverInfo?[.message] ?? "lock timeout") + " (SQLSTATE 55P03)"
        }
        if let message = error.serverInfo?[.message] {
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return message + state
        }
        switch error.code {
        case .connectionError:
            return "cannot connect: " + (error.underlying.map { "\($0)" } ?? "connection error")
        case .serverClosedConnection, .uncleanShutdown:
            return "the server closed the connection" + (error.underlying.map { ": \($0)" } ?? "")
        default:
            return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
    }
}
