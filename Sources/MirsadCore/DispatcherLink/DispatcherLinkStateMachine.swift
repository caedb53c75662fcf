import MirsadWire
/// The session logic of a worker's or collector's link to the dispatcher: events in, actions out. No socket, no
/// clock: the loop around it passes the time in with every event.
///
/// The loop calls `start(now:)` once the DEALER is connected, `received(_:now:)` for every message read from it,
/// `sent(now:)` after every message of its own it sends, and `tick(now:heldJobs:)` at least every heartbeat
/// interval; `close(reason:)` says BYE.
///
/// Invariants:
/// - a HEARTBEAT goes out whenever nothing was sent for a heartbeat interval; a worker holding jobs lists them all
///   once every heartbeat interval instead (in HEARTBEATs of at most `ProtocolLimits.maxIDsPerMessage` ids each),
///   and then sends no plain HEARTBEAT beside them;
/// - at most one HELLO is outstanding: one that no WELCOME has answered is not repeated until it is overdue (two
///   heartbeat intervals). A restarted dispatcher answers everything sent before the HELLO reached it with
///   `UNKNOWN_PEER`, and each HELLO would re-register the peer and requeue what it was just given;
/// - HELLO carries `replaces` and `crashed` until the first WELCOME and never after: the dispatcher commits what it
///   was told before it answers, so telling it again (after its restart, say) would count the same crash twice;
/// - a dispatcher silent past the liveness timeout gets a new connection (and a HELLO) after a backoff of
///   `reconnectBackoff` doubling to `reconnectBackoffMax` with each reconnection, back to `reconnectBackoff` with a
///   WELCOME; anything heard during the wait calls the reconnection off.
public struct DispatcherLinkStateMachine: Sendable {
    /// Where the session stands.
    enum State: Sendable, Hashable {
        /// HELLO went out at `helloSentAt` and no WELCOME has answered it yet.
        case greeting(helloSentAt: MonotonicInstant)
        /// WELCOMEd: the dispatcher knows this peer, as far as the link can tell.
        case welcomed
    }

    public let configuration: DispatcherLinkConfiguration
    private(set) var state: State
    private var hello: Mirsad_V1_Hello
    public private(set) var heartbeatInterval: Duration
    public private(set) var livenessTimeout: Duration
    /// The wait before the next reconnection to a silent dispatcher.
    public private(set) var reconnectBackoff: Duration
    /// Set while the dispatcher is silent past the liveness timeout: when the new connection is opened.
    public private(set) var reconnectAt: MonotonicInstant?
    private var lastHeard: MonotonicInstant
    private var lastSent: MonotonicInstant
    /// When the held jobs were last listed; nil: never.
    private var lastLeaseRenewal: MonotonicInstant?

    /// A link whose DEALER connects now; nothing is sent before `start(now:)`.
    public init(hello: Mirsad_V1_Hello, configuration: DispatcherLinkConfiguration = .init(), now: MonotonicInstant) {
        self.configuration = configuration
        self.hello = hello
        heartbeatInterval = configuration.heartbeatInterval
        livenessTimeout = configuration.livenessTimeout
        reconnectBackoff = configuration.reconnectBackoff
        lastHeard = now
        lastSent = now
        state = .greeting(helloSentAt: now)
    }

    /// Whether a WELCOME answered the last HELLO.
    public var isWelcomed: Bool { state == .welcomed }

    /// The HELLO the link would send now.
    public var currentHello: Mirsad_V1_Hello { hello }

    // MARK: - Events

    /// The first HELLO.
    public mutating func start(now: MonotonicInstant) -> [DispatcherLinkAction] {
        sendHello(now: now)
    }

