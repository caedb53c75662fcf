import ArticleAnalysis
import Foundation
import Logging
import MirsadCore
import MirsadWire
import ReportStore
import Testing
import ZeroMQ
@testable import MirsadServices

/// A DEALER standing in for a worker; owned by the thread that made it.
final class FakeDealer {
    let socket: Socket
    private var inbox: [MirsadMessage] = []

    init(endpoint: String, identity: String) throws {
        socket = try Socket(context: try ZMQContext(), type: .dealer)
        try socket.set(.routingID, Array(identity.utf8))
        try socket.connect(endpoint)
    }

    deinit { socket.close() }

    func send(_ message: MirsadMessage) throws {
        _ = try socket.send(FrameCodec.encode(message))
    }

    /// Receives until `condition` holds for everything received so far, or `seconds` pass; returns all of it.
    func receive(seconds: Double = 5, until condition: ([MirsadMessage]) -> Bool) throws -> [MirsadMessage] {
        var poller = Poller()
        poller.register(socket)
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !condition(inbox) && Date() < deadline {
            guard try poller.poll(timeoutMilliseconds: 20)[0].contains(.readable) else { continue }
            while let message = try socket.receive(dontWait: true) {
                if let decoded = try? FrameCodec.decode(message.frames) { inbox.append(decoded) }
            }
        }
        return inbox
    }
}

/// `CollectorService` between a fake dispatcher (ROUTER) and a fake worker (DEALER), storing to a real store.
///
/// Each test starts its collector alone in this process and stops it before its fake dispatcher
/// (`withCollector`), so no collector outlives its test.
@Suite(.timeLimit(.minutes(5)))
struct CollectorServiceTests {
    struct RunningCollector: Sendable {
        let run: ServiceRun<CollectorService>
        var service: CollectorService { run.service }
        var endpoint: String { run.readyValue }
        var id: String { service.id }
        var routingID: RoutingID { Array(id.utf8) }

        /// Stops the collector gracefully and waits for it.
        func stop() async throws { try await run.stop() }
    }

    /// A collector between `dispatcher` and the test's fake workers. With the hour-long STORED resend period it
    /// gets by default, it never resends on its own.
    static func startCollector(
        dispatcher: String, store: any ReportStore, resendStoredAfter: Duration = .seconds(3_600),
        clock: ServiceClock = .system, logger: Logger = quietLogger,
        configure: (inout CollectorService.Configuration) -> Void = { _ in }
    ) async throws -> RunningCollector {
        var configuration = CollectorService.Configuration(bindEndpoint: "tcp://127.0.0.1:*", dispatcherEndpoint: dispatcher)
        configuration.resendStoredAfter = resendStoredAfter
        configure(&configuration)
        let run = try await ServiceRun.start { ready in
            CollectorService(configuration: configuration, store: store, logger: logger, clock: clock, ready: ready)
        }
        return RunningCollector(run: run)
    }

    /// Runs `body` with a collector started as `startCollector` does, and stops the collector when `body` ends,
    /// however it ends.
    static func withCollector(
        dispatcher: String, store: any ReportStore, resendStoredAfter: Duration = .seconds(3_600),
        clock: ServiceClock = .system, logger: Logger = quietLogger,
        configure: (inout CollectorService.Configuration) -> Void = { _ in },
        _ body: (RunningCollector) async throws -> Void
    ) async throws {
        let collector = try await startCollector(
            dispatcher: dispatcher, store: store, resendStoredAfter: resendStoredAfter, clock: clock, logger: logger,
            configure: configure)
        do {
            try await body(collector)
        } catch {
            try? await collector.stop()
            throw error
        }
        try await collector.stop()
    }

    /// A fake dispatcher that welcomes every HELLO and, when `acknowledging`, acknowledges every STORED at once.
    /// With the hour-long resend period `startCollector` uses by default, no collector left running ever resends
    /// STORED on its own.
    static func fakeDispatcher(acknowledging: Bool = true) throws -> FakeRouterPeer {
        try FakeRouterPeer(respond: { arrival in
            switch arrival.message {
            case .hello:
                return [.welcome(Mirsad_V1_Welcome())]
            case .stored(let notice) where acknowledging:
                var ack = Mirsad_V1_StoredAck()
                ack.jobIds = notice.jobIds
                return [.storedAck(ack)]
            default:
                return []
            }
        })
    }

    private static func ackingDispatcher() throws -> FakeRouterPeer { try fakeDispatcher(acknowledging: true) }


    static func results(_ ids: [String]) -> MirsadMessage {
        var body = Mirsad_V1_Results()
        body.results = ids.map { SampleResults.result(jobID: $0).0 }
        return .results(body)
    }

