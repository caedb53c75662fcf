import ArticleAnalysis
import Foundation
import MirsadCore
import MirsadWire
import ServiceLifecycle
import Testing
@testable import MirsadServices

/// `WorkerService`'s wiring between a fake dispatcher and a fake collector (ROUTERs on TCP loopback): its logic is
/// `WorkerStateMachine`'s and `DispatcherLinkStateMachine`'s, tested on their own. Each test runs one worker in a
/// `ServiceGroup` of its own, stops it gracefully and waits for `run` to return.
@Suite(.timeLimit(.minutes(5)))
struct WorkerServiceTests {
    /// A worker running in its service group: its id and what its `ready` callback was given.
    struct RunningWorker: Sendable {
        let service: WorkerService
        let ready: Locked<String?>
        var id: String { service.id }
        var routingID: RoutingID { Array(id.utf8) }
    }

    /// Polls `condition` every few milliseconds until it holds or `seconds` pass: the one wait of the worker tests.
    /// The deadline is generous because it only matters when the test fails: synchronous tests running beside
    /// these may hold every thread of the cooperative pool for many seconds.
    static func until(seconds: Double = 60, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    /// Runs a worker for `body`, then shuts its group down gracefully and waits for the worker's `run` to return;
    /// returns how it ended. A worker that ends by itself (an analysis hung) ends its group too.
    @discardableResult
    static func withWorker(
        dispatcher: String, collector: String? = nil, threads: Int = 2, capacity: Int = 16,
        clock: ServiceClock = .system,
        configure: (inout WorkerService.Configuration) -> Void = { _ in },
        _ body: (RunningWorker) async throws -> Void
    ) async throws -> WorkerService.Outcome? {
        var configuration = WorkerService.Configuration(
            dispatcherEndpoint: dispatcher, collectorEndpoint: collector, threads: threads, capacity: capacity)
        configuration.shutdownGrace = .seconds(5)
        configure(&configuration)
        let ready = Locked<String?>(nil)
        let service = WorkerService(
            configuration: configuration, analyzer: ArticleAnalyzer(recognizer: EntityRecognizer()), logger: quietLogger,
            clock: clock, ready: { id in ready.withLock { $0 = id } })
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)], logger: quietLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body(RunningWorker(service: service, ready: ready))
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        return service.outcome
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

    static func byes(_ messages: [MirsadMessage]) -> [Mirsad_V1_Bye] {
        messages.compactMap { if case .bye(let b) = $0 { b } else { nil } }
    }

