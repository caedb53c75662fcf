import MirsadWire

/// What `mirsad status` shows: a stable, documented shape independent of the wire format (`--json` prints it;
/// every field is listed in the README).
public struct StatusView: Codable, Equatable, Sendable {
    public struct Worker: Codable, Equatable, Sendable {
        public var id: String
        public var host: String
        public var pid: Int64
        public var capacity: UInt32
        public var inFlight: UInt32
        public var done: UInt64
        public var failed: UInt64
        public var rate: Double
        public var silentMs: UInt64
        /// The software version from its HELLO (empty from a peer that sent none).
        public var version: String
        /// Its clock minus the dispatcher's, in milliseconds; nil when it never said (protocol section 10.7).
        public var clockOffsetMs: Int64?
        enum CodingKeys: String, CodingKey {
            case id, host, pid, capacity, inFlight = "in_flight", done, failed, rate, silentMs = "silent_ms"
            case version, clockOffsetMs = "clock_offset_ms"
        }

        init(_ status: Mirsad_V1_WorkerStatus) {
            id = status.id
            host = status.host
            pid = status.pid
            capacity = status.capacity
            inFlight = status.inFlight
            done = status.done
            failed = status.failed
            rate = status.rate
            silentMs = status.silentMs
            version = status.version
            clockOffsetMs = status.clockKnown ? status.clockOffsetMs : nil
        }
    }
    public var queued: UInt64
    public var inFlight: UInt64
    /// Failed at least once, waiting for the next attempt.
    public var retrying: UInt64
    public var awaitingStore: UInt64
    public var stored: UInt64
    /// Dead letters (the same number as `deadLetters`; kept for readers of the older output).
    public var failed: UInt64
    public var deadLetters: UInt64
    /// Dispatches beyond each job's first since the journal was created.
    public var redispatches: UInt64
    /// Where the dispatcher keeps its jobs: "sqlite:/path" or "memory" (empty from an older dispatcher).
    public var journal: String
    public var workers: [Worker]
    public var collectors: UInt32
    /// Every collector with a session, listed as workers are (their job counts 0); empty from an older dispatcher.
    public var collectorSessions: [Worker]
    public var throughput10s: Double
    public var throughput1m: Double
    public var latencyP50Ms: Double
    public var latencyP99Ms: Double
    public var uptimeSeconds: Double
    public var batches: UInt64
    public var malformedMessages: UInt64
    public var refusedMessages: UInt64
    /// What peers did wrong, by kind (`malformed`, `refused`, `cut_off`, ...): STATUS_REPLY `peer_problems`.
    public var peerProblems: [String: UInt64]
    public var version: String
    /// Milliseconds since the last worker (collector) left, or the dispatcher started, while none is connected;
    /// 0 while one is.
    public var noWorkerForMs: UInt64
    public var noCollectorForMs: UInt64
    /// Messages refused for security reasons, by kind ("forbidden by role", "unknown key", "forged STORED", ...);
    /// only kinds seen, empty without any (and from a dispatcher before protocol revision 4).
    public var securityRefusals: [String: UInt64]

    /// Whether workers and collectors are missing, and for how long.
    public var absence: PeerAbsence { PeerAbsence(noWorkerForMs: noWorkerForMs, noCollectorForMs: noCollectorForMs) }

    enum CodingKeys: String, CodingKey {
        case queued, inFlight = "in_flight", retrying, awaitingStore = "awaiting_store", stored, failed
        case deadLetters = "dead_letters", redispatches, journal, workers, collectors
        case collectorSessions = "collector_sessions"
        case throughput10s = "throughput_10s", throughput1m = "throughput_1m"
        case latencyP50Ms = "latency_p50_ms", latencyP99Ms = "latency_p99_ms", uptimeSeconds = "uptime_s"
        case batches, malformedMessages = "malformed_messages", refusedMessages = "refused_messages", version
        case peerProblems = "peer_problems"
        case noWorkerForMs = "no_worker_for_ms", noCollectorForMs = "no_collector_for_ms"
        case securityRefusals = "security_refusals"
    }

    init(_ reply: Mirsad_V1_StatusReply) {
        queued = reply.queued
        inFlight = reply.inFlight
        retrying = reply.retrying
        awaitingStore = reply.awaitingStore
        stored = reply.stored
        failed = reply.failed
        // An older dispatcher fills only `failed`; both name the same jobs.
        deadLetters = max(reply.deadLetters, reply.failed)
        redispatches = reply.redispatches
        journal = reply.journal
        workers = reply.workers.map(Worker.init)
        collectors = reply.collectors
        collectorSessions = reply.collectorSessions.map(Worker.init)
        throughput10s = reply.throughput10S
        throughput1m = reply.throughput1M
        latencyP50Ms = reply.latencyP50Ms
        latencyP99Ms = reply.latencyP99Ms
        uptimeSeconds = Double(reply.uptimeMs) / 1000
        batches = reply.batches
        malformedMessages = reply.malformedMessages
        refusedMessages = reply.refusedMessages
        peerProblems = reply.peerProblems
        version = reply.version
        noWorkerForMs = reply.noWorkerForMs
        noCollectorForMs = reply.noCollectorForMs
        securityRefusals = reply.securityRefusals
    }
}
