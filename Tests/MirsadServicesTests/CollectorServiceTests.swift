import ArticleAnalysis
import Foundation
import MirsadProtocol
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
/// Like the worker, a collector stops only through the process-wide `ShutdownSignal`, so each test leaves its
/// collector running on a detached thread until the process ends, and the fake dispatcher looks only at
/// messages from its own collector.
@Suite(.timeLimit(.minutes(5)))
struct CollectorServiceTests {
    struct RunningCollector {
        let service: CollectorService
        let endpoint: String
        var id: String { service.id }
        var routingID: RoutingID { Array(id.utf8) }
    }

    static func startCollector(
        dispatcher: String, store: any ReportStore, resendStoredAfterNanoseconds: UInt64 = 3_600_000_000_000,
        configure: (inout CollectorService.Configuration) -> Void = { _ in }
    ) throws -> RunningCollector {
        try startCollector(dispatcher: dispatcher, store: store, resendStoredAfterNanoseconds: resendStoredAfterNanoseconds,
                           configure: configure, finished: { _ in })
    }

    /// Starts a collector on a new thread and returns once it serves; `finished` runs on that thread when `run`
    /// returns (after a requested shutdown), with what it threw if anything.
    static func startCollector(
        dispatcher: String, store: any ReportStore, resendStoredAfterNanoseconds: UInt64 = 3_600_000_000_000,
        configure: (inout CollectorService.Configuration) -> Void = { _ in },
        finished: @escaping @Sendable ((any Error)?) -> Void
    ) throws -> RunningCollector {
        var configuration = CollectorService.Configuration(bindEndpoint: "tcp://127.0.0.1:*", dispatcherEndpoint: dispatcher)
        configuration.resendStoredAfterNanoseconds = resendStoredAfterNanoseconds
        configure(&configuration)
        let collector = CollectorService(configuration: configuration, store: store, logger: quietLogger)
        return try startCollector(collector, finished: finished)
    }

    static func startCollector(
        _ collector: CollectorService, finished: @escaping @Sendable ((any Error)?) -> Void = { _ in }
    ) throws -> RunningCollector {
        let started = Locked<Result<RunningCollector, any Error>?>(nil)
        let ready = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                try collector.run { endpoint in
                    started.withLock { $0 = .success(RunningCollector(service: collector, endpoint: endpoint)) }
                    ready.signal()
                }
                finished(nil)
            } catch {
                started.withLock { $0 = $0 ?? .failure(error) }
                ready.signal()
                finished(error)
            }
        }
        guard ready.wait(timeout: .now() + .seconds(10)) == .success, let result = started.current else {
            throw CocoaError(.executableLoad)
        }
        return try result.get()
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

    /// Stops `dispatcher` once its last acknowledgements have had time to reach the collector.
    static func settleAndStop(_ dispatcher: FakeRouterPeer) {
        Thread.sleep(forTimeInterval: 0.2)
        dispatcher.stop()
    }

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

    @Test func resultsAreStoredInSQLiteThenAcknowledgedToTheWorkerAndTheDispatcher() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-collector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("reports.sqlite").path
        let dispatcher = try Self.ackingDispatcher()
        defer { Self.settleAndStop(dispatcher) }
        let collector = try Self.startCollector(dispatcher: dispatcher.endpoint, store: try SQLiteReportStore(path: path))

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
        // An indexed field the collector cannot read (an unknown entity type): stored as a failure naming it.
        if case .results(var body) = broken {
            body.results[0].analysis.canonicalEntities.append(.with { $0.key = "x"; $0.type = .unspecified })
            broken = .results(body)
        }
        try worker.send(broken)
        let replies = try worker.receive { Set(Self.acked($0)) == ["c:0", "c:1", "c:2"] }
        #expect(Set(Self.acked(replies)) == ["c:0", "c:1", "c:2"], "acknowledged: \(Self.acked(replies))")
        #expect(dispatcher.waitUntil { Set(Self.stored(collector, $0)).isSuperset(of: ["c:0", "c:1", "c:2"]) })

        // Acknowledged means durable: a second connection to the file sees every row.
        let reader = try SQLiteReportStore(path: path)
        #expect(try reader.count() == StoreCounts(analysed: 2, failed: 1))
        #expect(try reader.result(jobID: "c:0")?.workerID == "worker-a")
        #expect(try reader.result(jobID: "c:2")?.failureReason?.contains("unreadable analysis") == true)

        // The same results again are acknowledged again (the worker may have missed the first ack), not stored twice.
        try worker.send(Self.results(["c:0"]))
        let again = try worker.receive { Self.acked($0).filter { $0 == "c:0" }.count == 2 }
        #expect(Self.acked(again).filter { $0 == "c:0" }.count == 2)
        #expect(try reader.count().total == 3)
    }

    /// STORED is resent until the dispatcher acknowledges it, then no more (a resend once trapped on a clock
    /// underflow, so the scenario runs in a child process).
    @Test func storedIsResentUntilTheDispatcherAcknowledgesIt() async {
        await #expect(processExitsWith: .success) {
            guard try CollectorServiceTests.storedResendScenario() else { exit(1) }
        }
    }

    /// STORED is resent at the configured period until STORED_ACK, then no more. True when all of that held.
    static func storedResendScenario() throws -> Bool {
        let dispatcher = try fakeDispatcher(acknowledging: false)
        defer { dispatcher.stop() }
        let collector = try startCollector(
            dispatcher: dispatcher.endpoint, store: InMemoryReportStore(), resendStoredAfterNanoseconds: 150_000_000)
        let worker = try FakeDealer(endpoint: collector.endpoint, identity: "worker-c2")
        try worker.send(results(["s:0"]))
        guard dispatcher.waitUntil({ stored(collector, $0).filter { $0 == "s:0" }.count >= 3 }) else { return false }

        var ack = Mirsad_V1_StoredAck()
        ack.jobIds = ["s:0"]
        try dispatcher.send(.storedAck(ack), to: collector.routingID)
        Thread.sleep(forTimeInterval: 0.2)
        let settled = stored(collector, dispatcher.received).count
        Thread.sleep(forTimeInterval: 0.6)
        return stored(collector, dispatcher.received).count == settled
    }

    @Test func failedStoreAcknowledgesNothingUntilTheWorkerResendsSuccessfully() throws {
        let dispatcher = try Self.ackingDispatcher()
        defer { Self.settleAndStop(dispatcher) }
        let store = SwitchableStore()
        store.failing.withLock { $0 = true }
        let collector = try Self.startCollector(dispatcher: dispatcher.endpoint, store: store)
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

    @Test func misdirectedCommandIsRefusedAndMalformedInputIgnored() throws {
        let dispatcher = try Self.ackingDispatcher()
        defer { Self.settleAndStop(dispatcher) }
        let collector = try Self.startCollector(dispatcher: dispatcher.endpoint, store: InMemoryReportStore())
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
