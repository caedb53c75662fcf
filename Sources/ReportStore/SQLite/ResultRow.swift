import ArticleAnalysis
import Foundation
import GRDB

/// A `StoredResult` as the column values of the SQLite tables, and back.
///
/// Encoding happens before the write transaction starts, so the JSON work does not hold the write lock.
struct ResultRow {
    static let insertSQL = """
        INSERT INTO results (job_id, batch_id, article_id, url, source, category, title, published, author,
            language, language_confidence, status, error, worker_id, submitted_at, analysed_at, stored_at,
            token_count, tone, simhash, analysis)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (job_id) DO NOTHING
        """
    static let insertEntitySQL = "INSERT INTO entities (job_id, key, name, type, mentions) VALUES (?, ?, ?, ?, ?)"
    static let insertTopicSQL = "INSERT INTO topics (job_id, topic, score) VALUES (?, ?, ?)"
    static let selectSQL = """
        SELECT job_id, batch_id, article_id, url, source, category, title, published, author, status, error,
            worker_id, submitted_at, analysed_at, token_count, analysis
        FROM results WHERE job_id = ?
        """

    let jobID: String
    let result: StatementArguments
    let entities: [StatementArguments]
    let topics: [StatementArguments]

    init(_ stored: StoredResult, storedAt: Int64, encoder: JSONEncoder) throws {
        let a = stored.article
        jobID = stored.jobID
        let analysis = stored.analysis
        let json: String? = try analysis.map { String(decoding: try Self.encode($0, fallback: encoder), as: UTF8.self) }
        result = StatementArguments([
            stored.jobID, stored.batchID, a.id, a.url, a.source, a.category, a.title, a.published, a.author,
            analysis?.language.code, analysis?.language.confidence,
            analysis == nil ? "failed" : "analysed", stored.failureReason,
            stored.workerID, stored.submittedAt.map(StoredTime.milliseconds),
            stored.analysedAt.map(StoredTime.milliseconds), storedAt,
            stored.tokenCount, analysis?.tone, analysis.map { Int64(bitPattern: $0.fingerprint.simhash) }, json,
        ] as [(any DatabaseValueConvertible)?])
        entities = (analysis?.canonicalEntities ?? []).map {
            StatementArguments([stored.jobID, $0.key, $0.name, $0.type.rawValue, $0.mentions] as [any DatabaseValueConvertible])
        }
        topics = (analysis?.topics ?? []).map { StatementArguments([stored.jobID, $0.topic, $0.score] as [any DatabaseValueConvertible]) }
    }

    /// The analysis as JSON: the fast encoder, or `JSONEncoder` for what the fast one does not cover.
    static func encode(_ analysis: Analysis, fallback: JSONEncoder) throws -> [UInt8] {
        do {
            return try StreamingJSONEncoder.encode(analysis)
        } catch is StreamingJSONEncoder.Unsupported {
            return Array(try fallback.encode(analysis))
        }
    }

    /// The result in `row` (selected with `selectSQL`).
    static func decode(_ row: Row, decoder: JSONDecoder) throws -> StoredResult {
        let jobID: String = row["job_id"]
        let outcome: StoredResult.Outcome
        switch row["status"] as String {
        case "analysed":
            guard let json: String = row["analysis"] else {
                throw RowError(jobID: jobID, reason: "an analysed row without its analysis")
            }
            do {
                outcome = .analysed(try decoder.decode(Analysis.self, from: Data(json.utf8)))
            } catch {
                throw RowError(jobID: jobID, reason: "the analysis JSON does not decode: \(error)")
            }
        case "failed":
            outcome = .failed(reason: row["error"] ?? "")
        case let other:
            throw RowError(jobID: jobID, reason: "unknown status \(other)")
        }
        return StoredResult(
            jobID: jobID,
            batchID: row["batch_id"],
            article: ArticleMetadata(
                id: row["article_id"], url: row["url"], source: row["source"], category: row["category"],
                title: row["title"], published: row["published"], author: row["author"]),
            storedOutcome: outcome,
            tokenCount: row["token_count"],
            workerID: row["worker_id"],
            submittedAt: (row["submitted_at"] as Int64?).map { StoredTime.date(milliseconds: $0) },
            analysedAt: (row["analysed_at"] as Int64?).map { StoredTime.date(milliseconds: $0) })
    }

    struct RowError: Error {
        let jobID: String
        let reason: String
    }
}
