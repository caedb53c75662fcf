import Algorithms
import MirsadWire

/// Lists and requeues the dispatcher's dead letters (`mirsad dlq list|retry`): DEAD_LETTERS and
/// RETRY_DEAD_LETTERS requests.
public final class DeadLetterClient {
    /// Dead letters asked for per DEAD_LETTERS request (the dispatcher caps a page at 4096).
    public static let pageSize = 500
    /// Job ids per RETRY_DEAD_LETTERS request, so a long list never nears the frame limit.
    public static let retryIDsPerRequest = 1000

    private let client: RequestClient

    /// Over CURVE when given `security` (an operator key and the dispatcher's public key).
    public init(dispatcherEndpoint: String, security: ClientSecurity? = nil) throws {
        client = try RequestClient(endpoint: dispatcherEndpoint, curve: security)
    }

    /// One DEAD_LETTERS page: at most `limit` dead letters after `afterJobID` (in job-id order), of `batchID` when
    /// given.
    public func page(batchID: String?, limit: Int, afterJobID: String, timeout: Duration) throws -> Mirsad_V1_DeadLettersReply {
        var request = Mirsad_V1_DeadLetters()
        request.requestID = client.requestID()
        request.batchID = batchID ?? ""
        request.limit = UInt32(clamping: limit)
        request.afterJobID = afterJobID
        let id = request.requestID
        return try client.ask(.deadLetters(request), requestID: id, timeout: timeout) { reply in
            if case .deadLettersReply(let r) = reply, r.requestID == id { r } else { nil }
        }
    }

    /// Every dead letter (of `batchID` when given), or the first `limit`, paging through the dispatcher's list.
    /// Stops when the dispatcher says no more follow, or when a page brings nothing new (a dispatcher that claims
    /// more but does not advance cannot keep it looping).
    public func list(batchID: String?, limit: Int?, timeout: Duration) throws -> DeadLetterListing {
        var letters: [Mirsad_V1_DeadLetter] = []
        var seen: Set<String> = []
        var total: UInt64 = 0
        var after = ""
        while true {
            let wanted = limit.map { min(Self.pageSize, $0 - letters.count) } ?? Self.pageSize
            guard wanted > 0 else { break }
            let reply = try page(batchID: batchID, limit: wanted, afterJobID: after, timeout: timeout)
            total = reply.total
            let fresh = reply.letters.prefix(wanted).filter { seen.insert($0.jobID).inserted }
            letters.append(contentsOf: fresh)
            guard reply.more, let last = fresh.last?.jobID else { break }
            after = last
        }
        return DeadLetterListing(total: total, letters: letters)
    }

    /// Queues the listed dead letters again; ids that are not dead letters come back in `notDead`.
    public func retry(jobIDs: [String], timeout: Duration) throws -> DeadLetterRetryOutcome {
        var outcome = DeadLetterRetryOutcome(requeued: 0, notDead: [])
        for chunk in jobIDs.chunks(ofCount: Self.retryIDsPerRequest) {
            var request = Mirsad_V1_RetryDeadLetters()
            request.jobIds = Array(chunk)
            outcome.add(try send(request, timeout: timeout))
        }
        return outcome
    }

    /// Queues every dead letter again (of `batchID` when given).
    public func retryAll(batchID: String?, timeout: Duration) throws -> DeadLetterRetryOutcome {
        var request = Mirsad_V1_RetryDeadLetters()
        request.all = true
        request.batchID = batchID ?? ""
        var outcome = DeadLetterRetryOutcome(requeued: 0, notDead: [])
        outcome.add(try send(request, timeout: timeout))
        return outcome
    }

    private func send(_ body: Mirsad_V1_RetryDeadLetters, timeout: Duration) throws -> Mirsad_V1_RetryDeadLettersReply {
        var request = body
        request.requestID = client.requestID()
        let id = request.requestID
        return try client.ask(.retryDeadLetters(request), requestID: id, timeout: timeout) { reply in
            if case .retryDeadLettersReply(let r) = reply, r.requestID == id { r } else { nil }
        }
    }
}
