import ArticleAnalysis
import Foundation
import MirsadProtocol

/// Sends one batch of articles to the dispatcher in SUBMIT chunks, with a bounded number of chunks awaiting
/// their SUBMIT_ACK, and resends a chunk whose acknowledgement does not come (resubmission is idempotent).
///
/// Invariant: every article given to `add` is in exactly one of `buffer`, an outstanding chunk, or the totals
/// (accepted, duplicate or rejected) once its chunk is acknowledged.
public final class SubmitSession {
    public struct Options: Sendable {
        public var dispatcherEndpoint: String
        public var batchID: String
        public var includeTokens = false
        /// Articles per SUBMIT, and the most article bytes per SUBMIT.
        public var chunkArticles = 256
        public var chunkBytes = 8 << 20
        /// Chunks sent and not yet acknowledged.
        public var window = 8
        public var ackTimeoutSeconds: Double = 15

        public init(dispatcherEndpoint: String, batchID: String = UUID().uuidString.lowercased()) {
            self.dispatcherEndpoint = dispatcherEndpoint
            self.batchID = batchID
        }
    }

    public struct Totals: Sendable, Codable, Equatable {
        public var sent = 0
        public var accepted = 0
        public var duplicates = 0
        public var rejected = 0
        public var rejections: [String] = []
    }

    private struct Outstanding {
        var submit: Mirsad_V1_Submit
        /// When to send it again if no acknowledgement has come by then.
        var resendAt: UInt64
    }

    public let options: Options
    public private(set) var totals = Totals()
    private let client: RequestClient
    private var buffer: [Mirsad_V1_Job] = []
    private var bufferBytes = 0
    private var nextIndex = 0
    private var outstanding: [String: Outstanding] = [:]

    public init(options: Options) throws {
        self.options = options
        client = try RequestClient(endpoint: options.dispatcherEndpoint)
    }

    public var batchID: String { options.batchID }

    private var ackTimeout: UInt64 { UInt64(options.ackTimeoutSeconds * 1e9) }

    /// Queues one article; sends a chunk when one is full, waiting while the window is full.
    public func add(_ article: Article) throws {
        var job = Mirsad_V1_Job()
        job.jobID = SubmitValidation.jobID(batchID: options.batchID, index: nextIndex)
        job.batchID = options.batchID
        job.article = Mirsad_V1_Article(article)
        job.options.includeTokens = options.includeTokens
        nextIndex += 1
        let bytes = job.article.contentBytes
        if !buffer.isEmpty && (buffer.count >= min(options.chunkArticles, ProtocolLimits.maxJobsPerMessage)
                               || bufferBytes + bytes > options.chunkBytes) {
            try flush()
        }
        buffer.append(job)
        bufferBytes += bytes
        totals.sent += 1
    }

    /// Sends what is buffered and waits until every chunk is acknowledged.
    public func finish() throws -> Totals {
        try flush()
        while !outstanding.isEmpty {
            try pump(timeoutMilliseconds: 200)
        }
        return totals
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        while outstanding.count >= options.window {
            try pump(timeoutMilliseconds: 200)
        }
        var submit = Mirsad_V1_Submit()
        submit.requestID = client.requestID()
        submit.batchID = options.batchID
        submit.jobs = buffer
        buffer.removeAll(keepingCapacity: true)
        bufferBytes = 0
        try client.socket.send(.submit(submit))
        outstanding[submit.requestID] = Outstanding(submit: submit, resendAt: MonotonicClock.now() + ackTimeout)
    }

    /// Handles acknowledgements for up to `timeoutMilliseconds`, and resends chunks whose acknowledgement is late.
    private func pump(timeoutMilliseconds: Int) throws {
        if let reply = try client.receive(timeoutMilliseconds: timeoutMilliseconds) {
            switch reply {
            case .submitAck(let ack):
                guard let chunk = outstanding.removeValue(forKey: ack.requestID) else { break }
                totals.accepted += Int(ack.accepted)
                totals.duplicates += Int(ack.duplicates)
                totals.rejected += ack.rejected.count
                for r in ack.rejected {
                    let index = Int(r.index)
                    let id = !r.jobID.isEmpty ? r.jobID
                        : chunk.submit.jobs.indices.contains(index) ? chunk.submit.jobs[index].article.metadata.id
                        : "article \(index) of a chunk"
                    totals.rejections.append("\(id): \(r.reason)")
                }
            case .error(let error) where outstanding[error.requestID] != nil:
                if error.code == .busy {
                    // The dispatcher's queue is full: sent again by the timer below, after a short pause.
                    outstanding[error.requestID]?.resendAt = MonotonicClock.now() + 500_000_000
                } else {
                    let chunk = outstanding.removeValue(forKey: error.requestID)!
                    totals.rejected += chunk.submit.jobs.count
                    totals.rejections.append("a chunk of \(chunk.submit.jobs.count) articles: \(error.code) \(error.message)")
                }
            default:
                break
            }
        }
        let now = MonotonicClock.now()
        for (id, chunk) in outstanding where now >= chunk.resendAt {
            try client.socket.send(.submit(chunk.submit))
            outstanding[id]?.resendAt = now + ackTimeout
        }
    }
}
