import ArticleAnalysis
import Foundation
import GRDB

/// Turns stored results into articles and keeps the aggregates, inside the caller's transaction.
///
/// Invariants, after every `record`:
/// - an article identity has one `articles` row, whose facts rows and contributions to every aggregate are those
///   of its latest version only;
/// - each aggregate row plus the commit's unflushed `AggregateDeltas` equals the sum over the latest versions of
///   all articles; once the deltas are flushed (before every commit) the rows alone do (`ReportStore` tests
///   recompute them from the per-article rows), and no aggregate row holds a zero count.
enum ArticleLedger {
    /// What `record` did with a result.
    enum Change: Equatable {
        case newArticle
        case seenAgain
        case newVersion
    }

    /// Records the analysed result of a job that was just stored for the first time.
    ///
    /// The aggregate changes go to `deltas`; the caller flushes them before its transaction commits.
    ///
    /// - Parameter storedAt: the commit's time, milliseconds since 1970.
    @discardableResult
    static func record(
        _ result: StoredResult, analysis: Analysis, storedAt: Int64, clustering: StoryClustering.Parameters,
        deltas: AggregateDeltas, in db: Database
    ) throws -> Change {
        let fallback = result.analysedAt.map(StoredTime.milliseconds) ?? storedAt
        let facts = ArticleFacts(metadata: result.article, analysis: analysis, fallbackTime: fallback)
        let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT job_id, version, seen, content_hash, day, source, language FROM articles WHERE article_key = ?"),
            arguments: [facts.key])
        guard let existing else {
            try apply(facts, sign: 1, history: .init(seen: 1, version: 1), deltas: deltas, in: db)
            let weights = try StoryClustering.termWeights(facts, total: deltas.storedArticles(db), in: db)
            let weight = weights.values.reduce(0, +)
            try db.cachedStatement(sql: insertArticleSQL).execute(arguments: articleArguments(
                facts, result: result, version: 1, storedAt: storedAt, termWeight: weight))
            try db.cachedStatement(
                sql: "INSERT INTO article_versions (article_key, version, job_id, content_hash, stored_at) VALUES (?, 1, ?, ?, ?)"
            ).execute(arguments: [facts.key, result.jobID, facts.contentHash, storedAt])
            try StoryClustering.assign(facts, weights: weights, parameters: clustering, in: db)
            return .newArticle
        }
        let seen: Int = existing["seen"]
        if (existing["content_hash"] as Int64) == facts.contentHash {
            try db.cachedStatement(
                sql: "UPDATE articles SET seen = seen + 1, last_seen = MAX(last_seen, ?) WHERE article_key = ?"
            ).execute(arguments: [storedAt, facts.key])
            let topics = try String.fetchAll(
                db.cachedStatement(sql: "SELECT topic FROM article_topics WHERE article_key = ?"), arguments: [facts.key])
            deltas.addRepeat(day: existing["day"], source: existing["source"], language: existing["language"], topics: topics)
            return .seenAgain
        }
        let oldJob: String = existing["job_id"]
        let version = (existing["version"] as Int) + 1
        if let old = try previousFacts(jobID: oldJob, in: db) {
            try StoryClustering.remove(old, parameters: clustering, in: db)
            try apply(old, sign: -1, history: .init(seen: seen, version: version - 1), deltas: deltas, in: db)
        }
        try apply(facts, sign: 1, history: .init(seen: seen + 1, version: version), deltas: deltas, in: db)
        let weights = try StoryClustering.termWeights(facts, total: deltas.storedArticles(db), in: db)
        let weight = weights.values.reduce(0, +)
        try db.execute(sql: """
            UPDATE articles SET input_id = ?, url = ?, job_id = ?, version = ?, seen = seen + 1,
                last_seen = MAX(last_seen, ?), content_hash = ?, source = ?, language = ?, time_ms = ?, day = ?,
                title = ?, tone = ?, named_sources = ?, anonymous_sources = ?, quotes = ?, simhash = ?,
                minhash = ?, term_weight = ?, story_id = NULL
            WHERE article_key = ?
            """, arguments: [
                result.article.id, result.article.url, result.jobID, version, storedAt, facts.contentHash,
                facts.source, facts.language, facts.timeMilliseconds, facts.day, facts.title, facts.tone,
                facts.namedSources, facts.anonymousSources, facts.quotes, Int64(bitPattern: facts.simhash),
                minhashBlob(facts.minhash), weight, facts.key,
            ])
        try db.execute(
            sql: "INSERT OR REPLACE INTO article_versions (article_key, version, job_id, content_hash, stored_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [facts.key, version, result.jobID, facts.contentHash, storedAt])
        try StoryClustering.assign(facts, weights: weights, parameters: clustering, in: db)
        return .newVersion
    }

