import ArticleAnalysis

/// The checks on a SUBMIT, shared by the dispatcher and by producers that want to check before sending.
public enum SubmitValidation {
    /// The job id for job `index` of `batchID`: "<batch_id>:<index>".
    public static func jobID(batchID: String, index: Int) -> String { "\(batchID):\(index)" }

    /// Why the whole SUBMIT is refused, or nil. The code is TOO_LARGE or INVALID. A SUBMIT with no jobs (a credit
    /// query) may leave `batch_id` empty.
    public static func problem(with submit: Mirsad_V1_Submit) -> (Mirsad_V1_ErrorCode, String)? {
        if submit.jobs.count > ProtocolLimits.maxJobsPerMessage {
            return (.tooLarge, "\(submit.jobs.count) jobs in one SUBMIT; the limit is \(ProtocolLimits.maxJobsPerMessage)")
        }
        if let problem = identifierProblem(submit.requestID, name: "request_id", mayBeEmpty: true) { return (.invalid, problem) }
        // A SUBMIT without jobs is a credit query: it needs no batch.
        if let problem = identifierProblem(submit.batchID, name: "batch_id", mayBeEmpty: submit.jobs.isEmpty) {
            return (.invalid, problem)
        }
        return nil
    }

    /// Why job `index` of a SUBMIT for `batchID` is rejected, or nil when it is acceptable.
    public static func problem(with job: Mirsad_V1_Job, batchID: String) -> String? {
        if !job.batchID.isEmpty, job.batchID != batchID {
            return "batch_id \(job.batchID.debugDescription) differs from the SUBMIT's"
        }
        let prefix = batchID + ":"
        guard job.jobID.hasPrefix(prefix), isCanonicalIndex(job.jobID.dropFirst(prefix.count)) else {
            return "job_id \(String(job.jobID.prefix(80)).debugDescription) is not \"<batch_id>:<index>\""
        }
        if job.jobID.utf8.count > ProtocolLimits.maxIdentifierBytes {
            return "job_id longer than \(ProtocolLimits.maxIdentifierBytes) bytes"
        }
        guard job.hasArticle else { return "no article" }
        let bytes = job.article.contentBytes
        if bytes > ProtocolLimits.maxArticleBytes {
            return "article of \(bytes) bytes is above the limit of \(ProtocolLimits.maxArticleBytes)"
        }
        do {
            _ = try Article(wire: job.article)
        } catch {
            return "invalid article: \(error)"
        }
        return nil
    }

    /// Why an identifier is unacceptable, or nil.
    public static func identifierProblem(_ value: String, name: String, mayBeEmpty: Bool) -> String? {
        if value.isEmpty, !mayBeEmpty { return "\(name) is empty" }
        if value.utf8.count > ProtocolLimits.maxIdentifierBytes { return "\(name) is longer than \(ProtocolLimits.maxIdentifierBytes) bytes" }
        return nil
    }

    private static func isCanonicalIndex(_ s: Substring) -> Bool {
        guard let first = s.utf8.first, s.utf8.count <= 10 else { return false }
        guard s.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return false }
        return first != UInt8(ascii: "0") || s.utf8.count == 1
    }
}
