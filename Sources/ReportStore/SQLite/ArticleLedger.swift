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
        _ result: StoredResult, analysis: Analysis, facts known: ArticleFacts? = nil, storedAt: Int64,
        clustering: StoryClustering.Parameters, deltas: AggregateDeltas, in db: Database
    ) throws -> Change {
        let facts = known ?? ArticleFacts(result, analysis: analysis, storedAt: storedAt)
        let existing = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT article_id, job_id, version, seen, content_hash, day, source, language FROM articles WHERE article_key = ?"),
            arguments: [facts.key])
        guard let existing else {
            // The article counts among the stored ones for its own term weights.
            let weights = try StoryClustering.termWeights(facts, total: deltas.storedArticles(db) + 1, in: db)
            try insertArticle(facts, result: result, storedAt: storedAt, termWeight: weights.total, in: db)
            let article = db.lastInsertedRowID
            try apply(facts, article: article, sign: 1, history: .init(seen: 1, version: 1), deltas: deltas, in: db)
            var version = DirectStatement(try db.cachedStatement(
                sql: "INSERT INTO article_versions (article_id, version, job_id, content_hash, stored_at) VALUES (?, 1, ?, ?, ?)"))
            version.bind(article)
            version.bind(result.jobID)
            version.bind(facts.contentHash)
            version.bind(storedAt)
            try version.run()
            try StoryClustering.assign(facts, article: article, weights: weights, parameters: clustering, in: db)
            return .newArticle
        }
        let article: Int64 = existing["article_id"]
        let seen: Int = existing["seen"]
        if (existing["content_hash"] as Int64) == facts.contentHash {
            try db.cachedStatement(
                sql: "UPDATE articles SET seen = seen + 1, last_seen = MAX(last_seen, ?) WHERE article_id = ?"
            ).execute(arguments: [storedAt, article])
            let topics = try String.fetchAll(
                db.cachedStatement(sql: "SELECT topic FROM article_topics WHERE article_id = ?"), arguments: [article])
            deltas.addRepeat(day: existing["day"], source: existing["source"], language: existing["language"], topics: topics)
            return .seenAgain
        }
        let oldJob: String = existing["job_id"]
        let version = (existing["version"] as Int) + 1
        if let old = try previousFacts(jobID: oldJob, in: db) {
            try StoryClustering.remove(old, article: article, parameters: clustering, in: db)
            try apply(old, article: article, sign: -1, history: .init(seen: seen, version: version - 1), deltas: deltas, in: db)
        }
        try apply(facts, article: article, sign: 1, history: .init(seen: seen + 1, version: version), deltas: deltas, in: db)
        let weights = try StoryClustering.termWeights(facts, total: deltas.storedArticles(db), in: db)
        try db.execute(sql: """
            UPDATE articles SET input_id = ?, job_id = ?, version = ?, seen = seen + 1,
                last_seen = MAX(last_seen, ?), content_hash = ?, source = ?, language = ?, time_ms = ?, day = ?,
                title = ?, tone = ?, named_sources = ?, anonymous_sources = ?, quotes = ?, simhash = ?,
                minhash = ?, term_weight = ?, story_id = NULL
            WHERE article_id = ?
            """, arguments: [
                InputIDsOnceSchema.stored(result.article.id, key: facts.key), result.jobID, version, storedAt, facts.contentHash,
                facts.source, facts.language, facts.timeMilliseconds, facts.day,
                LeanArticleRowsSchema.keptTitle(facts, result: result), facts.tone,
                facts.namedSources, facts.anonymousSources, facts.quotes, Int64(bitPattern: facts.simhash),
                minhashBlob(facts.minhash), weights.total, article,
            ])
        try db.execute(
            sql: "INSERT OR REPLACE INTO article_versions (article_id, version, job_id, content_hash, stored_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [article, version, result.jobID, facts.contentHash, storedAt])
        try StoryClustering.assign(facts, article: article, weights: weights, parameters: clustering, in: db)
        return .newVersion
    }

    /// Builds the articles of a store that has results but no articles (written before v4, which left its article
    /// tables empty): the step of the newest migration, run once every table has the layout this ledger writes.
    static func rebuildIfNoArticles(_ db: Database) throws {
        let articles = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM articles") ?? 0
        let analysed = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results WHERE status = 'analysed'") ?? 0
        if articles == 0, analysed > 0 {
            try rebuildFromResults(db)
        }
    }

    /// Builds the articles, aggregates and stories of every analysed result in `results`, in the order they were
    /// stored.
    static func rebuildFromResults(_ db: Database, clustering: StoryClustering.Parameters = .init()) throws {
        let decoder = JSONDecoder()
        let rows = try Row.fetchCursor(
            db, sql: ResultRow.selectAllSQL + " WHERE status = 'analysed' ORDER BY stored_at, rowid")
        var pending: [(StoredResult, Int64)] = []
        while let row = try rows.next() {
            // A row that no longer decodes stays a job row only, as it is everywhere else.
            guard let result = try? ResultRow.decode(row, decoder: decoder) else { continue }
            pending.append((result, row["stored_at"]))
        }
        let deltas = AggregateDeltas()
        for (result, storedAt) in pending {
            guard let analysis = try? result.storedAnalysis?.decoded() else { continue }
            try record(result, analysis: analysis, storedAt: storedAt, clustering: clustering, deltas: deltas, in: db)
        }
        try deltas.flush(db)
    }

    /// The facts of the version stored by `jobID`, recomputed from its job row.
    private static func previousFacts(jobID: String, in db: Database) throws -> ArticleFacts? {
        guard let row = try Row.fetchOne(db, sql: ResultRow.selectAllSQL + " WHERE job_id = ?", arguments: [jobID]),
              let result = try? ResultRow.decode(row, decoder: JSONDecoder()),
              let analysis = try? result.storedAnalysis?.decoded() else { return nil }
        return ArticleFacts(result, analysis: analysis, storedAt: row["stored_at"])
    }

    // MARK: - Contributions

    /// Adds (`sign` 1) or takes back (`sign` -1) what `facts`, a version of article `article`, contribute: the
    /// per-article rows now (its entity and speaker rows when `deltas` are flushed), every aggregate through
    /// `deltas`.
    static func apply(
        _ facts: ArticleFacts, article: Int64, sign: Int, history: AggregateDeltas.History, deltas: AggregateDeltas,
        in db: Database
    ) throws {
        if sign > 0 {
            // The entity and speaker rows are keyed by numbers, which new entities and speakers get when the deltas
            // are flushed.
            deltas.holdArticleRows(facts, article: article)
            var topic = DirectStatement(try db.cachedStatement(sql: "INSERT OR IGNORE INTO article_topics (topic, article_id) VALUES (?, ?)"))
            for t in facts.topics {
                topic.bind(t)
                topic.bind(article)
                try topic.run()
            }
        } else {
            deltas.dropArticleRows(article: article)
            for table in ["article_entities", "article_topics", "article_speakers"] {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE article_id = ?").execute(arguments: [article])
            }
        }
        deltas.add(facts, sign: sign, history: history)
    }

    private static let insertArticleSQL = """
        INSERT INTO articles (article_key, input_id, job_id, version, seen, first_seen, last_seen, content_hash,
            source, language, time_ms, day, title, tone, named_sources, anonymous_sources, quotes, simhash, minhash,
            term_weight, story_id)
        VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
        """

    /// Writes the first version of an article's row (`DirectStatement`: 19 values, bound in place).
    private static func insertArticle(
        _ facts: ArticleFacts, result: StoredResult, storedAt: Int64, termWeight: Double, in db: Database
    ) throws {
        var insert = DirectStatement(try db.cachedStatement(sql: insertArticleSQL))
        insert.bind(facts.key)
        insert.bind(InputIDsOnceSchema.stored(result.article.id, key: facts.key))
        insert.bind(result.jobID)
        insert.bind(1)
        insert.bind(storedAt)
        insert.bind(storedAt)
        insert.bind(facts.contentHash)
        insert.bind(facts.source)
        insert.bind(facts.language)
        insert.bind(facts.timeMilliseconds)
        insert.bind(facts.day)
        insert.bind(LeanArticleRowsSchema.keptTitle(facts, result: result))
        insert.bind(facts.tone)
        insert.bind(facts.namedSources)
        insert.bind(facts.anonymousSources)
        insert.bind(facts.quotes)
        insert.bind(Int64(bitPattern: facts.simhash))
        insert.bind(minhashBlob(facts.minhash))
        insert.bind(termWeight)
        try insert.run()
    }

    /// The minhash signature as an article row keeps it: the byte 2, then each value's low 16 bits, little-endian
    /// (an odd length; rows written before keep whole 32-bit values, an even length, and are still read). Two
    /// signatures agree in a place where their full values do, and by chance in one place in 65,536 besides: the
    /// near-duplicate test's threshold (0.6 of the places) does not notice, and the row is half the size.
    static func minhashBlob(_ minhash: [UInt32]) -> Data {
        var data = Data(capacity: 1 + minhash.count * 2)
        data.append(2)
        for value in minhash {
            let low = UInt16(truncatingIfNeeded: value)
            data.append(UInt8(truncatingIfNeeded: low))
            data.append(UInt8(truncatingIfNeeded: low >> 8))
        }
        return data
    }

    /// A signature's values as `minhashBlob` keeps them: the low 16 bits, and `UInt32.max` (no value) where
    /// those are all ones.
    static func storedMinhash(_ minhash: [UInt32]) -> [UInt32] {
        minhash.map { value in
            let low = value & 0xFFFF
            return low == 0xFFFF ? UInt32.max : low
        }
    }

    /// The values of a kept signature, as `storedMinhash` gives them, from a blob of either layout.
    static func minhash(blob: Data?) -> [UInt32] {
        guard let blob, !blob.isEmpty else { return [] }
        let bytes = [UInt8](blob)
        if bytes.count % 2 == 1 {
            return storedMinhash(stride(from: 1, to: bytes.count - 1, by: 2).map { i in
                UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8
            })
        }
        return storedMinhash(stride(from: 0, to: bytes.count - 3, by: 4).map { i in
            UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
        })
    }
}
