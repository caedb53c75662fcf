import MirsadCore

/// What a collector has done since it started; read at any time from any thread through
/// `CollectorService.statistics`.
public struct CollectorStatistics: Sendable, Hashable {
    /// Results written to the store for the first time.
    public var committed: UInt64 = 0
    /// Results received again for jobs already stored (acknowledged again, stored once).
    public var duplicates: UInt64 = 0
    /// `store` calls that failed (disk full, ...): their results were not acknowledged.
    public var storeFailures: UInt64 = 0
    /// Stored notices the dispatcher acknowledged and the store deleted.
    public var noticesConfirmed: UInt64 = 0
    /// Reads or deletions of stored notices that failed (they are retried).
    public var noticeFailures: UInt64 = 0
    /// RESULTS messages refused (too many results, or sent by no one).
    public var refusedResults: UInt64 = 0
    /// Results refused because their analysis could not be read: not stored, listed in RESULTS_ACK `refused` for
    /// their workers to report the jobs failed.
    public var unreadableResults: UInt64 = 0
    /// Stored job ids held in memory waiting for STORED_ACK (the rest wait in the store).
    public var noticesInMemory: Int = 0
    /// Messages and results refused for security reasons, by kind: RESULTS from a key without the worker role
    /// ("forbidden by role", "unknown key"), results without a valid lease ("forged token"), handshakes of keys not
    /// in the allowlist ("unknown key").
    public var security = SecurityRefusals()
    /// Handshakes the ZAP handler refused: keys not in the allowlist.
    public var handshakesRefused: UInt64 = 0
    /// What workers and clients did wrong, by kind (as a STATUS to the collector reports it); updated once a loop turn.
    public var peerProblems = PeerProblemCounts()

    public init() {}
}
