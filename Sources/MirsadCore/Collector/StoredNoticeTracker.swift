import Algorithms
import MirsadWire

/// The collector's side of STORED / STORED_ACK as a pure state machine: which stored jobs the dispatcher still has
/// to acknowledge, when to tell it (again), and when to read more of them from the report store.
///
/// The report store is the truth: every job id stored and not yet confirmed has a notice there
/// (`ReportStore.pendingNotices`). The tracker holds a window of at most `capacity` of those ids in memory; the
/// others wait in the store (`backlog`) and are paged in as acknowledgements make room, so memory stays bounded
/// however long the dispatcher is away.
///
/// Invariants:
/// - every id in the window has a notice in the store (the window is a subset of the store's notices);
/// - an id leaves the window only through STORED_ACK (then it is confirmed in the store) or a confirmation that
///   failed (then `backlog` is set, so the store's copy is paged in again);
/// - while `backlog` is false, every notice in the store is in the window;
/// - nothing is sent before the dispatcher has welcomed this session (`linkUp`); after that every id in the window
///   is sent, and sent again each `resendAfter` until acknowledged.
public struct StoredNoticeTracker: Sendable {
    public struct Configuration: Sendable {
        /// The most job ids held in memory.
        public var capacity = 65_536
        /// How many new ids one page read from the store brings in at most.
        public var pageSize = 4_096
        /// Ids not acknowledged this long after they were sent are sent again.
        public var resendAfter: Duration = .seconds(5)

        public init(capacity: Int = 65_536, pageSize: Int = 4_096, resendAfter: Duration = .seconds(5)) {
            self.capacity = max(1, capacity)
            self.pageSize = max(1, min(pageSize, self.capacity))
            self.resendAfter = resendAfter
        }
    }

    public enum Action: Equatable, Sendable {
        /// Send STORED for these ids (at most `ProtocolLimits.maxIDsPerMessage`).
        case send([String])
        /// Delete these ids' notices from the store, in one transaction; report a failure with `confirmFailed`.
        case confirm([String])
        /// Read `pendingNotices(limit:)` from the store and hand the result to `pageLoaded`.
        case loadPage(limit: Int)
    }

    public let configuration: Configuration
    /// Window: id -> the send round it was last sent in; 0 when not sent on the current session.
    private var rounds: [String: UInt64] = [:]
    /// Send rounds in the order they were sent; each id is due again when its latest round is stale.
    private var sent: [(round: UInt64, at: MonotonicInstant, ids: [String])] = []
    private var sentHead = 0
    private var lastRound: UInt64 = 0
    /// Acknowledged ids whose notices are still to be deleted from the store.
    private var acknowledged: [String] = []
    /// The store may hold notices that are not in the window. True at start: an earlier process may have left some.
    public private(set) var backlog = true
    /// Whether the dispatcher has welcomed the current session.
    public private(set) var linkIsUp = false

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Ids held in memory, waiting for STORED_ACK.
    public var pendingCount: Int { rounds.count }

    /// Ids sent on the current session and not yet acknowledged.
    public var awaitingAcknowledgement: Int { linkIsUp ? rounds.values.count { $0 != 0 } : 0 }

    /// Whether `id` is held in memory, waiting for STORED_ACK.
    public func isPending(_ id: String) -> Bool { rounds[id] != nil }

    /// Results for `ids` were committed (their notices are in the store): tell the dispatcher.
    public mutating func committed(_ ids: [String], now: MonotonicInstant) -> [Action] {
        var admitted: [String] = []
        var seen = Set<String>()
        for id in ids where seen.insert(id).inserted {
            if rounds[id] != nil {
                admitted.append(id)  // pending already: the dispatcher hears about it again now
            } else if !backlog && rounds.count < configuration.capacity {
                rounds[id] = 0
                admitted.append(id)
            } else {
                backlog = true  // stays in the store, paged in later
            }
        }
        return send(admitted, now: now)
    }

    /// The dispatcher acknowledged `ids` (STORED_ACK). Their notices are deleted at the next `tick`.
    public mutating func acknowledged(_ ids: [String]) {
        for id in ids { rounds.removeValue(forKey: id) }
        acknowledged += ids
    }

    /// A confirmation failed: those notices are still in the store, and are read again from there.
    public mutating func confirmFailed(_ ids: [String]) {
        if !ids.isEmpty { backlog = true }
    }

    /// The dispatcher welcomed this session (first connection, or again after it restarted or forgot us):
    /// everything held is sent now.
    public mutating func linkUp(now: MonotonicInstant) -> [Action] {
        linkIsUp = true
        sent.removeAll()
        sentHead = 0
        return send(Array(rounds.keys), now: now)
    }

    /// The session ended (the link reconnects): nothing is sent until the next `linkUp`.
    public mutating func linkDown() {
        linkIsUp = false
        sent.removeAll()
        sentHead = 0
        for id in rounds.keys { rounds[id] = 0 }
    }

    /// A page of the store's pending notices, as asked by `.loadPage(limit:)`.
    public mutating func pageLoaded(_ ids: [String], limit: Int, now: MonotonicInstant) -> [Action] {
        let waitingForDelete = Set(acknowledged)
        var admitted: [String] = []
        var full = false
        for id in ids where rounds[id] == nil && !waitingForDelete.contains(id) {
            guard rounds.count < configuration.capacity else { full = true; break }
            rounds[id] = 0
            admitted.append(id)
        }
        // Fewer rows than asked for: the store holds nothing the window lacks (its notices ⊆ window ∪ `ids`).
        if ids.count < limit && !full { backlog = false }
        return send(admitted, now: now)
    }

    /// Once per loop turn: deletes acknowledged notices, pages in from the store when there is room, and sends
    /// again what has waited too long for its acknowledgement. Actions are to be carried out in order.
    public mutating func tick(now: MonotonicInstant) -> [Action] {
        var actions: [Action] = []
        if !acknowledged.isEmpty {
            actions.append(.confirm(acknowledged))
            acknowledged.removeAll()
        }
        if backlog && rounds.count + configuration.pageSize <= configuration.capacity {
            // The store lists the window's ids too (they are its oldest notices, mostly), so ask for them
            // as well as for a page beyond them.
            actions.append(.loadPage(limit: rounds.count + configuration.pageSize))
        }
        guard linkIsUp else { return actions }
        var due: [String] = []
        while sentHead < sent.count {
            let (round, at, ids) = sent[sentHead]
            guard at.duration(to: now) >= configuration.resendAfter else { break }
            due += ids.filter { rounds[$0] == round }
            sentHead += 1
        }
        if sentHead > 64 && sentHead * 2 > sent.count {
            sent.removeFirst(sentHead)
            sentHead = 0
        }
        return actions + send(due, now: now)
    }

    /// Sends `ids` (when the link is up) as one new round, in messages of at most `maxIDsPerMessage` ids.
    private mutating func send(_ ids: [String], now: MonotonicInstant) -> [Action] {
        guard linkIsUp, !ids.isEmpty else { return [] }
        lastRound += 1
        for id in ids { rounds[id] = lastRound }
        sent.append((lastRound, now, ids))
        return ids.chunks(ofCount: ProtocolLimits.maxIDsPerMessage).map { .send(Array($0)) }
    }
}
