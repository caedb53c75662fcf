import Foundation
import MirsadCore
import MirsadServices
import MirsadWire
import ZeroMQ

/// A ROUTER bound to an ephemeral TCP loopback port and served by its own thread: stands in for a dispatcher
/// or a collector in front of the code under test.
///
/// The socket lives on the peer's thread only. Other threads talk to it through two locked queues: what arrived
/// (`received`, waited on with `waitUntil`) and what to send (`send`, picked up within one poll interval).
/// `respond` runs on the peer's thread for every decoded message and `tick` after every poll; both return
/// messages to send at once, so a script can answer without a round trip through the test thread.
///
/// The services set no routing id (their ROUTER-facing DEALERs are named by the ROUTER), so the fake names each
/// connection by the id its peer announced, in HELLO or in the `worker_id` of its RESULTS: `Received.peer` is that
/// name, and a message sent to the name goes to the connection that last announced it.
final class FakeRouterPeer: Sendable {
    struct Received: Sendable {
        var peer: RoutingID
        var message: MirsadMessage
        /// When the peer's thread decoded it.
        var at: MonotonicInstant
    }

    typealias Outgoing = (peer: RoutingID, frames: [[UInt8]])

    private struct State {
        var received: [Received] = []
        /// Messages the peer could not decode, with their routing id when there was one.
        var malformed = 0
        var outbox: [Outgoing] = []
        var stopping = false
        var failure: String? = nil
        /// Set once by the peer's thread when it has bound (or failed to).
        var endpoint: Result<String, any Error>? = nil
    }

    /// `State` behind a condition; `@unchecked Sendable` is sound because `value` is touched only while locked.
    private final class Shared: @unchecked Sendable {
        private let condition = NSCondition()
        private var value = State()

        func withLock<T>(_ body: (inout State) -> T) -> T {
            condition.lock()
            defer { condition.broadcast(); condition.unlock() }
            return body(&value)
        }

        /// Waits until `ready` holds for the state or `deadline` passes; returns whether it held.
        func wait(until deadline: Date, for ready: (State) -> Bool) -> Bool {
            condition.lock()
            defer { condition.unlock() }
            while !ready(value) {
                if !condition.wait(until: deadline) { return ready(value) }
            }
            return true
        }
    }

    let endpoint: String
    private let state = Shared()
    private let finished = DispatchSemaphore(value: 0)

    /// Binds the ROUTER (to an ephemeral loopback port unless `bind` names one) on a new thread and returns once it
    /// listens.
    init(
        bind: String = "tcp://127.0.0.1:*",
        respond: @escaping @Sendable (Received) -> [MirsadMessage] = { _ in [] },
        tick: @escaping @Sendable (MonotonicInstant) -> [(RoutingID, MirsadMessage)] = { _ in [] }
    ) throws {
        let bound = Shared()
        let ready = DispatchSemaphore(value: 0)
        let state = self.state, finished = self.finished
        let thread = Thread {
            defer { finished.signal() }
            let socket: Socket
            do {
                let context = try ZMQContext()
                socket = try Socket(context: context, type: .router)
                try socket.set(.routerMandatory, true)
                try socket.bind(bind)
                let endpoint = try socket.lastEndpoint
                bound.withLock { $0.endpoint = .success(endpoint) }
                ready.signal()
            } catch {
                bound.withLock { $0.endpoint = .failure(error) }
                ready.signal()
                return
            }
            defer { socket.close() }
            func transmit(_ frames: [[UInt8]]) {
                do { _ = try socket.send(frames) } catch {
                    state.withLock { $0.failure = "send failed: \(error)" }
                }
            }
            func encoded(_ message: MirsadMessage, to peer: RoutingID) -> [[UInt8]] {
                (try? FrameCodec.encode(message, to: peer)) ?? []
            }
            var names: [RoutingID: RoutingID] = [:]  // connection -> announced id
            var routes: [RoutingID: RoutingID] = [:]  // announced id -> latest connection
            func route(_ peer: RoutingID) -> RoutingID { routes[peer] ?? peer }
            var poller = Poller()
            poller.register(socket)
            while !state.withLock({ $0.stopping }) {
                let readable = ((try? poller.poll(timeoutMilliseconds: 5)) ?? []).first?.contains(.readable) ?? false
                if readable {
                    while let message = try? socket.receive(dontWait: true) {
                        let (peer, decoded) = FrameCodec.decodeRouted(message.frames)
                        guard let peer, case .success(let decodedMessage) = decoded else {
                            state.withLock { $0.malformed += 1 }
                            continue
                        }
                        var announced: String?
                        switch decodedMessage {
                        case .hello(let hello): announced = hello.id
                        case .results(let results): announced = results.results.first?.workerID
                        default: break
                        }
                        if let announced, !announced.isEmpty {
                            names[peer] = Array(announced.utf8)
                            routes[Array(announced.utf8)] = peer
                        }
                        let arrival = Received(peer: names[peer] ?? peer, message: decodedMessage, at: .now())
                        state.withLock { $0.received.append(arrival) }
                        for reply in respond(arrival) { transmit(encoded(reply, to: peer)) }
                    }
                }
                for (peer, reply) in tick(.now()) { transmit(encoded(reply, to: route(peer))) }
                let outgoing = state.withLock { s in defer { s.outbox.removeAll() }; return s.outbox }
                for item in outgoing { transmit([route(item.peer)] + item.frames) }
            }
        }
        thread.name = "fake-router-peer"
        thread.start()
        ready.wait()
        switch bound.withLock({ $0.endpoint }) {
        case .success(let endpoint)?: self.endpoint = endpoint
        case .failure(let error)?: throw error
        case nil: throw CocoaError(.featureUnsupported)
        }
    }

    /// Queues a protocol message for `peer`.
    func send(_ message: MirsadMessage, to peer: RoutingID) throws {
        let frames = try FrameCodec.encode(message)
        state.withLock { $0.outbox.append((peer, frames)) }
    }

    /// Queues raw frames for `peer` (the routing id is added in front).
    func sendRaw(_ frames: [[UInt8]], to peer: RoutingID) {
        state.withLock { $0.outbox.append((peer, frames)) }
    }

    /// Everything decoded so far, in arrival order.
    var received: [Received] { state.withLock { $0.received } }

    var malformedCount: Int { state.withLock { $0.malformed } }

    /// A send that failed on the peer's thread, if any.
    var failure: String? { state.withLock { $0.failure } }

    /// Waits until `condition` holds for what has arrived, or `seconds` pass; returns whether it held.
    @discardableResult
    func waitUntil(seconds: Double = 5, _ condition: ([Received]) -> Bool) -> Bool {
        state.wait(until: Date(timeIntervalSinceNow: seconds)) { condition($0.received) }
    }

    /// Stops the peer's thread and closes its socket; waits for both.
    func stop() {
        let first = state.withLock { s in defer { s.stopping = true }; return !s.stopping }
        if first { finished.wait() }
    }
}
