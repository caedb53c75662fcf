import ArticleAnalysis
import Foundation
import GRDB

/// A `StoredResult` as the column values of the SQLite tables, and back.
///
/// The analysis goes in as the bytes it came in (`analysis_pb`); its columns come from `StoredAnalysis.columns`, its
/// index rows from `StoredAnalysis.index`. Nothing is encoded here.
struct ResultRow {
    static let insertSQL = insertSQL(into: "results")
    /// `insertSQL` into `table`, which has the columns of `results` (the inbox's does).
    static func insertSQL(into table: String) -> String { """
        INSERT INTO \(table) (job_id, batch_id, article_id, url, source, category, title, published, author,
            language, language_confidence, status, error, worker_id, submitted_at, analysed_at, stored_at,
            token_count, tone, simhash, analysis_pb, analysis_zlib_bytes)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (job_id) DO NOTHING
        """
    }
    static let insertEntitySQL = "INSERT OR IGNORE INTO entities (job_id, key, name, type, mentions) VALUES (?, ?, ?, ?, ?)"
    static let insertTopicSQL = "INSERT OR IGNORE INTO topics (job_id, topic, score) VALUES (?, ?, ?)"
    static let selectSQL = selectAllSQL + " WHERE job_id = ?"
    /// The columns `decode` reads (and `stored_at`), of every row; callers add their WHERE and ORDER BY.
    static let selectAllSQL = selectAllSQL(from: "results")
    /// `selectAllSQL` from `table`, which has the columns of `results`, with `extra` columns first.
    static func selectAllSQL(from table: String, alsoSelecting extra: String? = nil) -> String { """
        SELECT \(extra.map { $0 + ", " } ?? "")job_id, batch_id, article_id, url, source, category, title, published, author, status, error,
            worker_id, submitted_at, analysed_at, stored_at, token_count, analysis, analysis_pb, analysis_zlib_bytes
        FROM \(table)
        """
    }

    /// Inserts `stored` with `statement` (prepared from `insertSQL`): whether a row was written (false when the
    /// table has the job id already).
    static func insert(_ stored: StoredResult, storedAt: Int64, with statement: inout DirectStatement) throws -> Bool {
        let a = stored.article
        let analysis = stored.storedAnalysis
        statement.bind(stored.jobID)
        statement.bind(stored.batchID)
        statement.bind(a.id)
        statement.bind(a.url)
        statement.bind(a.source)
        statement.bind(a.category)
        statement.bind(a.title)
        statement.bind(a.published)
        statement.bind(a.author)
        statement.bind(analysis?.columns.language)
        statement.bind(analysis?.columns.languageConfidence)
        statement.bind(analysis == nil ? "failed" : "analysed")
        statement.bind(stored.failureReason)
        statement.bind(stored.workerID)
        statement.bind(stored.submittedAt.map(StoredTime.milliseconds))
        statement.bind(stored.analysedAt.map(StoredTime.milliseconds))
        statement.bind(storedAt)
        statement.bind(stored.tokenCount)
        statement.bind(analysis?.columns.tone)
        statement.bind(analysis.map { Int64(bitPattern: $0.columns.simhash) })
        statement.bind(analysis?.bytes)
        statement.bind(analysis?.inflatedSize)
        return try statement.run() > 0
    }

    /// The result in `row` (selected with `selectSQL`).
    static func decode(_ row: Row, decoder: JSONDecoder) throws -> StoredResult {
        try decode(row, decoder: decoder, decodingAnalysis: false).result
    }

    /// The result in `row` and, when `decodingAnalysis`, its analysis decoded with it (`StoredAnalysis
    /// .readForIndexing`): nil when it does not decode whole, or when the row kept it as JSON (then
    /// `StoredResult.storedAnalysis?.decoded()` is what it reads as).
    static func decode(
        _ row: Row, decoder: JSONDecoder, decodingAnalysis: Bool
    ) throws -> (result: StoredResult, analysis: Analysis?) {
        let jobID: String = row["job_id"]
        let content: StoredResult.Content
        var analysis: Analysis?
        switch row["status"] as String {
        case "analysed":
            if let bytes: Data = row["analysis_pb"] {
                do {
                    let (tokens, inflated): (Int, Int?) = (row["token_count"], row["analysis_zlib_bytes"])
                    if decodingAnalysis {
                        let read = try StoredAnalysis.readForIndexing(stored: bytes, tokenCount: tokens, inflatedSize: inflated)
                        content = .analysis(read.stored)
                        analysis = read.analysis
                    } else {
                        content = .analysis(try StoredAnalysis(stored: bytes, tokenCount: tokens, inflatedSize: inflated))
                    }
                } catch {
                    throw RowError(jobID: jobID, reason: "the stored analysis does not decode: \(error)")
                }
            } else if let json: String = row["analysis"] {
                // A row written before the store kept analyses as protobuf.
                do {
                    let encoded = StoredAnalysis(try decoder.decode(Analysis.self, from: Data(json.utf8)))
                    content = .analysis(try StoredAnalysis(stored: encoded.bytes, tokenCount: row["token_count"]))
                } catch {
                    throw RowError(jobID: jobID, reason: "the analysis JSON does not decode: \(error)")
                }
            } else {
                throw RowError(jobID: jobID, reason: "an analysed row without its analysis")
            }
        case "failed":
            content = .failed(reason: row["error"] ?? "")
        case let other:
            throw RowError(jobID: jobID, reason: "unknown status \(other)")
        }
        let result = StoredResult(
            jobID: jobID,
            batchID: row["batch_id"],
            article: ArticleMetadata(
                id: row["article_id"], url: row["url"], source: row["source"], category: row["category"],
                title: row["title"], published: row["published"], author: row["author"]),
            content: content,
            workerID: row["worker_id"],
            submittedAt: (row["submitted_at"] as Int64?).map { StoredTime.date(milliseconds: $0) },
            analysedAt: (row["analysed_at"] as Int64?).map { StoredTime.date(milliseconds: $0) })
        return (result, analysis)
    }

    struct RowError: Error {
        let jobID: String
        let reason: String
    }
}
