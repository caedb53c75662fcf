import MirsadWire
/// The timing of a worker's or collector's session with the dispatcher before the dispatcher's WELCOME states its
/// own, and how reconnections to a silent dispatcher are spaced (`Protocols/mirsad-protocol.md`, section 10).
public struct DispatcherLinkConfiguration: Sendable, Hashable {
    /// A HEARTBEAT goes out when nothing else was sent for this long; WELCOME's `heartbeat_interval_ms` replaces it.
    public var heartbeatInterval: Duration
    /// A dispatcher heard from for this long is gone; WELCOME's `liveness_timeout_ms` replaces it.
    public var livenessTimeout: Duration
    /// The wait before the first new connection to a silent dispatcher. Each reconnection doubles the next wait, up
    /// to `reconnectBackoffMax`; a WELCOME brings it back to this.
    public var reconnectBackoff: Duration
    public var reconnectBackoffMax: Duration

    public init(
        heartbeatInterval: Duration = ProtocolTiming.defaultHeartbeatInterval,
        livenessTimeout: Duration = ProtocolTiming.defaultLivenessTimeout,
        reconnectBackoff: Duration = .seconds(1),
        reconnectBackoffMax: Duration = .seconds(32)
    ) {
        self.heartbeatInterval = heartbeatInterval
        self.livenessTimeout = livenessTimeout
        self.reconnectBackoff = reconnectBackoff
        self.reconnectBackoffMax = max(reconnectBackoffMax, reconnectBackoff)
    }
}
