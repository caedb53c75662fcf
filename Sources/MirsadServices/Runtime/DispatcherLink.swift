import Foundation
import Logging
import MirsadCore
import MirsadWire
import ZeroMQ

/// A worker's or a collector's session with the dispatcher: one DEALER, driven by a `DispatcherLinkStateMachine`
/// (HELLO, heartbeats, lease renewals, liveness, reconnection); this class only moves its messages and logs what it
/// notices.
///
/// Owned by the thread of the service loop, like its socket.
final class DispatcherLink {
    /// The current DEALER; a new one after each reconnection.
    private(set) var socket: Socket
    private let context: ZMQContext
    private let setup: SocketSetup
    private let endpoint: String
    private let curve: ClientSecurity?
    private let clock: ServiceClock
    private let logger: Logger
    private var machine: DispatcherLinkStateMachine

    init(
        context: ZMQContext, setup: SocketSetup, endpoint: String, role: Mirsad_V1_Role, id: String, capacity: Int,
        replaces: String = "", crashed: [Mirsad_V1_JobFailure] = [], curve: ClientSecurity? = nil,
        clock: ServiceClock = .system, logger: Logger
    ) throws {
        self.curve = curve
        self.context = context
        self.setup = setup
        self.endpoint = endpoint
        self.clock = clock
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
        socket = try setup.connectedDealer(context, endpoint: endpoint, curve: curve)
        let now = clock.monotonic()
        machine = DispatcherLinkStateMachine(hello: hello, now: now)
        _ = try perform(machine.start(now: now))
    }

    /// Sends a message of the service's, without waiting: when the dispatcher does not read (its queue is full) the
    /// message is dropped, as the link's liveness check will soon reconnect; what matters is sent again (STORED by
    /// the tracker's timer) or recovered by the dispatcher's leases (a lost DONE).
    func send(_ message: MirsadMessage) throws {
        if try socket.send(message) {
            machine.sent(now: clock.monotonic())
        } else {
            logger.debug("the dispatcher's queue is full; \(message.command) dropped")
        }
    }

    /// The next message from the dispatcher for the service, without waiting; the session's own messages are
    /// handled on the way (see `DispatcherLinkStateMachine.received`).
    ///
    /// JOBS comes as `.jobsView`: each job stays encoded until a worker thread decodes it.
    func receive(problems: inout ProblemLog) throws -> MirsadMessage? {
        while let message = try socket.receiveDecoded(problems: &problems, logger: logger, reading: .passThrough) {
            if let delivered = try perform(machine.received(message, now: clock.monotonic())) {
                return delivered
            }
        }
        return nil
    }

    /// Heartbeats, lease renewals, liveness and reconnection; call at least every heartbeat interval. `heldJobs`
    /// (asked only when a renewal is due) lists the jobs whose leases to renew; a collector holds none.
    func maintain(heldJobs: () -> [String] = { [] }) throws {
        _ = try perform(machine.tick(now: clock.monotonic(), heldJobs: heldJobs))
    }

    /// Says BYE (best effort) and closes the socket.
    func close(reason: String) {
        for case .send(let message) in machine.close(reason: reason, now: clock.monotonic()) {
            _ = try? socket.send(message)
        }
        try? socket.set(.linger, 1_000)  // sockets linger 0 (SocketSetup); the BYE and what precedes it must get out
        socket.close()
    }

    /// Carries out the machine's actions; returns the message to deliver to the service, if any.
    private func perform(_ actions: [DispatcherLinkAction]) throws -> MirsadMessage? {
        var delivered: MirsadMessage? = nil
        for action in actions {
            switch action {
            case .send(var message):
                // The wall clock at sending, for the dispatcher's clock offset (protocol section 10.7).
                switch message {
                case .hello(var hello):
                    hello.sentUnixMs = clock.wall().milliseconds
                    message = .hello(hello)
                case .heartbeat(var heartbeat):
                    heartbeat.sentUnixMs = clock.wall().milliseconds
                    message = .heartbeat(heartbeat)
                default: break
                }
                try socket.send(message)
            case .reconnect:
                socket.close()
                socket = try setup.connectedDealer(context, endpoint: endpoint, curve: curve)
            case .deliver(let message):
                delivered = message
            case .notice(let notice):
                log(notice)
            }
        }
        return delivered
    }

    private func log(_ notice: DispatcherLinkNotice) {
        switch notice {
        case .refused(let code, let message):
            logger.error("dispatcher refused a message: \(code) \(message)")
        case .forgotten(let helloSent):
            if helloSent {
                logger.notice("the dispatcher does not know this peer (it restarted, or declared it dead); saying HELLO again")
            } else {
                logger.debug("the dispatcher does not know this peer yet; the HELLO on its way answers it")
            }
        case .dispatcherLeft(let reason, let helloSent):
            logger.notice("dispatcher said BYE (\(reason))\(helloSent ? "; saying HELLO again" : "")")
        case .dispatcherSilent(let silence, let wait):
            logger.warning("dispatcher silent for \(silence.wholeMilliseconds) ms; reconnecting to \(endpoint) in \(wait.inSeconds) s")
        case .reconnected:
            logger.info("reconnected to \(endpoint); saying HELLO")
        }
    }
}