    @Test func helloWelcomeJobsResultsAndCreditBackAfterTheCollectorAcknowledges() async throws {
        let dispatcher = try FakeRouterPeer()
        let collector = try FakeRouterPeer()
        defer { dispatcher.stop(); collector.stop() }
        var seen: RunningWorker? = nil
        let outcome = try await Self.withWorker(dispatcher: dispatcher.endpoint, capacity: 12) { worker in
            seen = worker
            #expect(await Self.until { !Self.hellos(Self.from(worker, dispatcher.received)).isEmpty }, "no HELLO from the worker")
            let hello = try #require(Self.hellos(Self.from(worker, dispatcher.received)).first)
            #expect(hello.role == .worker)
            #expect(hello.id == worker.id)
            #expect(hello.capacity == 12)
            #expect(hello.pid == Int64(getpid()))

            // The collector's endpoint comes with the WELCOME.
            try dispatcher.send(Self.welcome(collector: collector.endpoint), to: worker.routingID)
            #expect(await Self.until { worker.ready.current == worker.id }, "ready was not called with the worker's id")

            let ids = ["b:0", "b:1", "b:2"]
            try dispatcher.send(Self.jobs(ids), to: worker.routingID)
            #expect(await Self.until { Set(Self.results(Self.from(worker, collector.received)).map(\.jobID)) == Set(ids) },
                    "results at the collector: \(Self.results(Self.from(worker, collector.received)).map(\.jobID))")
            for result in Self.results(Self.from(worker, collector.received)) {
                #expect(result.workerID == worker.id)
                #expect(result.batchID == "b")
                #expect(result.article.id == "article-\(result.jobID)")
                let analysis = try Analysis(wire: result.analysis)
                #expect(analysis.cleanText.contains("وزارة الصحة"))
                #expect(result.timings.finishedUnixMs >= result.timings.receivedUnixMs)
            }

            // No credit comes back before the collector has the results for good: every DONE arrives after the
            // acknowledgement was sent.
            let acknowledgedAt = MonotonicInstant.now()
            try collector.send(Self.resultsAck(["b:2", "b:0"]), to: worker.routingID)
            #expect(await Self.until { !Self.done(Self.from(worker, dispatcher.received)).isEmpty })
            #expect(Set(Self.done(Self.from(worker, dispatcher.received)).flatMap(\.jobIds)) == ["b:0", "b:2"])
            let doneArrivals = dispatcher.received.filter { $0.peer == worker.routingID && !Self.done([$0.message]).isEmpty }
            #expect(doneArrivals.allSatisfy { $0.at > acknowledgedAt })

            try collector.send(Self.resultsAck(["b:1", "unknown:9"]), to: worker.routingID)
            #expect(await Self.until { Self.done(Self.from(worker, dispatcher.received)).flatMap(\.jobIds).count >= 3 })
            let credited = Self.done(Self.from(worker, dispatcher.received)).flatMap(\.jobIds)
            #expect(credited.sorted() == ids, "DONE carried \(credited)")
            #expect(Self.done(Self.from(worker, dispatcher.received)).allSatisfy { $0.failures.isEmpty })
        }
        // Stopped gracefully: BYE, and the run returned.
        #expect(outcome == .stopped)
        let worker = try #require(seen)
        _ = await Self.until(seconds: 30) { !Self.byes(Self.from(worker, dispatcher.received)).isEmpty }
        #expect(Self.byes(Self.from(worker, dispatcher.received)).map(\.reason) == ["shutdown"])
        #expect(dispatcher.failure == nil && collector.failure == nil, "a fake could not reach the worker")
    }

    @Test func unacknowledgedResultIsResentWhenTheInjectedClockSaysSo() async throws {
        let dispatcher = try FakeRouterPeer()
        let collector = try FakeRouterPeer()
        defer { dispatcher.stop(); collector.stop() }
        let clock = ManualClock()
        try await Self.withWorker(
            dispatcher: dispatcher.endpoint, collector: collector.endpoint, clock: clock.serviceClock,
            configure: { $0.resendAfter = .seconds(10) }
        ) { worker in
            #expect(await Self.until { !Self.hellos(Self.from(worker, dispatcher.received)).isEmpty })
            try dispatcher.send(Self.welcome(), to: worker.routingID)
            try dispatcher.send(Self.jobs(["r:0"], batch: "r"), to: worker.routingID)
            #expect(await Self.until { Self.results(Self.from(worker, collector.received)).count == 1 })

            clock.advance(by: .seconds(11))
            #expect(await Self.until { Self.results(Self.from(worker, collector.received)).count == 2 }, "the result was not resent")
            #expect(Self.results(Self.from(worker, collector.received)).allSatisfy { $0.jobID == "r:0" })
            #expect(Self.done(Self.from(worker, dispatcher.received)).isEmpty)

            try collector.send(Self.resultsAck(["r:0"]), to: worker.routingID)
            #expect(await Self.until { !Self.done(Self.from(worker, dispatcher.received)).isEmpty })
            #expect(Self.done(Self.from(worker, dispatcher.received)).flatMap(\.jobIds) == ["r:0"])
        }
    }

    @Test func malformedAndMisdirectedMessagesDoNotStopTheWorker() async throws {
        let dispatcher = try FakeRouterPeer()
        let collector = try FakeRouterPeer()
        defer { dispatcher.stop(); collector.stop() }
        try await Self.withWorker(dispatcher: dispatcher.endpoint, collector: collector.endpoint) { worker in
            #expect(await Self.until { !Self.hellos(Self.from(worker, dispatcher.received)).isEmpty })
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

            #expect(await Self.until { Self.results(Self.from(worker, collector.received)).map(\.jobID) == ["m:0"] })
            #expect(await Self.until { Self.done(Self.from(worker, dispatcher.received)).contains { !$0.failures.isEmpty } })
            let failures = Self.done(Self.from(worker, dispatcher.received)).flatMap(\.failures)
            #expect(failures.map(\.jobID) == ["m:1"])
            #expect(failures.first?.error.hasPrefix("invalid article") == true, "\(failures)")
            #expect(failures.first?.error.contains("content") == true, "\(failures)")
            #expect(failures.first?.permanent == true, "an unreadable article cannot succeed on another attempt")

            try collector.send(Self.resultsAck(["m:0"]), to: peer)
            #expect(await Self.until { Self.done(Self.from(worker, dispatcher.received)).flatMap(\.jobIds) == ["m:0"] })
            #expect(Self.hellos(Self.from(worker, dispatcher.received)).count == 1, "the worker started over")
        }
    }

    @Test func gracefulShutdownFinishesWhatItHoldsThenSaysBye() async throws {
        let dispatcher = try FakeRouterPeer()
        let collector = try FakeRouterPeer()
        defer { dispatcher.stop(); collector.stop() }
        var configuration = WorkerService.Configuration(
            dispatcherEndpoint: dispatcher.endpoint, collectorEndpoint: collector.endpoint, threads: 1, capacity: 4)
        configuration.shutdownGrace = .seconds(5)
        let service = WorkerService(
            configuration: configuration, analyzer: ArticleAnalyzer(recognizer: EntityRecognizer()), logger: quietLogger)
        let worker = RunningWorker(service: service, ready: Locked(nil))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: service)], logger: quietLogger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(await Self.until { !Self.hellos(Self.from(worker, dispatcher.received)).isEmpty })
            try dispatcher.send(Self.welcome(), to: worker.routingID)
            try dispatcher.send(Self.jobs(["s:0"], batch: "s"), to: worker.routingID)
            #expect(await Self.until { Self.results(Self.from(worker, collector.received)).count == 1 })

            // Asked to stop while a result awaits the collector: the worker waits for the acknowledgement.
            await group.triggerGracefulShutdown()
            try collector.send(Self.resultsAck(["s:0"]), to: worker.routingID)
            try await tasks.waitForAll()
        }
        #expect(service.outcome == .stopped)
        // What the worker sent before closing reaches the fake dispatcher's thread a moment later on a loaded machine.
        _ = await Self.until(seconds: 30) { !Self.byes(Self.from(worker, dispatcher.received)).isEmpty }
        let messages = Self.from(worker, dispatcher.received)
        #expect(Self.done(messages).flatMap(\.jobIds) == ["s:0"])
        #expect(Self.byes(messages).map(\.reason) == ["shutdown"])
        if case .bye = messages.last {} else { Issue.record("BYE is not the last message: \(messages.map(\.command))") }
    }

    @Test func cancellationEndsTheRunAtOnceWithoutBye() async throws {
        let dispatcher = try FakeRouterPeer()
        defer { dispatcher.stop() }
        let service = WorkerService(
            configuration: WorkerService.Configuration(dispatcherEndpoint: dispatcher.endpoint, threads: 1, capacity: 4),
            analyzer: ArticleAnalyzer(recognizer: EntityRecognizer()), logger: quietLogger)
        let worker = RunningWorker(service: service, ready: Locked(nil))
        let running = Task { try await service.run() }
        #expect(await Self.until { !Self.hellos(Self.from(worker, dispatcher.received)).isEmpty })
        running.cancel()
        let result = await running.result
        if case .failure(let error) = result {
            #expect(error is CancellationError, "\(error)")
        } else {
            Issue.record("the run returned normally after its cancellation")
        }
        #expect(service.outcome == nil)
        #expect(Self.byes(Self.from(worker, dispatcher.received)).isEmpty)
    }
}
