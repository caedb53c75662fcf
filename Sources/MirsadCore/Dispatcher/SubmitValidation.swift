import MirsadWire
/// The checks on a SUBMIT, read as the dispatcher reads it: jobs left encoded.
public enum SubmitValidation {
    /// The job id for job `index` of `batchID`: "<batch_id>:<index>".
    public static func jobID(batchID: String, index: Int) -> String { "\(batchID):\(index)" }

    /// Why the whole SUBMIT is refused, or nil. The code is TOO_LARGE or INVALID. A SUBMIT with no jobs (a credit
    /// query) may leave `batch_id` empty.
    public static func problem(with submit: Mirsad_V1_SubmitView) -> (Mirsad_V1_ErrorCode, String)? {
        problem(requestID: submit.requestID, batchID: submit.batchID, jobCount: submit.jobs.count)
    }

    private static func problem(requestID: String, batchID: String, jobCount: Int) -> (Mirsad_V1_ErrorCode, String)? {
        if jobCount > ProtocolLimits.maxJobsPerMessage {
            return (.tooLarge, "\(jobCount) jobs in one SUBMIT; the limit is \(ProtocolLimits.maxJobsPerMessage)")
        }
        if let problem = identifierProblem(requestID, name: "request_id", mayBeEmpty: true) { return (.invalid, problem) }
        // A SUBMIT without jobs is a credit query: it needs no batch.
        if let problem = identifierProblem(batchID, name: "batch_id", mayBeEmpty: jobCount == 0) {
            return (.invalid, problem)
        }
        return nil
    }

    /// Why an encoded job of a SUBMIT for `batchID` is rejected, or nil when the dispatcher takes it. Only what
    /// can be checked without decoding the article is checked here; a worker that cannot decode the job reports it
    /// as a permanent failure, and the job is dead-lettered with the reason.
    public static func problem(with job: EncodedJob, batchID: String) -> String? {
        if let reason = jobIDProblem(jobID: job.jobID, jobBatchID: job.batchID, batchID: batchID) { return reason }
        if job.carriesLease { return "a job must not carry a lease (field 10): the dispatcher sets it" }
        guard let bytes = job.contentBytes else { return "no article" }
        if bytes > ProtocolLimits.maxArticleBytes {
            return "article of \(bytes) bytes is above the limit of \(ProtocolLimits.maxArticleBytes)"
        }
        if job.articleID.isEmpty { return "invalid article: article.metadata.id: empty" }
        if job.articleID.utf8.count > ProtocolLimits.maxIdentifierBytes {
            return "article id longer than \(ProtocolLimits.maxIdentifierBytes) bytes"
        }
        return nil
    }

    private static func jobIDProblem(jobID: String, jobBatchID: String, batchID: String) -> String? {
        if !jobBatchID.isEmpty, jobBatchID != batchID {
            return "batch_id \(jobBatchID.debugDescription) differs from the SUBMIT's"
        }
        let prefix = batchID + ":"
        guard jobID.hasPrefix(prefix), isCanonicalIndex(jobID.dropFirst(prefix.count)) else {
            return "job_id \(String(jobID.prefix(80)).debugDescription) is not \"<batch_id>:<index>\""
        }
        if jobID.utf8.count > ProtocolLimits.maxIdentifierBytes {
            return "job_id longer than \(ProtocolLimits.maxIdentifierBytes) bytes"
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
