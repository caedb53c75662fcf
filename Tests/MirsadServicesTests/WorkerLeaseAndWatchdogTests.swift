import ArticleAnalysis
import Foundation
import MirsadProtocol
import Testing
@testable import MirsadServices

/// Lease-renewing heartbeats, the hung-analysis watchdog, and what a restarted worker says in HELLO, against a fake
/// dispatcher and collector (ROUTERs on TCP loopback). See `WorkerServiceTests` for why workers are left running.
@Suite(.timeLimit(.minutes(5)))
struct WorkerLeaseAndWatchdogTests {
    typealias W = WorkerServiceTests

    private static func heartbeats(_ messages: [MirsadMessage]) -> [Mirsad_V1_Heartbeat] {
        messages.compactMap { if case .heartbeat(let h) = $0 { h } else { nil } }
    }

    private static func byes(_ messages: [MirsadMessage]) -> [Mirsad_V1_Bye] {
        messages.compactMap { if case .bye(let b) = $0 { b } else { nil } }
    }

    /// JOBS whose article `index` has `text` as its body.
    private static func jobs(_ ids: [String], batch: String, text: [Int: String]) -> MirsadMessage {
        guard case .jobs(var body) = W.jobs(ids, batch: batch) else { return W.jobs(ids, batch: batch) }
        for (index, articleText) in text {
            body.jobs[index].article = Mirsad_V1_Article(Article(id: "article-\(ids[index])", content: .text(articleText)))
        }
        return .jobs(body)
    }

