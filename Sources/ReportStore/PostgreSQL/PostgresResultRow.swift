import ArticleAnalysis
import Foundation
import PostgresNIO

/// A `StoredResult` as a `results` row of the PostgreSQL store, and back (the columns of `SQLiteSchema`'s
/// `results` less the JSON analysis, which only SQLite stores written before v3 have).
enum PostgresResultRow {
    static let columns = """
        job_id, batch_id, article_id, url, source, category, title, published, author, status, error, worker_id,
        submitted_at, analysed_at, stored_at, token_count, analysis_pb, analysis_zlib_bytes
        """

    static func select(jobID: String) -> PostgresQuery {
        var s = PostgresStatement()
        s.text = "SELECT \(columns) FROM results WHERE job_id = \(s.bind(jobID))"
        return s.query
    }

    /// Inserts `result` unless its job id is stored; returns the statement, whose `RETURNING` row says it was new.
    static func insert(_ stored: StoredResult, storedAt: Int64) -> PostgresQuery {
        let a = stored.article
        let analysis = stored.storedAnalysis
        var s = PostgresStatement()
        let values = [
            s.bind(stored.jobID), s.bind(stored.batchID), s.bind(a.id), s.bind(a.url), s.bind(a.source), s.bind(a.category),
            s.bind(a.title), s.bind(a.published), s.bind(a.author), s.bind(analysis?.columns.language),
            s.bind(analysis?.columns.languageConfidence), s.bind(analysis == nil ? "failed" : "analysed"),
            s.bind(stored.failureReason), s.bind(stored.workerID), s.bind(stored.submittedAt.map(StoredTime.milliseconds)),
            s.bind(stored.analysedAt.map(StoredTime.milliseconds)), s.bind(storedAt), s.bind(stored.tokenCount),
            s.bind(analysis?.columns.tone), s.bind(analysis.map { Int64(bitPattern: $0.columns.simhash) }), s.bind(analysis?.bytes),
            s.bind(analysis?.inflatedSize),
        ]
        s.text = """
            INSERT INTO results (job_id, batch_id, article_id, url, source, category, title, published, author,
                language, language_confidence, status, error, worker_id, submitted_at, analysed_at, stored_at,
                token_count, tone, simhash, analysis_pb, analysis_zlib_bytes)
            VALUES (\(values.joined(separator: ", ")))
            ON CONFLICT (job_id) DO NOTHING RETURNING job_id
            """
        return s.query
    }

    static func decode(_ row: PostgresRandomAccessRow) throws -> StoredResult {
        let jobID: String = try row.value("job_id")
        let content: StoredResult.Content
        switch try row.value("status", as: String.self) {
        case "analysed":
            guard let bytes = try row.value("analysis_pb", as: Data?.self) else {
                throw ResultRow.RowError(jobID: jobID, reason: "an analysed row without its analysis")
            }
            do {
                content = .analysis(try StoredAnalysis(
                    stored: bytes, tokenCount: try row.value("token_count"), inflatedSize: try row.value("analysis_zlib_bytes")))
            } catch {
                throw ResultRow.RowError(jobID: jobID, reason: "the stored analysis does not decode: \(error)")
            }
        case "failed":
            content = .failed(reason: try row.value("error", as: String?.self) ?? "")
        case let other:
            throw ResultRow.RowError(jobID: jobID, reason: "unknown status \(other)")
        }
        return StoredResult(
            jobID: jobID,
            batchID: try row.value("batch_id"),
            article: ArticleMetadata(
                id: try row.value("article_id"), url: try row.value("url"), source: try row.value("source"),
                category: try row.value("category"), title: try row.value("title"), published: try row.value("published"),
                author: try row.value("author")),
            content: content,
            workerID: try row.value("worker_id"),
            submittedAt: try row.value("submitted_at", as: Int64?.self).map { StoredTime.date(milliseconds: $0) },
            analysedAt: try row.value("analysed_at", as: Int64?.self).map { StoredTime.date(milliseconds: $0) })
    }
}
