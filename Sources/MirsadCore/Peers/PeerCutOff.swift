import MirsadWire

/// The peers a service has cut off because their queue was full: a peer that does not read what it is sent (its
/// queue at the socket's high-water mark) gets nothing more and has what it sends dropped unread for `cooldown`,
/// so a flood of requests whose replies are never read costs a count, not the service's time or memory. After the
/// cooldown the peer is served again, and cut off again if its queue is still full.
///
/// Invariants: at most `capacity` peers are remembered (expired entries go first, then the oldest), so a flood of
/// fresh connections cannot grow it without bound; no I/O, time is passed in.
public struct PeerCutOff: Sendable {
    public var cooldown: Duration
    public var capacity: Int
    private var until: [RoutingID: MonotonicInstant] = [:]

    public init(cooldown: Duration = .seconds(5), capacity: Int = 4096) {
        self.cooldown = cooldown
        self.capacity = max(capacity, 1)
    }

    /// A send to `peer` found its queue full. Returns true when this cuts the peer off, false when it was already.
    public mutating func queueFull(_ peer: RoutingID, now: MonotonicInstant) -> Bool {
        let wasCutOff = isCutOff(peer, now: now)
        if until[peer] == nil, until.count >= capacity { makeRoom(now: now) }
        until[peer] = now.advanced(by: cooldown)
        return !wasCutOff
    }

    /// Whether messages from (and to) `peer` are to be dropped now.
    public func isCutOff(_ peer: RoutingID, now: MonotonicInstant) -> Bool {
        guard let end = until[peer] else { return false }
        return now < end
    }

    /// Forgets a peer (its session ended, or it is known gone).
    public mutating func forget(_ peer: RoutingID) { until[peer] = nil }

    /// Peers remembered (cut off now or lately).
    public var count: Int { until.count }

    private mutating func makeRoom(now: MonotonicInstant) {
        until = until.filter { now < $0.value }
        while until.count >= capacity, let oldest = until.min(by: { $0.value < $1.value }) {
            until[oldest.key] = nil
        }
    }
}