    @Test func heartbeatsListEveryJobHeldUntilItsCreditGoesBack() throws {
        let dispatcher = try FakeRouterPeer()
        let collector = try FakeRouterPeer()
        defer { dispatcher.stop(); collector.stop() }
        let worker = W.startWorker(dispatcher: dispatcher.endpoint, collector: collector.endpoint)
        #expect(dispatcher.waitUntil { !W.hellos(W.from(worker, $0)).isEmpty })
        try dispatcher.send(W.welcome(heartbeatMs: 50), to: worker.routingID)
        // Idle: plain heartbeats only.
        #expect(dispatcher.waitUntil { Self.heartbeats(W.from(worker, $0)).count >= 2 })
        #expect(Self.heartbeats(W.from(worker, dispatcher.received)).allSatisfy { $0.jobIds.isEmpty })

        try dispatcher.send(W.jobs(["h:0", "h:1"], batch: "h"), to: worker.routingID)
        #expect(collector.waitUntil { W.results(W.from(worker, $0)).count == 2 })
        // Analysed, awaiting the collector: still held, so still listed, interval after interval.
        let listedBoth = { (received: [FakeRouterPeer.Received]) in
            Self.heartbeats(W.from(worker, received)).filter { Set($0.jobIds) == ["h:0", "h:1"] }.count
        }
        let before = listedBoth(dispatcher.received)
        #expect(dispatcher.waitUntil { listedBoth($0) >= before + 3 }, "heartbeats: \(Self.heartbeats(W.from(worker, dispatcher.received)).map(\.jobIds))")
        let spaced = dispatcher.received.filter { $0.peer == worker.routingID && Self.heartbeats([$0.message]).first?.jobIds.isEmpty == false }
        for (earlier, later) in zip(spaced, spaced.dropFirst()) {
            #expect(later.at - earlier.at >= .milliseconds(30), "lease heartbeats \(later.at - earlier.at) apart")
        }

        try collector.send(W.resultsAck(["h:0"]), to: worker.routingID)
        #expect(dispatcher.waitUntil { W.done(W.from(worker, $0)).flatMap(\.jobIds) == ["h:0"] })
        let afterFirstDone = dispatcher.received.count
        #expect(dispatcher.waitUntil { received in
            Self.heartbeats(W.from(worker, Array(received.dropFirst(afterFirstDone)))).contains { $0.jobIds == ["h:1"] }
        })
        #expect(!Self.heartbeats(W.from(worker, Array(dispatcher.received.dropFirst(afterFirstDone)))).contains { $0.jobIds.contains("h:0") })

        try collector.send(W.resultsAck(["h:1"]), to: worker.routingID)
        #expect(dispatcher.waitUntil { W.done(W.from(worker, $0)).flatMap(\.jobIds).count == 2 })
        let afterDone = dispatcher.received.count
        #expect(dispatcher.waitUntil { Self.heartbeats(W.from(worker, Array($0.dropFirst(afterDone)))).count >= 2 })
        // Nothing held any more: back to plain heartbeats, and never both kinds in one interval.
        let late = Self.heartbeats(W.from(worker, Array(dispatcher.received.dropFirst(afterDone + 1))))
        #expect(late.allSatisfy { $0.jobIds.isEmpty }, "\(late.map(\.jobIds))")
        #expect(worker.failure.current == nil)
    }

    @Test func hungAnalysisIsReportedFailedAndTheWorkerStops() throws {
        let dispatcher = try FakeRouterPeer()
        let collector = try FakeRouterPeer()
        defer { dispatcher.stop(); collector.stop() }
        let marker = "HANG-\(UInt32.random(in: 0...UInt32.max))"
        let worker = W.startWorker(dispatcher: dispatcher.endpoint, collector: collector.endpoint, threads: 2) {
            $0.jobTimeoutNanoseconds = 400_000_000
            $0.testFaults = TestFaults(hangMarker: marker)
        }
        #expect(dispatcher.waitUntil { !W.hellos(W.from(worker, $0)).isEmpty })
        try dispatcher.send(W.welcome(heartbeatMs: 50), to: worker.routingID)
        try dispatcher.send(Self.jobs(["g:0", "g:1"], batch: "g", text: [1: "خبر عاجل \(marker) من غزة"]), to: worker.routingID)

        // The healthy job goes through; the hung one is listed in heartbeats while it runs, then fails.
        #expect(collector.waitUntil { W.results(W.from(worker, $0)).map(\.jobID) == ["g:0"] })
        #expect(dispatcher.waitUntil { Self.heartbeats(W.from(worker, $0)).contains { $0.jobIds.contains("g:1") } })
        #expect(dispatcher.waitUntil { W.done(W.from(worker, $0)).contains { !$0.failures.isEmpty } })
        let failures = W.done(W.from(worker, dispatcher.received)).flatMap(\.failures)
        #expect(failures.map(\.jobID) == ["g:1"])
        #expect(failures.first?.error == "analysis did not finish within 0.4 s")
        #expect(failures.first?.permanent == false)
        // No more jobs are taken: a new one is neither analysed nor listed as held.
        try dispatcher.send(W.jobs(["g:2"], batch: "g"), to: worker.routingID)

        // The result already sent is still delivered (credit back after the acknowledgement), then BYE.
        try collector.send(W.resultsAck(["g:0"]), to: worker.routingID)
        #expect(dispatcher.waitUntil { !Self.byes(W.from(worker, $0)).isEmpty }, "no BYE after the hung analysis")
        #expect(eventually { worker.outcome.current == .stuck(jobIDs: ["g:1"]) }, "outcome \(String(describing: worker.outcome.current))")
        #expect(W.done(W.from(worker, dispatcher.received)).flatMap(\.jobIds) == ["g:0"])
        #expect(!W.results(W.from(worker, collector.received)).contains { $0.jobID == "g:2" || $0.jobID == "g:1" })
        let failureIndex = try #require(W.from(worker, dispatcher.received).firstIndex { if case .done(let d) = $0 { !d.failures.isEmpty } else { false } })
        let later = Self.heartbeats(Array(W.from(worker, dispatcher.received)[(failureIndex + 1)...]))
        #expect(!later.contains { $0.jobIds.contains("g:1") || $0.jobIds.contains("g:2") }, "\(later.map(\.jobIds))")
        #expect(worker.failure.current == nil)
    }

    @Test func helloReportsThePreviousProcessUntilWelcomed() throws {
        let dispatcher = try FakeRouterPeer()
        defer { dispatcher.stop() }
        let crashed = try #require(CrashReport(signal: SIGSEGV, jobID: "c:7").jobFailure)
        #expect(crashed.error == "worker process crashed with SIGSEGV while analysing it")
        let worker = W.startWorker(dispatcher: dispatcher.endpoint) {
            $0.workerID = "worker-given-id-2"
            $0.replaces = "worker-given-id-1"
            $0.crashed = [crashed]
        }
        #expect(worker.id == "worker-given-id-2")
        #expect(dispatcher.waitUntil { !W.hellos(W.from(worker, $0)).isEmpty })
        let hello = try #require(W.hellos(W.from(worker, dispatcher.received)).first)
        #expect(hello.replaces == "worker-given-id-1")
        #expect(hello.crashed == [crashed])

        // Welcomed: the dispatcher has it. A later HELLO (the dispatcher forgot the worker) repeats neither.
        try dispatcher.send(W.welcome(), to: worker.routingID)
        #expect(eventually { worker.ready.current == "worker-given-id-2" })
        try dispatcher.send(.error(.unknownPeer, "who are you"), to: worker.routingID)
        #expect(dispatcher.waitUntil { W.hellos(W.from(worker, $0)).count == 2 })
        let again = W.hellos(W.from(worker, dispatcher.received))[1]
        #expect(again.id == "worker-given-id-2")
        #expect(again.replaces.isEmpty)
        #expect(again.crashed.isEmpty)
    }
}

