import ZeroMQ

/// A worker's DEALER to the collector, with a libzmq socket monitor on it that says when the connection breaks
/// (`ZMQ_EVENT_DISCONNECTED`) and when a new one has completed its ZMTP handshake (`ZMQ_EVENT_HANDSHAKE_SUCCEEDED`),
/// so that the worker sends its unacknowledged results again as soon as a restarted collector can take them.
///
/// Why the socket monitor rather than an application-level signal: the collector's ROUTER sends nothing but
/// RESULTS_ACK and ERROR, so a "collector is back" signal would be a new command that collectors of earlier
/// revisions never send, while the handshake event comes from the worker's own socket, for any collector. It is
/// reliable enough for this: libzmq emits both events on the socket's I/O thread as the connection changes, and only
/// these two are selected, a handful per reconnection, read on every turn of the worker's loop, far below the
/// monitor pair's high-water mark. The first handshake after a break is the earliest moment a resend can reach the
/// new collector (messages written before it wait in the socket's queue). A missed event costs only time: the
/// worker's resend timer (`WorkerLimits.resendAfter`) still sends every unacknowledged result again.
///
/// The DEALER retries a refused connection with backoff up to `reconnectMaxMilliseconds` (1 s): a collector that is
/// back is found within about a second, while a long outage costs one connection attempt a second.
///
/// Owned by the worker's loop thread, like its sockets.
final class CollectorConnection {
    /// A change of the connection, in the order libzmq reported it.
    enum Change: Equatable {
        /// The connection broke; results written into it may be lost.
        case lost
        /// A connection completed its handshake: the collector can take messages.
        case established
    }

    /// The most the DEALER waits between connection attempts to a collector that does not answer.
    static let reconnectMaxMilliseconds: Int32 = 1_000

    let socket: Socket
    private let monitor: SocketMonitor

    /// The DEALER sets no routing id: the collector's ROUTER assigns one per connection (see `SocketSetup`).
    init(context: ZMQContext, setup: SocketSetup, endpoint: String, curve: ClientSecurity? = nil) throws {
        var setup = setup
        setup.reconnectMaxMilliseconds = min(setup.reconnectMaxMilliseconds, Self.reconnectMaxMilliseconds)
        socket = try setup.connectedDealer(context, endpoint: endpoint, curve: curve)
        do {
            monitor = try SocketMonitor(socket, events: [.disconnected, .handshakeSucceeded])
        } catch {
            socket.close()
            throw error
        }
    }

    /// The socket the monitor's events arrive on: register it in the loop's poller beside `socket`.
    var eventSocket: Socket { monitor.eventSocket }

    /// The changes reported since the last call, without waiting.
    func changes() throws -> [Change] {
        var changes: [Change] = []
        while let event = try monitor.receive(dontWait: true) {
            if event.kind == .disconnected {
                changes.append(.lost)
            } else if event.kind == .handshakeSucceeded {
                changes.append(.established)
            }
        }
        return changes
    }

    func close() {
        monitor.close()
        socket.close()
    }
}

@available(*, unavailable)
extension CollectorConnection: Sendable {}
