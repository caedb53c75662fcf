import Logging
import MirsadProtocol
import ZeroMQ

/// The dispatcher: one ROUTER socket, a thin loop around `DispatcherStateMachine`.
///
/// Every decision (whom to give which job, who is dead, what to refuse) is the state machine's; this loop only
/// moves frames, keeps time, records latencies and logs.
public final class DispatcherService {
    public struct Configuration: Sendable {
        public var bindEndpoint: String
        public var protocolConfiguration: DispatcherConfiguration
        public init(bindEndpoint: String, protocolConfiguration: DispatcherConfiguration) {
            self.bindEndpoint = bindEndpoint
            self.protocolConfiguration = protocolConfiguration
        }
    }

    private let configuration: Configuration
    private let logger: Logger
    private let setup = SocketSetup(maxMessageSize: Defaults.socketMaxMessageSize)

    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Binds, calls `ready` with the bound endpoint (the real port when the endpoint asked for `*`), and serves
    /// until shutdown is requested.
    public func run(ready: (String) -> Void) throws {
        let context = try ZMQContext()
        defer { context.shutdown() }
        let router = try setup.boundRouter(context, endpoint: configuration.bindEndpoint)
        defer { router.close() }
        let endpoint = try router.lastEndpoint
        var machine = DispatcherStateMachine(
            configuration: configuration.protocolConfiguration, queue: InMemoryJobQueue(), now: MonotonicClock.now())
        var latencies = LatencyRecorder()
        var problems = ProblemLog()
        logger.info("dispatcher listening on \(endpoint)")
        ready(endpoint)

        var lastTick = MonotonicClock.now()
        while !ShutdownSignal.isRequested {
            var poller = Poller()
            poller.register(router)
            let events = try poller.poll(timeoutMilliseconds: 100)
            if events[0].contains(.readable) {
                // Bounded drain, so timers still run under a flood.
                var handled = 0
                while handled < 10_000, let incoming = try router.receiveIncoming(routed: true) {
                    handled += 1
                    let actions: [DispatcherAction]
                    switch incoming {
                    case .message(let message): actions = machine.received(frames: message.frames, now: MonotonicClock.now())
                    case .tooManyFrames(let count): actions = machine.receivedTooManyFrames(count)
                    }
                    try perform(actions, on: router, latencies: &latencies, problems: &problems)
                }
            }
            let now = MonotonicClock.now()
            if now - lastTick >= 100_000_000 {
                lastTick = now
                try perform(machine.tick(now: now), on: router, latencies: &latencies, problems: &problems)
            }
        }
        logger.info("dispatcher stopping: \(machine.counts.queued) queued, \(machine.counts.inFlight) in flight")
        try perform(machine.stop(now: MonotonicClock.now()), on: router, latencies: &latencies, problems: &problems)
    }

    private func perform(
        _ actions: [DispatcherAction], on router: Socket, latencies: inout LatencyRecorder, problems: inout ProblemLog
    ) throws {
        for action in actions {
            switch action {
            case .send(let message, let peer):
                if try !router.send(message, to: peer) {
                    logger.debug("peer \(ProblemLog.describe(peer)) is gone; \(message.command) dropped")
                }
            case .replyStatus(var reply, let peer):
                reply.latencyP50Ms = latencies.milliseconds(atPercentile: 50)
                reply.latencyP99Ms = latencies.milliseconds(atPercentile: 99)
                try router.send(.statusReply(reply), to: peer)
            case .droppedMalformed(let problem, let peer):
                problems.log("malformed message from \(ProblemLog.describe(peer)) dropped: \(problem)", logger: logger)
            case .refused(let command, let peer, let code, let reason):
                problems.log("refused \(command) from \(ProblemLog.describe(peer)): \(code) \(reason)", logger: logger)
            case .peerReportedError(let error, let peer):
                logger.error("peer \(ProblemLog.describe(peer)) reported \(error.code): \(error.message)")
            case .peerJoined(let id, let role, let capacity):
                logger.info("\(role) \(id) joined (capacity \(capacity))")
            case .peerLeft(let id, let role, let reason, let requeued):
                logger.info("\(role) \(id) left (\(reason)); \(requeued) jobs requeued")
            case .leaseExpired(let jobID, let workerID):
                logger.warning("lease of job \(jobID) on \(workerID) expired; job requeued")
            case .jobStored(_, _, let latency):
                latencies.record(nanoseconds: latency)
            case .jobFailed(let jobID, _, let error):
                logger.warning("job \(jobID) failed: \(error)")
            }
        }
    }
}