/// What a worker does with the jobs it holds when the dispatcher forgets it (a dispatcher restart).
@Suite(.timeLimit(.minutes(5)))
struct WorkerDispatcherRestartTests {
    typealias W = WorkerServiceTests

    @Test func jobsHeldFromBeforeAHelloAgainAreKeptListedAndCreditedAlongsideNewOnes() throws {
        let dispatcher = try FakeRouterPeer()
        let collector = try FakeRouterPeer()
        defer { dispatcher.stop(); collector.stop() }
        let worker = W.startWorker(dispatcher: dispatcher.endpoint, collector: collector.endpoint, capacity: 2)
        #expect(dispatcher.waitUntil { !W.hellos(W.from(worker, $0)).isEmpty })
        try dispatcher.send(W.welcome(heartbeatMs: 50), to: worker.routingID)
        try dispatcher.send(W.jobs(["old:0", "old:1"], batch: "old"), to: worker.routingID)
        #expect(collector.waitUntil { W.results(W.from(worker, $0)).count == 2 })

        // The restarted dispatcher does not know the worker: HELLO again, with the full capacity.
        try dispatcher.send(.error(.unknownPeer, "restarted"), to: worker.routingID)
        #expect(dispatcher.waitUntil { W.hellos(W.from(worker, $0)).count == 2 })
        #expect(W.hellos(W.from(worker, dispatcher.received))[1].capacity == 2)
        try dispatcher.send(W.welcome(heartbeatMs: 50), to: worker.routingID)
        try dispatcher.send(W.jobs(["new:0", "new:1"], batch: "new"), to: worker.routingID)
        #expect(collector.waitUntil { W.results(W.from(worker, $0)).count == 4 })
        // All four are held, so all four leases are renewed with the new dispatcher.
        #expect(dispatcher.waitUntil { received in
            received.contains { $0.peer == worker.routingID && {
                if case .heartbeat(let h) = $0.message { Set(h.jobIds) == ["old:0", "old:1", "new:0", "new:1"] } else { false }
            }($0) }
        })
        try collector.send(W.resultsAck(["old:0", "old:1", "new:0", "new:1"]), to: worker.routingID)
        #expect(dispatcher.waitUntil { W.done(W.from(worker, $0)).flatMap(\.jobIds).count == 4 })
        #expect(Set(W.done(W.from(worker, dispatcher.received)).flatMap(\.jobIds)) == ["old:0", "old:1", "new:0", "new:1"])
    }
}
