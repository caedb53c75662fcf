import Foundation
import MirsadWire

/// What `mirsad dlq list` prints: `--json` gives `{"total": N, "dead_letters": [...]}`, otherwise a table.
public struct DeadLetterListing: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var jobID: String
        public var batchID: String
        public var articleID: String
        /// The last attempt's error.
        public var error: String
        /// The worker of the last attempt; empty when no worker was involved.
        public var workerID: String
        public var attempts: UInt32
        public var deadUnixMs: UInt64

        enum CodingKeys: String, CodingKey {
            case jobID = "job_id", batchID = "batch_id", articleID = "article_id", error, workerID = "worker_id"
            case attempts, deadUnixMs = "dead_unix_ms"
        }

        init(_ letter: Mirsad_V1_DeadLetter) {
            jobID = letter.jobID
            batchID = letter.batchID
            articleID = letter.articleID
            error = letter.error
            workerID = letter.workerID
            attempts = letter.attempts
            deadUnixMs = letter.deadUnixMs
        }
    }

    /// Dead letters in all (of the batch asked for), which may be more than are listed.
    public var total: UInt64
    public var deadLetters: [Entry]

    enum CodingKeys: String, CodingKey {
        case total, deadLetters = "dead_letters"
    }

    init(total: UInt64, letters: [Mirsad_V1_DeadLetter]) {
        self.total = total
        deadLetters = letters.map(Entry.init)
    }
}

/// What `mirsad dlq retry` prints: `--json` gives `{"requeued": N, "not_dead": [...]}`.
public struct DeadLetterRetryOutcome: Codable, Equatable, Sendable {
    /// Dead letters queued again with a fresh count of attempts.
    public var requeued: UInt32
    /// Job ids asked for that are not dead letters (unknown, or not failed for good).
    public var notDead: [String]

    enum CodingKeys: String, CodingKey {
        case requeued, notDead = "not_dead"
    }

    public init(requeued: UInt32, notDead: [String]) {
        self.requeued = requeued
        self.notDead = notDead
    }

    mutating func add(_ reply: Mirsad_V1_RetryDeadLettersReply) {
        requeued += reply.requeued
        notDead += reply.notDead
    }
}
