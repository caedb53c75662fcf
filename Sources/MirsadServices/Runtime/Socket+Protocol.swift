import Logging
import MirsadCore
import MirsadWire
import ZeroMQ

/// What became of a message sent from a ROUTER to one peer. Sends never wait: a peer that does not read cannot
/// hold up the loop that serves everyone else.
enum Delivery: Sendable, Equatable {
    /// Queued for the peer.
    case sent
    /// No connection has that routing id (the peer left): nothing was sent.
    case peerGone
    /// The peer's queue is at the high-water mark (it does not read what it is sent): nothing was sent. The caller
    /// cuts the peer off (`PeerCutOff`) and never retries in a way that waits.
    case queueFull
}

extension Socket {
    /// Sends a protocol message from a DEALER without waiting. Returns false, having sent nothing, when the queue
    /// to the peer is full (it does not read) or there is no connection yet; protocol messages that matter are
    /// sent again by their senders' timers (HELLO, HEARTBEAT, STORED, RESULTS) or recovered by leases (DONE).
    @discardableResult
    func send(_ message: MirsadMessage) throws -> Bool {
        try send(FrameCodec.encode(message), dontWait: true)
    }

    /// Sends a protocol message from a client's DEALER, waiting while the queue to the dispatcher is full (a client
    /// has nothing else to do; its own timeouts and stop request bound the wait: see `stopCondition`). Returns false
    /// when a stop request ended the wait.
    @discardableResult
    func sendWaiting(_ message: MirsadMessage) throws -> Bool {
        try send(FrameCodec.encode(message))
    }

    /// Sends a protocol message from a ROUTER (with `ROUTER_MANDATORY`) to one peer, without waiting.
    func deliver(_ message: MirsadMessage, to peer: RoutingID) throws -> Delivery {
        do {
            return try send(FrameCodec.encode(message, to: peer), dontWait: true) ? .sent : .queueFull
        } catch let error as ZMQError where error.code == EHOSTUNREACH_CODE {
            return .peerGone
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

/// The one funnel for log lines a peer can cause, and the counts of what peers did wrong.
///
/// Invariants: every line that carries peer-chosen text goes through here, with that text escaped
/// (`PeerText`) by the caller's use of `describe` and `text`; lines are rate-limited per kind (`LogThrottle`: at
/// most `burst` a second each), and the next line of a kind that goes out says how many were held back, so a
/// noisy or hostile peer can neither flood the log nor forge lines in it, and one kind of trouble never hides
/// another. Counting is never rate-limited.
struct ProblemLog {
    private(set) var counts = PeerProblemCounts()
    private var throttle: LogThrottle
    private let clock: ServiceClock

    init(clock: ServiceClock = .system, burst: Int = 10) {
        self.clock = clock
        self.throttle = LogThrottle(interval: .seconds(1), burst: burst)
    }

    /// Messages dropped as not protocol messages (framing, size, decoding).
    var malformed: UInt64 { counts.total(of: PeerProblem.malformedKinds) }
    /// Messages refused with ERROR.
    var refused: UInt64 { counts[.refused] }

    mutating func malformed(_ problem: MalformedMessage, peer: RoutingID?, logger: Logger) {
        count(.malformed, "malformed message from \(Self.describe(peer)): \(problem)", logger: logger)
    }

    mutating func refused(_ what: String, peer: RoutingID?, logger: Logger) {
        count(.refused, "refused message from \(Self.describe(peer)): \(what)", logger: logger)
    }

    /// Counts one `problem` and logs `line` under its kind.
    mutating func count(_ problem: PeerProblem, _ line: @autoclosure () -> String, logger: Logger, level: Logger.Level = .warning) {
        counts.add(problem)
        log(line(), kind: problem.rawValue, level: level, logger: logger)
    }

    /// Logs `line` unless `burst` lines of `kind` went out within the last second (then it is counted as held back).
    mutating func log(_ line: @autoclosure () -> String, kind: String = "other", level: Logger.Level = .warning, logger: Logger) {
        switch throttle.admit(kind, now: clock.monotonic()) {
        case .suppress:
            return
        case .log(let suppressed):
            let extra = suppressed > 0 ? " (\(suppressed) similar lines suppressed)" : ""
            logger.log(level: level, "\(line())\(extra)")
        }
    }

    /// A routing id as it may appear in a log line (`PeerText.routingID`).
    static func describe(_ peer: RoutingID?) -> String { PeerText.routingID(peer) }

    /// Peer-chosen text as it may appear in a log line (`PeerText.escaped`).
    static func text(_ text: some StringProtocol) -> String { PeerText.escaped(text) }
}

/// What one non-blocking receive found.
enum Incoming {
    case message(Message)
    /// A message with more frames than any protocol message; the binding drained and dropped it.
    case tooManyFrames(Int)
    /// A message with more bytes than any protocol message (this many); the binding drained and dropped it.
    case tooManyBytes(Int)
}

extension Socket {
    /// The most bytes a protocol message can have, all frames together: protocol id, command byte, a body of at most
    /// `max_frame_bytes`, and on a ROUTER the routing id.
    static func maxMessageBytes(routed: Bool) -> Int {
        FrameCodec.protocolID.count + 1 + ProtocolLimits.maxFrameBytes + (routed ? ProtocolLimits.maxRoutingIDBytes : 0)
    }

    /// The next message, without waiting; nil when none is queued. Collects at most the frames and bytes a protocol
    /// message can have (plus the routing id on a ROUTER), so a frame bomb costs nothing here but a count; what
    /// libzmq buffered for it is handed back to the system (`FreedMemory`).
    func receiveIncoming(routed: Bool) throws -> Incoming? {
        do {
            let limit = routed ? ProtocolLimits.framesPerRoutedMessage : ProtocolLimits.framesPerMessage
            return try receive(dontWait: true, maxFrames: limit, maxBytes: Self.maxMessageBytes(routed: routed))
                .map(Incoming.message)
        } catch let error as MessageTooManyFrames {
            FreedMemory.bombDropped()
            return .tooManyFrames(error.frameCount)
        } catch let error as MessageTooManyBytes {
            FreedMemory.bombDropped()
            return .tooManyBytes(error.byteCount)
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
                problems.count(.tooManyFrames, "message of \(count) frames dropped unread", logger: logger)
            case .tooManyBytes(let count):
                problems.count(.tooManyBytes, "message of \(count) bytes dropped unread", logger: logger)
            }
        }
        return nil
    }
}
