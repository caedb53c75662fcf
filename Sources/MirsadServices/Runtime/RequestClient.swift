import MirsadCore
import MirsadWire
import ZeroMQ

/// A DEALER that sends requests to the dispatcher and waits for their replies, for the command-line clients.
///
/// Owned by the thread that made it, like the socket inside it.
final class RequestClient {
    struct Timeout: Error, CustomStringConvertible {
        let endpoint: String
        let timeout: Duration
        var description: String {
            "no answer from the dispatcher at \(endpoint) within \(timeout.inSeconds) s (is it running?)"
        }
    }

    let endpoint: String
    let socket: Socket
    private let context: ZMQContext
    private var nextRequest: UInt64 = 0

    /// Connects to `endpoint`, over CURVE when given `curve` (the client's key and the dispatcher's public key).
    init(endpoint: String, curve: ClientSecurity? = nil) throws {
        self.endpoint = endpoint
        context = try ZMQContext()
        socket = try SocketSetup(maxMessageSize: Defaults.socketMaxMessageSize)
            .connectedDealer(context, endpoint: endpoint, curve: curve)
    }

    deinit {
        socket.close()
        context.shutdown()
    }

    /// A request id unique within this client.
    func requestID() -> String {
        nextRequest += 1
        return "r\(nextRequest)"
    }

    /// Waits up to `timeout` for one message; nil when none came. Malformed messages are skipped.
    func receive(timeout: Duration) throws -> MirsadMessage? {
        var poller = Poller()
        poller.register(socket)
        let deadline = MonotonicInstant.now().advanced(by: timeout)
        while true {
            let left = MonotonicInstant.now().duration(to: deadline)
            guard left > .zero else { return nil }
            let events = try poller.poll(timeout: left)
            guard events[0].contains(.readable) else { continue }
            while let incoming = try socket.receiveIncoming(routed: false) {
                if case .message(let message) = incoming, let decoded = try? FrameCodec.decode(message.frames) {
                    return decoded
                }
            }
        }
    }

    /// Sends a request and returns the first reply that `match` accepts (others are skipped as stale).
    func call<Reply>(
        _ message: MirsadMessage, timeout: Duration, match: (MirsadMessage) -> Reply?
    ) throws -> Reply {
        try socket.sendWaiting(message)
        let deadline = MonotonicInstant.now().advanced(by: timeout)
        while true {
            let left = MonotonicInstant.now().duration(to: deadline)
            guard left > .zero else { break }
            if let reply = try receive(timeout: left), let matched = match(reply) { return matched }
        }
        throw Timeout(endpoint: endpoint, timeout: timeout)
    }
}

/// A refusal the dispatcher answered with ERROR.
public struct DispatcherRefusal: Error, CustomStringConvertible {
    public let code: Mirsad_V1_ErrorCode
    public let message: String
    public var description: String { "the dispatcher refused the request (\(code)): \(message)" }
}
