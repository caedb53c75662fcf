/// How one job's analysis ended: the result for the collector, or why there is none.
public struct AnalysisOutcome<Result: Sendable>: Sendable {
    public var jobID: String
    public var result: Swift.Result<Result, AnalysisFailure>

    public init(jobID: String, result: Swift.Result<Result, AnalysisFailure>) {
        self.jobID = jobID
        self.result = result
    }
}

extension AnalysisOutcome: Equatable where Result: Equatable {}

/// A job whose analysis could not produce a result; reported in DONE `failures`.
public struct AnalysisFailure: Error, Sendable, Hashable {
    public var message: String
    /// Another attempt cannot succeed (the article cannot be read).
    public var permanent: Bool

    public init(message: String, permanent: Bool = false) {
        self.message = message
        self.permanent = permanent
    }
}
