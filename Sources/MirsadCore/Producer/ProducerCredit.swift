
/// A producer's flow control, as a pure state machine: how many jobs it may send now, given the dispatcher's
/// producer credit (SUBMIT_ACK `credit`), the window of chunks awaiting acknowledgement, and BUSY refusals.
///
/// Invariants, once the dispatcher has granted credit:
/// - the jobs sent and not yet acknowledged never exceed the credit of the latest SUBMIT_ACK. Acknowledgements
///   arrive in the order the dispatcher took the SUBMITs, so an ack's credit was counted before any chunk still
///   unacknowledged when it arrives: counting those chunks against it is exact (or conservative, for a chunk lost
///   to a dispatcher restart, which is resent);
/// - at credit 0 nothing is sent; the producer asks again with an empty SUBMIT at most every `queryInterval`.
///
/// Before any acknowledgement only one chunk may be outstanding. A `credit` of 0 cannot be told apart on the wire
/// from a dispatcher that predates producer credit (proto3 has no presence for it), so until some ack has carried a
/// credit above 0 a 0 means "no credit given": the window alone limits the producer, and a dispatcher that is full
/// says so with ERROR BUSY, as before. Once credit above 0 has been seen, every later ack's credit is binding.
///
/// A chunk refused with BUSY was not taken: its jobs go back to the producer (to be cut to the credit again),
/// nothing is sent for `busyPause`, and the credit is asked for at once. This is also how a first chunk larger than
/// the dispatcher's whole queue finds out what it may send. In every state at most `window` chunks are outstanding.
public struct ProducerCredit: Sendable, Equatable {
    public enum Grant: Sendable, Equatable {
        /// No acknowledgement yet: one chunk may be outstanding.
        case awaitingFirstAck
        /// Acknowledgements came, none with credit: the dispatcher does not grant credit; the window limits.
        case notGranted
        /// The dispatcher's latest credit (binding).
        case granted(Int)
    }

    /// Why nothing may be sent now.
    public enum Block: Sendable, Equatable {
        case window
        case firstAck
        case credit
        /// A chunk was refused with BUSY less than `busyPause` ago.
        case busy
    }

    public let window: Int
    /// The time between two credit queries (empty SUBMITs) while blocked by credit or BUSY.
    public let queryInterval: Duration
    /// The time without sending after a BUSY refusal.
    public let busyPause: Duration
    public private(set) var grant: Grant = .awaitingFirstAck
    public private(set) var unacknowledgedJobs = 0
    public private(set) var unacknowledgedChunks = 0
    private var lastQuery: MonotonicInstant? = nil
    private var pausedUntil: MonotonicInstant? = nil

    public init(window: Int, queryInterval: Duration = .milliseconds(500), busyPause: Duration = .milliseconds(500)) {
        self.window = max(1, window)
        self.queryInterval = queryInterval
        self.busyPause = busyPause
    }

    /// How many of `wanted` jobs may go in one chunk at `now` (0: wait).
    public func allowance(wanted: Int, now: MonotonicInstant) -> Int {
        guard block(now: now) == nil else { return 0 }
        switch grant {
        case .awaitingFirstAck, .notGranted: return wanted
        case .granted(let credit): return min(wanted, credit - unacknowledgedJobs)
        }
    }

    /// What stops a chunk at `now`, or nil when one may go.
    public func block(now: MonotonicInstant) -> Block? {
        if let pausedUntil, now < pausedUntil { return .busy }
        if unacknowledgedChunks >= window { return .window }
        switch grant {
        case .awaitingFirstAck: return unacknowledgedChunks > 0 ? .firstAck : nil
        case .notGranted: return nil
        case .granted(let credit): return credit - unacknowledgedJobs > 0 ? nil : .credit
        }
    }

    /// A chunk of `jobs` jobs was sent (not a resend).
    public mutating func sent(jobs: Int) {
        unacknowledgedJobs += jobs
        unacknowledgedChunks += 1
    }

    /// An outstanding chunk of `jobs` jobs was answered (acknowledged, or refused for good).
    public mutating func settled(jobs: Int) {
        unacknowledgedJobs = max(0, unacknowledgedJobs - jobs)
        unacknowledgedChunks = max(0, unacknowledgedChunks - 1)
    }

    /// An outstanding chunk of `jobs` jobs was refused with BUSY at `now`: not taken, its jobs are to be sent again.
    public mutating func refusedBusy(jobs: Int, now: MonotonicInstant) {
        settled(jobs: jobs)
        pausedUntil = now.advanced(by: busyPause)
        lastQuery = nil   // ask for the credit at once
    }

    /// Any SUBMIT_ACK arrived (for a chunk, a resent chunk's second copy, or a credit query) with `credit`.
    public mutating func acknowledged(credit: UInt32) {
        switch grant {
        case .granted: grant = .granted(Int(credit))
        case .awaitingFirstAck, .notGranted: grant = credit > 0 ? .granted(Int(credit)) : .notGranted
        }
    }

    /// Whether to send a credit query (an empty SUBMIT) now; records it when so. Only while blocked by credit or
    /// by a BUSY refusal.
    public mutating func shouldQuery(now: MonotonicInstant) -> Bool {
        guard let block = block(now: now), block == .credit || block == .busy else { return false }
        if let last = lastQuery, last.duration(to: now) < queryInterval { return false }
        lastQuery = now
        return true
    }
}
