import Foundation
import Logging
import MirsadProtocol
import ZeroMQ

/// A worker's or a collector's session with the dispatcher: one DEALER, HELLO when it connects, HEARTBEAT when
/// it has sent nothing for a heartbeat interval, and a new connection with a new HELLO when the dispatcher has
/// been silent past the liveness timeout or no longer knows it.
///
/// A worker that holds jobs renews their leases instead: every heartbeat interval, whatever else it sent, one
/// HEARTBEAT (or several, each under `ProtocolLimits.maxIDsPerMessage` ids) lists every job it holds; the plain
/// heartbeat is then not needed and not sent.
///
/// The HELLO's `replaces` and `crashed` (what a restarted worker reports of its previous process) are sent until a
/// dispatcher WELCOMEs the link, and then dropped from later HELLOs: the dispatcher commits what it was told before
/// it answers, so telling it again (after its restart, say) would count the same crash twice.
///
/// Owned by the thread of the service loop, like its socket.
final class DispatcherLink {
    private(set) var socket: Socket
    private let context: ZMQContext
    private let setup: SocketSetup
    private let endpoint: String
    private var hello: Mirsad_V1_Hello
    private let logger: Logger
    private var heartbeatInterval = UInt64(ProtocolTiming.defaultHeartbeatInterval.wholeNanoseconds)
    private var livenessTimeout = UInt64(ProtocolTiming.defaultLivenessTimeout.wholeNanoseconds)
    private var lastSent: UInt64 = 0
    private var lastLeaseRenewal: UInt64 = 0
    private var lastHeard: UInt64
    /// When the last HELLO went out, while no WELCOME has answered it. A dispatcher that restarted answers every
    /// message sent before the HELLO reached it with UNKNOWN_PEER; each HELLO re-registers the worker and requeues
    /// what it was just given, so one outstanding HELLO is enough until it is overdue.
    private var helloOutstandingSince: UInt64?

    init(
        context: ZMQContext, setup: SocketSetup, endpoint: String, role: Mirsad_V1_Role, id: String, capacity: Int,
        replaces: String = "", crashed: [Mirsad_V1_JobFailure] = [], logger: Logger
    ) throws {
        self.context = context
        self.setup = setup
        self.endpoint = endpoint
        self.logger = logger
        var hello = Mirsad_V1_Hello()
        hello.role = role
        hello.id = id
        hello.host = ProcessInfo.processInfo.hostName
        hello.pid = Int64(getpid())
        hello.version = Defaults.version
        hello.capacity = UInt32(capacity)
        hello.replaces = replaces
        hello.crashed = crashed
        self.hello = hello
        socket = try setup.connectedDealer(context, endpoint: endpoint, identity: Array(id.utf8))
        lastHeard = MonotonicClock.now()
        try sendHello()
    }

    private func sendHello() throws {
        try send(.hello(hello))
        helloOutstandingSince = lastSent
    }

    /// Says HELLO again unless one is on its way and not yet overdue (two heartbeat intervals).
    private func helloAgain() throws {
        if let since = helloOutstandingSince, MonotonicClock.now() &- since < 2 * heartbeatInterval { return }
        try sendHello()
    }

    func send(_ message: MirsadMessage) throws {
        try socket.send(message)
        lastSent = MonotonicClock.now()
    }

    /// The next message from the dispatcher for the service, without waiting. The session's own messages are
    /// handled here: HEARTBEAT only shows the dispatcher is alive; WELCOME's timing is taken (and the WELCOME
    /// still returned); an ERROR is logged, and with BYE or UNKNOWN_PEER the session starts again with HELLO.
    ///
    /// JOBS comes as `.jobsView`: each job stays encoded until a worker thread decodes it.
    func receive(problems: inout ProblemLog) throws -> MirsadMessage? {
        while let message = try socket.receiveDecoded(problems: &problems, logger: logger, reading: .passThrough) {
            lastHeard = MonotonicClock.now()
            switch message {
            case .heartbeat:
                continue
            case .welcome(let welcome):
                helloOutstandingSince = nil
                hello.replaces = ""
                hello.crashed = []
                if welcome.heartbeatIntervalMs > 0 { heartbeatInterval = UInt64(welcome.heartbeatIntervalMs) * 1_000_000 }
                if welcome.livenessTimeoutMs > 0 { livenessTimeout = UInt64(welcome.livenessTimeoutMs) * 1_000_000 }
                return message
            case .error(let error):
                logger.error("dispatcher refused a message: \(error.code) \(error.message)")
                if error.code == .unknownPeer { try helloAgain() }
            case .bye(let bye):
                logger.warning("dispatcher said BYE (\(bye.reason)); saying HELLO again")
                try helloAgain()
            default:
                return message
            }
        }
        return nil
    }

    /// Heartbeats, lease renewals and liveness; call at least every heartbeat interval. `heldJobs` (asked only
    /// when a renewal is due) lists the jobs whose leases to renew; a collector holds none.
    func maintain(heldJobs: () -> [String] = { [] }) throws {
        let now = MonotonicClock.now()
        if now - lastHeard > livenessTimeout {
            logger.warning("dispatcher silent for \((now - lastHeard) / 1_000_000) ms; reconnecting to \(endpoint)")
            socket.close()
            socket = try setup.connectedDealer(context, endpoint: endpoint, identity: Array(hello.id.utf8))
            lastHeard = now
            try sendHello()
            return
        }
        if now - lastLeaseRenewal >= heartbeatInterval {
            let held = heldJobs()
            if !held.isEmpty {
                for chunk in held.chunked(by: ProtocolLimits.maxIDsPerMessage) {
                    var heartbeat = Mirsad_V1_Heartbeat()
                    heartbeat.jobIds = chunk
                    try send(.heartbeat(heartbeat))
                }
                lastLeaseRenewal = now
                return
            }
        }
        if now - lastSent >= heartbeatInterval {
            try send(.heartbeat)
        }
    }

    /// Says BYE (best effort) and closes the socket.
    func close(reason: String) {
        var bye = Mirsad_V1_Bye()
        bye.reason = reason
        try? send(.bye(bye))
        try? socket.set(.linger, 1_000)  // sockets linger 0 (SocketSetup); the BYE and what precedes it must get out
        socket.close()
    }
}
