import ArticleAnalysis
import Foundation
import MirsadProtocol
import Testing
@testable import MirsadServices

/// `WorkerService` between a fake dispatcher and a fake collector (ROUTERs on TCP loopback).
///
/// A worker stops only through `ShutdownSignal`, which is process-wide and would stop every service in this test
/// process, so each test starts its worker on a detached thread and leaves it running until the process ends.
/// Each fake therefore looks only at messages from its own worker's routing id.
@Suite(.timeLimit(.minutes(5)))
struct WorkerServiceTests {
    /// A worker running on its own thread: its id once made, and the error if `run` threw.
    struct RunningWorker {
        let id: String
        let ready: Locked<String?>
        let failure: Locked<String?>
        /// How `run` ended, once it has.
        let outcome: Locked<WorkerService.Outcome?>
        var routingID: RoutingID { Array(id.utf8) }
    }

    static func startWorker(
        dispatcher: String, collector: String? = nil, threads: Int = 2, capacity: Int = 16,
        resendAfterNanoseconds: UInt64 = 10_000_000_000,
        configure: @escaping @Sendable (inout WorkerService.Configuration) -> Void = { _ in }
    ) -> RunningWorker {
        let made = Locked<String?>(nil)
        let ready = Locked<String?>(nil)
        let failure = Locked<String?>(nil)
        let outcome = Locked<WorkerService.Outcome?>(nil)
        let idKnown = DispatchSemaphore(value: 0)
        let thread = Thread {
            var configuration = WorkerService.Configuration(
                dispatcherEndpoint: dispatcher, collectorEndpoint: collector, threads: threads, capacity: capacity)
            configuration.resendAfterNanoseconds = resendAfterNanoseconds
            configure(&configuration)
            let worker = WorkerService(
                configuration: configuration, analyzer: ArticleAnalyzer(recognizer: EntityRecognizer()), logger: quietLogger)
            made.withLock { $0 = worker.id }
            idKnown.signal()
            do {
                let ended = try worker.run { id in ready.withLock { $0 = id } }
                outcome.withLock { $0 = ended }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        thread.stackSize = 16 << 20
        thread.start()
        idKnown.wait()
        return RunningWorker(id: made.current!, ready: ready, failure: failure, outcome: outcome)
    }

    static func welcome(collector: String = "", heartbeatMs: UInt32 = 60_000) -> MirsadMessage {
        var body = Mirsad_V1_Welcome()
        body.collectorEndpoint = collector
        body.heartbeatIntervalMs = heartbeatMs
        body.livenessTimeoutMs = 60_000
        return .welcome(body)
    }

    static func jobs(_ ids: [String], batch: String = "b") -> MirsadMessage {
        var body = Mirsad_V1_Jobs()
        body.jobs = ids.enumerated().map { index, id in
            var job = Mirsad_V1_Job()
            job.jobID = id
            job.batchID = batch
            job.article = Mirsad_V1_Article(Article(
                id: "article-\(id)", title: "خبر \(index)",
                content: .text("أعلنت وزارة الصحة في غزة اليوم عن وصول شحنة جديدة من الأدوية. وقال المتحدث إن الشحنة تكفي شهرا.")))
            return job
        }
        return .jobs(body)
    }

    static func resultsAck(_ ids: [String]) -> MirsadMessage {
        var body = Mirsad_V1_ResultsAck()
        body.jobIds = ids
        return .resultsAck(body)
    }

    /// Messages from `worker` only.
    static func from(_ worker: RunningWorker, _ received: [FakeRouterPeer.Received]) -> [MirsadMessage] {
        received.filter { $0.peer == worker.routingID }.map(\.message)
    }

    static func results(_ messages: [MirsadMessage]) -> [Mirsad_V1_Result] {
        messages.flatMap { message -> [Mirsad_V1_Result] in
            if case .results(let r) = message { r.results } else { [] }
        }
    }

    static func done(_ messages: [MirsadMessage]) -> [Mirsad_V1_Done] {
        messages.compactMap { if case .done(let d) = $0 { d } else { nil } }
    }

    static func hellos(_ messages: [MirsadMessage]) -> [Mirsad_V1_Hello] {
        messages.compactMap { if case .hello(let h) = $0 { h } else { nil } }
    }

    @Test func helloWelcomeJobsResultsAndCreditBackAfterTheCollectorAcknowledges() throws {
        let dispatcher = try FakeRouterPeer()
        let collector = try FakeRouterPeer()
        defer { dispatcher.stop(); collector.stop() }
        let worker = Self.startWorker(dispatcher: dispatcher.endpoint, capacity: 12)

        #expect(dispatcher.waitUntil { !Self.hellos(Self.from(worker, $0)).isEmpty }, "no HELLO from the worker")
        let hello = try #require(Self.hellos(Self.from(worker, dispatcher.received)).first)
        #expect(hello.role == .worker)
        #expect(hello.id == worker.id)
        #expect(hello.capacity == 12)
        #expect(hello.pid == Int64(getpid()))

        // The collector's endpoint comes with the WELCOME.
        try dispatcher.send(Self.welcome(collector: collector.endpoint), to: worker.routingID)
        #expect(eventually { worker.ready.current == worker.id }, "ready was not called with the worker's id")

        let ids = ["b:0", "b:1", "b:2"]
        try dispatcher.send(Self.jobs(ids), to: worker.routingID)
        #expect(collector.waitUntil { Set(Self.results(Self.from(worker, $0)).map(\.jobID)) == Set(ids) },
                "results at the collector: \(Self.results(Self.from(worker, collector.received)).map(\.jobID))")
        for result in Self.results(Self.from(worker, collector.received)) {
            #expect(result.workerID == worker.id)
            #expect(result.batchID == "b")
            #expect(result.article.id == "article-\(result.jobID)")
            let analysis = try Analysis(wire: result.analysis)
            #expect(analysis.cleanText.contains("وزارة الصحة"))
            #expect(result.timings.finishedUnixMs >= result.timings.receivedUnixMs)
        }
        // No credit comes back before the collector has the results for good.
        Thread.sleep(forTimeInterval: 0.2)
        #expect(Self.done(Self.from(worker, dispatcher.received)).isEmpty)

        try collector.send(Self.resultsAck(["b:2", "b:0"]), to: worker.routingID)
        #expect(dispatcher.waitUntil { !Self.done(Self.from(worker, $0)).isEmpty })
        #expect(Set(Self.done(Self.from(worker, dispatcher.received)).flatMap(\.jobIds)) == ["b:0", "b:2"])

        try collector.send(Self.resultsAck(["b:1", "unknown:9"]), to: worker.routingID)
        #expect(dispatcher.waitUntil { Self.done(Self.from(worker, $0)).flatMap(\.jobIds).count >= 3 })
        let credited = Self.done(Self.from(worker, dispatcher.received)).flatMap(\.jobIds)
        #expect(credited.sorted() == ids, "DONE carried \(credited)")
        #expect(Self.done(Self.from(worker, dispatcher.received)).allSatisfy { $0.failures.isEmpty })
        #expect(worker.failure.current == nil)
        #expect(dispatcher.failure == nil && collector.failure == nil, "a fake could not reach the worker")
    }

    @Test func unacknowledgedResultIsResentUntilAcknowledged() throws {
        let dispatcher = try FakeRouterPeer()
        let collector = try FakeRouterPeer()
        defer { dispatcher.stop(); collector.stop() }
        let period: UInt64 = 150_000_000
        let worker = Self.startWorker(
            dispatcher: dispatcher.endpoint, collector: collector.endpoint, resendAfterNanoseconds: period)
        #expect(dispatcher.waitUntil { !Self.hellos(Self.from(worker, $0)).isEmpty })
        try dispatcher.send(Self.welcome(), to: worker.routingID)
        try dispatcher.send(Self.jobs(["r:0"], batch: "r"), to: worker.routingID)

        #expect(collector.waitUntil { Self.results(Self.from(worker, $0)).count >= 3 }, "the result was not resent")
        let arrivals = collector.received.filter { $0.peer == worker.routingID && Self.results([$0.message]).count > 0 }
        #expect(Self.results(arrivals.map(\.message)).allSatisfy { $0.jobID == "r:0" })
        for (earlier, later) in zip(arrivals, arrivals.dropFirst()) {
            // Resent no sooner than the period (less one poll interval of slack for the timers).
            #expect(later.at - earlier.at >= .nanoseconds(Int64(period)) - .milliseconds(20), "resent after \(later.at - earlier.at)")
        }
        #expect(Self.done(Self.from(worker, dispatcher.received)).isEmpty)

        try collector.send(Self.resultsAck(["r:0"]), to: worker.routingID)
        #expect(dispatcher.waitUntil { !Self.done(Self.from(worker, $0)).isEmpty })
        let sentAtAck = Self.results(Self.from(worker, collector.received)).count
        Thread.sleep(forTimeInterval: Double(4 * period) / 1e9)
        // At most one copy may have crossed the acknowledgement on the way.
        #expect(Self.results(Self.from(worker, collector.received)).count <= sentAtAck + 1)
        #expect(Self.done(Self.from(worker, dispatcher.received)).flatMap(\.jobIds) == ["r:0"])
    }

    @Test func malformedAndMisdirectedMessagesDoNotStopTheWorker() throws {
        let dispatcher = try FakeRouterPeer()
        let collector = try FakeRouterPeer()
        defer { dispatcher.stop(); collector.stop() }
        let worker = Self.startWorker(dispatcher: dispatcher.endpoint, collector: collector.endpoint)
        #expect(dispatcher.waitUntil { !Self.hellos(Self.from(worker, $0)).isEmpty })
        try dispatcher.send(Self.welcome(), to: worker.routingID)

        let peer = worker.routingID
        dispatcher.sendRaw([[1, 2, 3]], to: peer)                                        // one frame
        dispatcher.sendRaw([Array("NOPE1".utf8), [Command.jobs.rawValue], []], to: peer)  // wrong protocol id
        dispatcher.sendRaw([FrameCodec.protocolID, [250], []], to: peer)                  // unknown command
        dispatcher.sendRaw([FrameCodec.protocolID, [Command.jobs.rawValue], [0xff, 0xff, 0xff]], to: peer)  // bad body
        dispatcher.sendRaw(Array(repeating: [0], count: 200), to: peer)                   // frame bomb
        try dispatcher.send(.submitAck(Mirsad_V1_SubmitAck()), to: peer)                 // not for workers
        collector.sendRaw([FrameCodec.protocolID, [Command.resultsAck.rawValue], [0xff]], to: peer)

        // Then real work, one job of it unreadable: it fails alone, the other is analysed.
        guard case .jobs(var body) = Self.jobs(["m:0", "m:1"], batch: "m") else { return }
        body.jobs[1].article.content = nil
        try dispatcher.send(.jobs(body), to: peer)

        #expect(collector.waitUntil { Self.results(Self.from(worker, $0)).map(\.jobID) == ["m:0"] })
        #expect(dispatcher.waitUntil { Self.done(Self.from(worker, $0)).contains { !$0.failures.isEmpty } })
        let failures = Self.done(Self.from(worker, dispatcher.received)).flatMap(\.failures)
        #expect(failures.map(\.jobID) == ["m:1"])
        #expect(failures.first?.error.hasPrefix("invalid article") == true, "\(failures)")
        #expect(failures.first?.error.contains("content") == true, "\(failures)")
        #expect(failures.first?.permanent == true, "an unreadable article cannot succeed on another attempt")

        try collector.send(Self.resultsAck(["m:0"]), to: peer)
        #expect(dispatcher.waitUntil { Self.done(Self.from(worker, $0)).flatMap(\.jobIds) == ["m:0"] })
        #expect(Self.hellos(Self.from(worker, dispatcher.received)).count == 1, "the worker started over")
        #expect(worker.failure.current == nil)
    }

    @Test func jobItAlreadyHoldsIsNotAnalysedTwice() throws {
        let dispatcher = try FakeRouterPeer()
        let collector = try FakeRouterPeer()
        defer { dispatcher.stop(); collector.stop() }
        let worker = Self.startWorker(dispatcher: dispatcher.endpoint, collector: collector.endpoint)
        #expect(dispatcher.waitUntil { !Self.hellos(Self.from(worker, $0)).isEmpty })
        try dispatcher.send(Self.welcome(), to: worker.routingID)
        try dispatcher.send(Self.jobs(["d:0"], batch: "d"), to: worker.routingID)
        #expect(collector.waitUntil { Self.results(Self.from(worker, $0)).count == 1 })
        // Given again while its result awaits the collector: ignored, alongside a new job that is not.
        try dispatcher.send(Self.jobs(["d:0", "d:1"], batch: "d"), to: worker.routingID)
        #expect(collector.waitUntil { Self.results(Self.from(worker, $0)).count >= 2 })
        Thread.sleep(forTimeInterval: 0.3)
        #expect(Self.results(Self.from(worker, collector.received)).map(\.jobID) == ["d:0", "d:1"])
    }

    @Test func heartbeatsAtTheWelcomedIntervalAndHelloAgainWhenForgotten() throws {
        let dispatcher = try FakeRouterPeer()
        defer { dispatcher.stop() }
        let worker = Self.startWorker(dispatcher: dispatcher.endpoint)
        #expect(dispatcher.waitUntil { !Self.hellos(Self.from(worker, $0)).isEmpty })
        try dispatcher.send(Self.welcome(heartbeatMs: 50), to: worker.routingID)
        #expect(dispatcher.waitUntil {
            Self.from(worker, $0).filter { $0 == .heartbeat }.count >= 4
        }, "fewer than 4 heartbeats at a 50 ms interval")

        // A restarted dispatcher answers each message sent before the new HELLO reached it with UNKNOWN_PEER:
        // one HELLO answers the burst (each HELLO would re-register the worker and requeue its jobs).
        for _ in 0..<5 { try dispatcher.send(.error(.unknownPeer, "who are you"), to: worker.routingID) }
        #expect(dispatcher.waitUntil { Self.hellos(Self.from(worker, $0)).count == 2 })
        Thread.sleep(forTimeInterval: 0.05)
        #expect(Self.hellos(Self.from(worker, dispatcher.received)).count == 2, "a burst of UNKNOWN_PEER brought several HELLOs")
        try dispatcher.send(Self.welcome(heartbeatMs: 50), to: worker.routingID)
        Thread.sleep(forTimeInterval: 0.05)
        var bye = Mirsad_V1_Bye()
        bye.reason = "restarting"
        try dispatcher.send(.bye(bye), to: worker.routingID)
        #expect(dispatcher.waitUntil { Self.hellos(Self.from(worker, $0)).count == 3 })
        #expect(Self.hellos(Self.from(worker, dispatcher.received)).allSatisfy { $0.id == worker.id })
    }
}