    /// A message from the dispatcher. HEARTBEAT only shows it is alive; WELCOME's timing is taken (and the WELCOME
    /// delivered); ERROR and BYE are logged, and with `UNKNOWN_PEER` or BYE the session starts again with HELLO.
    /// Everything else is delivered to the service.
    public mutating func received(_ message: MirsadMessage, now: MonotonicInstant) -> [DispatcherLinkAction] {
        lastHeard = now
        reconnectAt = nil
        switch message {
        case .heartbeat:
            return []
        case .welcome(let welcome):
            state = .welcomed
            hello.replaces = ""
            hello.crashed = []
            reconnectBackoff = configuration.reconnectBackoff
            if welcome.heartbeatIntervalMs > 0 { heartbeatInterval = .milliseconds(welcome.heartbeatIntervalMs) }
            if welcome.livenessTimeoutMs > 0 { livenessTimeout = .milliseconds(welcome.livenessTimeoutMs) }
            return [.deliver(message)]
        case .error(let error) where error.code == .unknownPeer:
            let hello = helloAgain(now: now)
            return [.notice(.forgotten(helloSent: !hello.isEmpty))] + hello
        case .error(let error):
            return [.notice(.refused(code: error.code, message: error.message))]
        case .bye(let bye):
            let hello = helloAgain(now: now)
            return [.notice(.dispatcherLeft(reason: bye.reason, helloSent: !hello.isEmpty))] + hello
        default:
            return [.deliver(message)]
        }
    }

    /// The service sent a message of its own on the link.
    public mutating func sent(now: MonotonicInstant) {
        lastSent = now
    }

    /// Liveness, reconnection, lease renewals and heartbeats. `heldJobs` (asked only when a renewal is due) lists
    /// the jobs whose leases to renew; a collector holds none.
    public mutating func tick(now: MonotonicInstant, heldJobs: () -> [String] = { [] }) -> [DispatcherLinkAction] {
        if let at = reconnectAt {
            guard now >= at else { return [] }
            reconnectAt = nil
            lastHeard = now
            reconnectBackoff = min(reconnectBackoff * 2, configuration.reconnectBackoffMax)
            return [.reconnect, .notice(.reconnected)] + sendHello(now: now)
        }
        let silence = lastHeard.duration(to: now)
        if silence > livenessTimeout {
            reconnectAt = now.advanced(by: reconnectBackoff)
            return [.notice(.dispatcherSilent(silentFor: silence, reconnectingIn: reconnectBackoff))]
        }
        if lastLeaseRenewal.map({ $0.duration(to: now) >= heartbeatInterval }) ?? true {
            let held = heldJobs()
            if !held.isEmpty {
                lastLeaseRenewal = now
                lastSent = now
                return stride(from: 0, to: held.count, by: ProtocolLimits.maxIDsPerMessage).map { start in
                    var heartbeat = Mirsad_V1_Heartbeat()
                    heartbeat.jobIds = Array(held[start..<min(start + ProtocolLimits.maxIDsPerMessage, held.count)])
                    return .send(.heartbeat(heartbeat))
                }
            }
        }
        if lastSent.duration(to: now) >= heartbeatInterval {
            lastSent = now
            return [.send(.heartbeat)]
        }
        return []
    }

    /// BYE, the last message of the link.
    public mutating func close(reason: String, now: MonotonicInstant) -> [DispatcherLinkAction] {
        var bye = Mirsad_V1_Bye()
        bye.reason = reason
        lastSent = now
        return [.send(.bye(bye))]
    }

    // MARK: - HELLO

    private mutating func sendHello(now: MonotonicInstant) -> [DispatcherLinkAction] {
        state = .greeting(helloSentAt: now)
        lastSent = now
        return [.send(.hello(hello))]
    }

    /// HELLO again, unless one is on its way and not yet overdue (two heartbeat intervals).
    private mutating func helloAgain(now: MonotonicInstant) -> [DispatcherLinkAction] {
        if case .greeting(let since) = state, since.duration(to: now) < heartbeatInterval * 2 { return [] }
        return sendHello(now: now)
    }
}
