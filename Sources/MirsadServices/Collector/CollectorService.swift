import ArticleAnalysis
import Foundation
import Logging
import MirsadProtocol
import ReportStore
import ZeroMQ

/// The collector: receives RESULTS from workers, commits them to the report store, then acknowledges them to
/// each worker (RESULTS_ACK) and tells the dispatcher they are stored (STORED).
///
/// Invariant: nothing is acknowledged before the store call that holds it has returned, so an acknowledged result
/// is durable; a store failure acknowledges nothing and the workers send again.
public final class CollectorService {
    public struct Configuration: Sendable {
        public var bindEndpoint: String
        public var dispatcherEndpoint: String
        /// STORED notices the dispatcher has not acknowledged within this time are sent again.
        public var resendStoredAfterNanoseconds: UInt64 = 5_000_000_000
        /// The most results committed in one transaction.
        public var maxResultsPerCommit = 4096

        public init(bindEndpoint: String, dispatcherEndpoint: String) {
            self.bindEndpoint = bindEndpoint
            self.dispatcherEndpoint = dispatcherEndpoint
        }
    }

    private let configuration: Configuration
    private let store: any ReportStore
    private let logger: Logger
    private let setup = SocketSetup(maxMessageSize: Defaults.socketMaxMessageSize)
    public let id: String

    public init(configuration: Configuration, store: any ReportStore, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.id = "collector-\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    public func run(ready: (String) -> Void) throws {
        let context = try ZMQContext()
        defer { context.shutdown() }
        let router = try setup.boundRouter(context, endpoint: configuration.bindEndpoint)
        defer { router.close() }
        let dispatcher = try DispatcherLink(
            context: context, setup: setup, endpoint: configuration.dispatcherEndpoint, role: .collector, id: id,
            capacity: 0, logger: logger)
        let endpoint = try router.lastEndpoint

        var problems = ProblemLog()
        var unconfirmed: [String: UInt64] = [:]   // job id -> when STORED was last sent
        var committed: UInt64 = 0

        func sendStored(_ ids: [String]) throws {
            let now = MonotonicClock.now()
            for chunk in ids.chunked(by: ProtocolLimits.maxIDsPerMessage) {
                var body = Mirsad_V1_Stored()
                body.jobIds = chunk
                try dispatcher.send(.stored(body))
                for id in chunk { unconfirmed[id] = now }
            }
        }

        logger.info("collector listening on \(endpoint), storing to \(String(describing: type(of: store)))")
        ready(endpoint)

        while !ShutdownSignal.isRequested {
            var poller = Poller()
            poller.register(router)
            poller.register(dispatcher.socket)
            let events = try poller.poll(timeoutMilliseconds: 100)

            if events[0].contains(.readable) {
                // Gather what has arrived, commit it in one transaction, then acknowledge.
                var batch: [StoredResult] = []
                var senders: [(peer: RoutingID, jobIDs: [String])] = []
                while batch.count < configuration.maxResultsPerCommit,
                      let incoming = try router.receiveIncoming(routed: true) {
                    guard case .message(let message) = incoming else {
                        if case .tooManyFrames(let count) = incoming {
                            problems.malformed(.wrongFrameCount(count - 1), peer: nil, logger: logger)
                        }
                        continue
                    }
                    let (peer, decoded) = FrameCodec.decodeRouted(message.frames)
                    switch decoded {
                    case .success(.results(let results)):
                        guard let peer else { continue }
                        let stored = results.results.map { Self.storedResult(from: $0) }
                        batch += stored
                        senders.append((peer, stored.map(\.jobID)))
                    case .success(.heartbeat):
                        break
                    case .success(let other):
                        problems.refused("\(other.command) is not sent to a collector", peer: peer, logger: logger)
                        if let peer {
                            try router.send(.error(.notAllowed, "\(other.command) is not sent to a collector", command: other.command), to: peer)
                        }
                    case .failure(let problem):
                        problems.malformed(problem, peer: peer, logger: logger)
                    }
                }
                if !batch.isEmpty {
                    do {
                        let outcome = try store.store(batch)
                        committed += UInt64(outcome.inserted.count)
                        if !outcome.duplicates.isEmpty {
                            logger.debug("\(outcome.duplicates.count) results were already stored")
                        }
                        for sender in senders {
                            var ack = Mirsad_V1_ResultsAck()
                            ack.jobIds = sender.jobIDs
                            try router.send(.resultsAck(ack), to: sender.peer)
                        }
                        try sendStored(batch.map(\.jobID))
                    } catch {
                        logger.error("could not store \(batch.count) results, workers will resend them: \(error)")
                    }
                }
            }

            if events[1].contains(.readable) {
                while let decoded = try dispatcher.receive(problems: &problems) {
                    switch decoded {
                    case .storedAck(let ack):
                        for id in ack.jobIds { unconfirmed.removeValue(forKey: id) }
                    case .welcome:
                        break
                    default:
                        problems.refused("\(decoded.command) is not sent to a collector", peer: nil, logger: logger)
                    }
                }
            }

            let now = MonotonicClock.now()
            let stale = unconfirmed.filter { now > $0.value && now - $0.value > configuration.resendStoredAfterNanoseconds }.map(\.key)
            if !stale.isEmpty { try sendStored(stale.sorted()) }
            try dispatcher.maintain()
        }
        dispatcher.close(reason: "shutdown")
        logger.info("collector stopped; \(committed) results committed")
    }

    /// The store's form of a worker's RESULT. A result whose analysis cannot be read is stored as a failure
    /// naming what was wrong, so it is neither lost nor resent forever.
    static func storedResult(from result: Mirsad_V1_Result) -> StoredResult {
        let wire = result.article
        let metadata = ArticleMetadata(
            id: wire.id.isEmpty ? result.jobID : wire.id,
            url: wire.hasURL ? wire.url : nil, source: wire.hasSource ? wire.source : nil,
            category: wire.hasCategory ? wire.category : nil, title: wire.hasTitle ? wire.title : nil,
            published: wire.hasPublished ? wire.published : nil, author: wire.hasAuthor ? wire.author : nil)
        let outcome: StoredResult.Outcome
        do {
            outcome = .analysed(try Analysis(wire: result.analysis))
        } catch {
            outcome = .failed(reason: "unreadable analysis: \(error)")
        }
        let finished = result.timings.finishedUnixMs
        return StoredResult(
            jobID: result.jobID, batchID: result.batchID, article: metadata, outcome: outcome,
            workerID: result.workerID,
            analysedAt: finished > 0 ? Date(timeIntervalSince1970: Double(finished) / 1000) : nil)
    }
}