    /// Builds the articles, aggregates and stories of every analysed result in `results`, in the order they were
    /// stored (the v4 migration of a store written before articles existed). `layout` is the schema the tables
    /// have: `.v4` inside the v4 migration, which must build what it always built however the ledger changes later.
    static func rebuildFromResults(
        _ db: Database, layout: AggregateDeltas.SchemaLayout, clustering: StoryClustering.Parameters = .init()
    ) throws {
        let decoder = JSONDecoder()
        let rows = try Row.fetchCursor(
            db, sql: ResultRow.selectAllSQL + " WHERE status = 'analysed' ORDER BY stored_at, rowid")
        var pending: [(StoredResult, Int64)] = []
        while let row = try rows.next() {
            // A row that no longer decodes stays a job row only, as it is everywhere else.
            guard let result = try? ResultRow.decode(row, decoder: decoder) else { continue }
            pending.append((result, row["stored_at"]))
        }
        let deltas = AggregateDeltas(layout: layout)
        for (result, storedAt) in pending {
            guard let analysis = try? result.storedAnalysis?.decoded() else { continue }
            try record(result, analysis: analysis, storedAt: storedAt, clustering: clustering, deltas: deltas, in: db)
        }
        try deltas.flush(db)
        if layout == .v4 {
            // v4's per-outlet entity totals, which v5 replaced by `entity_facets`: the same sums, from the rows.
            try db.execute(sql: """
                INSERT INTO entity_source_totals (source, key, type, name, articles, mentions)
                    SELECT a.source, e.key, e.type, MIN(e.name), COUNT(*), SUM(e.mentions)
                    FROM article_entities e JOIN articles a ON a.article_key = e.article_key
                    GROUP BY a.source, e.key, e.type
                """)
        }
    }

    /// The facts of the version stored by `jobID`, recomputed from its job row.
    private static func previousFacts(jobID: String, in db: Database) throws -> ArticleFacts? {
        guard let row = try Row.fetchOne(db, sql: ResultRow.selectAllSQL + " WHERE job_id = ?", arguments: [jobID]),
              let result = try? ResultRow.decode(row, decoder: JSONDecoder()),
              let analysis = try? result.storedAnalysis?.decoded() else { return nil }
        let fallback = result.analysedAt.map(StoredTime.milliseconds) ?? (row["stored_at"] as Int64)
        return ArticleFacts(metadata: result.article, analysis: analysis, fallbackTime: fallback)
    }

    // MARK: - Contributions

    /// Adds (`sign` 1) or takes back (`sign` -1) what `facts` contribute: the per-article rows now, every
    /// aggregate through `deltas`.
    static func apply(
        _ facts: ArticleFacts, sign: Int, history: AggregateDeltas.History, deltas: AggregateDeltas, in db: Database
    ) throws {
        let key = facts.key
        if sign > 0 {
            switch deltas.layout {
            case .current:
                let entity = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO article_entities (key, type, time_ms, article_key, name, mentions, paired, day,
                        source, language)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
                for e in facts.entities {
                    entity.setUncheckedArguments([e.key, e.type.rawValue, facts.timeMilliseconds, key, e.name, e.mentions,
                                                  e.paired ? 1 : 0, facts.day, facts.source, facts.language])
                    try entity.execute()
                }
            case .v4:
                let entity = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO article_entities (key, type, article_key, name, mentions, paired)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
                for e in facts.entities {
                    try entity.execute(arguments: [e.key, e.type.rawValue, key, e.name, e.mentions, e.paired ? 1 : 0])
                }
            }
            let topic = try db.cachedStatement(sql: "INSERT OR IGNORE INTO article_topics (topic, article_key) VALUES (?, ?)")
            for t in facts.topics { try topic.execute(arguments: [t, key]) }
            let speaker = try db.cachedStatement(sql: "INSERT OR REPLACE INTO article_speakers (speaker, article_key, name, quotes) VALUES (?, ?, ?, ?)")
            for s in facts.speakers { try speaker.execute(arguments: [s.key, key, s.name, s.quotes]) }
        } else {
            for table in ["article_entities", "article_topics", "article_speakers"] {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE article_key = ?").execute(arguments: [key])
            }
        }
        deltas.add(facts, sign: sign, history: history)
    }

    private static let insertArticleSQL = """
        INSERT INTO articles (article_key, input_id, url, job_id, version, seen, first_seen, last_seen, content_hash,
            source, language, time_ms, day, title, tone, named_sources, anonymous_sources, quotes, simhash, minhash,
            term_weight, story_id)
        VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
        """

    private static func articleArguments(
        _ facts: ArticleFacts, result: StoredResult, version: Int, storedAt: Int64, termWeight: Double
    ) -> StatementArguments {
        StatementArguments([
            facts.key, result.article.id, result.article.url, result.jobID, version, storedAt, storedAt,
            facts.contentHash, facts.source, facts.language, facts.timeMilliseconds, facts.day, facts.title,
            facts.tone, facts.namedSources, facts.anonymousSources, facts.quotes, Int64(bitPattern: facts.simhash),
            minhashBlob(facts.minhash), termWeight,
        ] as [(any DatabaseValueConvertible)?])
    }

    /// The minhash signature as little-endian 32-bit words.
    static func minhashBlob(_ minhash: [UInt32]) -> Data {
        var data = Data(capacity: minhash.count * 4)
        for value in minhash { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    static func minhash(blob: Data?) -> [UInt32] {
        guard let blob else { return [] }
        let bytes = [UInt8](blob)
        return stride(from: 0, to: bytes.count - 3, by: 4).map { i in
            UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
        }
    }
}
