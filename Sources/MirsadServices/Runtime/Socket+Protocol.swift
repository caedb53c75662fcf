import Logging
import MirsadCore
import MirsadWire
import ZeroMQ

extension Socket {
    /// Sends a protocol message from a DEALER. Blocks only when the peer's queue is at its high-water mark.
    func send(_ message: MirsadMessage) throws {
        try send(FrameCodec.encode(message))
    }

    /// Sends a protocol message from a ROUTER to one peer. Returns false when the peer is gone.
    @discardableResult
    func send(_ message: MirsadMessage, to peer: RoutingID) throws -> Bool {
        do {
            try send(FrameCodec.encode(message, to: peer))
            return true
        } catch let error as ZMQError where error.code == EHOSTUNREACH_CODE {
            return false
        }
    }
}

#if canImport(Glibc)
import Glibc
let EHOSTUNREACH_CODE = Int32(EHOSTUNREACH)
#elseif canImport(Darwin)
import Darwin
let EHOSTUNREACH_CODE = Int32(EHOSTUNREACH)
#endif

/// Counts and logs malformed or refused messages without letting a noisy peer flood the log:
/// at most one line per second, with the number suppressed since the last one.
struct ProblemLog {
    private(set) var malformed: UInt64 = 0
    private(set) var refused: UInt64 = 0
    private var lastLine: MonotonicInstant? = nil
    private var suppressed = 0
    private let clock: ServiceClock

    init(clock: ServiceClock = .system) {
        self.clock = clock
    }

    mutating func malformed(_ problem: MalformedMessage, peer: RoutingID?, logger: Logger) {
        malformed += 1
        log("malformed message from \(Self.describe(peer)): \(problem)", logger: logger)
    }

    mutating func refused(_ what: String, peer: RoutingID?, logger: Logger) {
        refused += 1
        log("refused message from \(Self.describe(peer)): \(what)", logger: logger)
    }

    /// Logs `line` as a warning unless a line went out less than a second ago.
    mutating func log(_ line: String, logger: Logger) {
        let now = clock.monotonic()
        if lastLine.map({ $0.duration(to: now) >= .seconds(1) }) ?? true {
            let extra = suppressed > 0 ? " (\(suppressed) similar lines suppressed)" : ""
            logger.warning("\(line)\(extra)")
            lastLine = now
            suppressed = 0
        } else {
            suppressed += 1
        }
    }

    static func describe(_ peer: RoutingID?) -> String {
        guard let peer else { return "unknown peer" }
        if let text = String(validating: peer, as: UTF8.self), text.allSatisfy({ !$0.isNewline }) { return text }
        return peer.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

/// What one non-blocking receive found.
enum Incoming {
    case message(Message)
    /// A message with more frames than any protocol message; the binding drained and dropped it.
    case tooManyFrames(Int)
}

extension Socket {
    /// The next message, without waiting; nil when none is queued. Collects at most the frames a protocol
    /// message can have (plus the routing id on a ROUTER), so a frame bomb costs nothing but a count.
    func receiveIncoming(routed: Bool) throws -> Incoming? {
        do {
            let limit = routed ? ProtocolLimits.framesPerRoutedMessage : ProtocolLimits.framesPerMessage
            return try receive(dontWait: true, maxFrames: limit).map(Incoming.message)
        } catch let error as MessageTooManyFrames {
            return .tooManyFrames(error.frameCount)
        }
    }

    /// The next protocol message on a DEALER, without waiting; nil when none is queued. Malformed messages are
    /// counted and logged in `problems` and passed over.
    func receiveDecoded(
        problems: inout ProblemLog, logger: Logger, reading: MirsadMessage.Reading = .decoded
    ) throws -> MirsadMessage? {
        while let incoming = try receiveIncoming(routed: false) {
            switch incoming {
            case .message(let message):
                do {
                    return try FrameCodec.decode(message.frames, reading: reading)
                } catch {
                    problems.malformed(error, peer: nil, logger: logger)
                }
            case .tooManyFrames(let count):
                problems.malformed(.wrongFrameCount(count), peer: nil, logger: logger)
            }
        }
        return nil
    }
}