    static func stored(_ collector: RunningCollector, _ received: [FakeRouterPeer.Received]) -> [String] {
        received.filter { $0.peer == collector.routingID }.flatMap { arrival -> [String] in
            if case .stored(let s) = arrival.message { s.jobIds } else { [] }
        }
    }

    static func acked(_ messages: [MirsadMessage]) -> [String] {
        messages.flatMap { message -> [String] in
            if case .resultsAck(let a) = message { a.jobIds } else { [] }
        }
    }

    static func refused(_ messages: [MirsadMessage]) -> [Mirsad_V1_RefusedResult] {
        messages.flatMap { message -> [Mirsad_V1_RefusedResult] in
            if case .resultsAck(let a) = message { a.refused } else { [] }
        }
    }

    @Test func resultsAreStoredInSQLiteThenAcknowledgedToTheWorkerAndTheDispatcher() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-collector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("reports.sqlite").path
        let dispatcher = try Self.ackingDispatcher()
        defer { dispatcher.stop() }
        try await Self.withCollector(dispatcher: dispatcher.endpoint, store: try SQLiteReportStore(path: path)) { collector in
        #expect(dispatcher.waitUntil { $0.contains { $0.peer == collector.routingID && $0.message.command == .hello } })
        let hello = dispatcher.received.first { $0.peer == collector.routingID }
        if case .hello(let body)? = hello?.message {
            #expect(body.role == .collector)
            #expect(body.id == collector.id)
        } else {
            Issue.record("first message was \(String(describing: hello?.message.command)), not HELLO")
        }

        let worker = try FakeDealer(endpoint: collector.endpoint, identity: "worker-c1")
        try worker.send(Self.results(["c:0", "c:1"]))
        var broken = Self.results(["c:2"])
        // An indexed field the collector cannot read (an unknown entity type): refused, naming it, never stored.
        if case .results(var body) = broken {
            body.results[0].analysis.canonicalEntities.append(.with { $0.key = "x"; $0.type = .unspecified })
            broken = .results(body)
        }
        try worker.send(broken)
        let replies = try worker.receive { Set(Self.acked($0)) == ["c:0", "c:1"] && !Self.refused($0).isEmpty }
        #expect(Set(Self.acked(replies)) == ["c:0", "c:1"], "acknowledged: \(Self.acked(replies))")
        #expect(Self.refused(replies).map(\.jobID) == ["c:2"])
        #expect(Self.refused(replies).first?.reason.contains("unreadable analysis") == true, "\(Self.refused(replies))")
        #expect(dispatcher.waitUntil { Set(Self.stored(collector, $0)).isSuperset(of: ["c:0", "c:1"]) })
        #expect(!Self.stored(collector, dispatcher.received).contains("c:2"), "a refused result was reported STORED")
        #expect(collector.service.statistics.unreadableResults == 1)

        // Acknowledged means durable: a second connection to the file sees every row, and none for the refusal.
        let reader = try SQLiteReportStore(path: path)
        #expect(try reader.count() == StoreCounts(analysed: 2, failed: 0))
        #expect(try reader.result(jobID: "c:0")?.workerID == "worker-a")
        #expect(try reader.result(jobID: "c:2") == nil)

        // The same results again are acknowledged again (the worker may have missed the first ack), not stored twice.
        try worker.send(Self.results(["c:0"]))
        let again = try worker.receive { Self.acked($0).filter { $0 == "c:0" }.count == 2 }
        #expect(Self.acked(again).filter { $0 == "c:0" }.count == 2)
        #expect(try reader.count().total == 2)
        }
    }

    /// Revision 5: a RESULTS holding no result is answered at once with a RESULTS_ACK that lists no job and says
    /// what the collector takes: zlib, and zstd with the dictionary this build has. Nothing is stored.
    @Test func anEmptyResultsIsAnsweredWithWhatTheCollectorTakes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-collector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let dispatcher = try Self.ackingDispatcher()
        defer { dispatcher.stop() }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("reports.sqlite").path)
        try await Self.withCollector(dispatcher: dispatcher.endpoint, store: store) { collector in
            let worker = try FakeDealer(endpoint: collector.endpoint, identity: "worker-probe")
            try worker.send(.results(Mirsad_V1_Results()))
            let replies = try worker.receive { $0.contains { $0.command == .resultsAck } }
            guard case .resultsAck(let ack)? = replies.first(where: { $0.command == .resultsAck }) else {
                Issue.record("no RESULTS_ACK to an empty RESULTS: \(replies.map(\.command))")
                return
            }
            #expect(ack.jobIds.isEmpty && ack.refused.isEmpty)
            #expect(ack.takesZlib)
            #expect(ack.zstdDictionary == (try Zstd.bundled.get()).id)
            #expect(try store.count().total == 0)
        }
    }

    /// STORED is resent each period of the collector's clock until the dispatcher acknowledges it, then no more.
    /// The clock is a manual one, so "no more" is checked after the clock passed several periods: two later
    /// results' STOREDs mark two turns of the collector's loop that would have resent it.
    @Test func storedIsResentUntilTheDispatcherAcknowledgesIt() async throws {
        let dispatcher = try Self.fakeDispatcher(acknowledging: false)
        defer { dispatcher.stop() }
        let clock = ManualClock()
        try await Self.withCollector(
            dispatcher: dispatcher.endpoint, store: InMemoryReportStore(), resendStoredAfter: .milliseconds(150),
            clock: clock.serviceClock
        ) { collector in
            let worker = try FakeDealer(endpoint: collector.endpoint, identity: "worker-c2")
            try worker.send(Self.results(["s:0"]))
            #expect(dispatcher.waitUntil { Self.stored(collector, $0) == ["s:0"] })
            for sends in 2...3 {
                clock.advance(by: .milliseconds(150))
                #expect(dispatcher.waitUntil { Self.stored(collector, $0).count == sends }, "resend \(sends - 1)")
            }

            var ack = Mirsad_V1_StoredAck()
            ack.jobIds = ["s:0"]
            try dispatcher.send(.storedAck(ack), to: collector.routingID)
            #expect(eventually { collector.service.statistics.noticesInMemory == 0 }, "STORED_ACK not taken")
            clock.advance(by: .seconds(1))
            for marker in ["s:1", "s:2"] {
                try worker.send(Self.results([marker]))
                #expect(dispatcher.waitUntil { Self.stored(collector, $0).contains(marker) })
            }
            #expect(Self.stored(collector, dispatcher.received).filter { $0 == "s:0" }.count == 3, "s:0 sent again after its STORED_ACK")
        }
    }

    @Test func failedStoreAcknowledgesNothingUntilTheWorkerResendsSuccessfully() async throws {
        let dispatcher = try Self.ackingDispatcher()
        defer { dispatcher.stop() }
        let store = SwitchableStore()
        store.failing.withLock { $0 = true }
        try await Self.withCollector(dispatcher: dispatcher.endpoint, store: store) { collector in
        let worker = try FakeDealer(endpoint: collector.endpoint, identity: "worker-c3")

        try worker.send(Self.results(["f:0"]))
        #expect(eventually { store.attempts.current >= 1 })
        let early = try worker.receive(seconds: 0.3) { !$0.isEmpty }
        #expect(Self.acked(early).isEmpty, "acknowledged a result the store refused")
        #expect(Self.stored(collector, dispatcher.received).isEmpty)

        store.failing.withLock { $0 = false }
        try worker.send(Self.results(["f:0"]))
        let replies = try worker.receive { Self.acked($0) == ["f:0"] }
        #expect(Self.acked(replies) == ["f:0"])
        #expect(try store.contains(jobID: "f:0"))
        #expect(dispatcher.waitUntil { Self.stored(collector, $0) == ["f:0"] })
        }
    }

    @Test func misdirectedCommandIsRefusedAndMalformedInputIgnored() async throws {
        let dispatcher = try Self.ackingDispatcher()
        defer { dispatcher.stop() }
        try await Self.withCollector(dispatcher: dispatcher.endpoint, store: InMemoryReportStore()) { collector in
        let worker = try FakeDealer(endpoint: collector.endpoint, identity: "worker-c4")
        _ = try worker.socket.send([[0xde, 0xad]])
        _ = try worker.socket.send(Array(repeating: [1], count: 100))
        _ = try worker.socket.send([FrameCodec.protocolID, [Command.results.rawValue], [0xff, 0xff]])
        try worker.send(.submit(Mirsad_V1_Submit()))
        let refusal = try worker.receive { $0.contains { $0.command == .error } }
        guard case .error(let error)? = refusal.first(where: { $0.command == .error }) else {
            Issue.record("no ERROR for a SUBMIT sent to the collector; got \(refusal.map(\.command))")
            return
        }
        #expect(error.code == .notAllowed)
        #expect(error.command == UInt32(Command.submit.rawValue))
        // Still serving.
        try worker.send(Self.results(["g:0"]))
        #expect(Self.acked(try worker.receive { Self.acked($0) == ["g:0"] }) == ["g:0"])
        }
    }
}
