import ArticleAnalysis
import Foundation
import MirsadCore
import MirsadWire
import Testing
@testable import MirsadServices

/// Lease-renewing heartbeats, the hung-analysis watchdog, and what a restarted worker says in HELLO, wired through
/// a running `WorkerService` to a fake dispatcher and collector (ROUTERs on TCP loopback). The rules themselves are
/// tested on `WorkerStateMachine` and `DispatcherLinkStateMachine`.
@Suite(.timeLimit(.minutes(5)))
struct WorkerLeaseAndWatchdogTests {
    typealias W = WorkerServiceTests

    private static func heartbeats(_ messages: [MirsadMessage]) -> [Mirsad_V1_Heartbeat] {
        messages.compactMap { if case .heartbeat(let h) = $0 { h } else { nil } }
    }

    @Test func heartbeatsListEveryJobHeldUntilItsCreditGoesBack() async throws {
        let dispatcher = try FakeRouterPeer()
        let collector = try FakeRouterPeer()
        defer { dispatcher.stop(); collector.stop() }
        try await W.withWorker(dispatcher: dispatcher.endpoint, collector: collector.endpoint) { worker in
            #expect(await W.until { !W.hellos(W.from(worker, dispatcher.received)).isEmpty })
            try dispatcher.send(W.welcome(heartbeatMs: 50), to: worker.routingID)
            // Idle: plain heartbeats only.
            #expect(await W.until { Self.heartbeats(W.from(worker, dispatcher.received)).count >= 2 })
            #expect(Self.heartbeats(W.from(worker, dispatcher.received)).allSatisfy { $0.jobIds.isEmpty })

            try dispatcher.send(W.jobs(["h:0", "h:1"], batch: "h"), to: worker.routingID)
            #expect(await W.until { W.results(W.from(worker, collector.received)).count == 2 })
            // Analysed, awaiting the collector: still held, so still listed, interval after interval.
            let listedBoth = { (received: [FakeRouterPeer.Received]) in
                Self.heartbeats(W.from(worker, received)).filter { Set($0.jobIds) == ["h:0", "h:1"] }.count
            }
            let before = listedBoth(dispatcher.received)
            #expect(await W.until { listedBoth(dispatcher.received) >= before + 3 },
                    "heartbeats: \(Self.heartbeats(W.from(worker, dispatcher.received)).map(\.jobIds))")

            try collector.send(W.resultsAck(["h:0"]), to: worker.routingID)
            #expect(await W.until { W.done(W.from(worker, dispatcher.received)).flatMap(\.jobIds) == ["h:0"] })
            let afterFirstDone = dispatcher.received.count
            #expect(await W.until {
                Self.heartbeats(W.from(worker, Array(dispatcher.received.dropFirst(afterFirstDone)))).contains { $0.jobIds == ["h:1"] }
            })
            #expect(!Self.heartbeats(W.from(worker, Array(dispatcher.received.dropFirst(afterFirstDone)))).contains { $0.jobIds.contains("h:0") })

            try collector.send(W.resultsAck(["h:1"]), to: worker.routingID)
            #expect(await W.until { W.done(W.from(worker, dispatcher.received)).flatMap(\.jobIds).count == 2 })
            let afterDone = dispatcher.received.count
            #expect(await W.until { Self.heartbeats(W.from(worker, Array(dispatcher.received.dropFirst(afterDone)))).count >= 2 })
            // Nothing held any more: back to plain heartbeats.
            let late = Self.heartbeats(W.from(worker, Array(dispatcher.received.dropFirst(afterDone + 1))))
            #expect(late.allSatisfy { $0.jobIds.isEmpty }, "\(late.map(\.jobIds))")
        }
    }

    @Test func hungAnalysisIsReportedFailedAndTheWorkerEndsStuck() async throws {
        let dispatcher = try FakeRouterPeer()
        let collector = try FakeRouterPeer()
        defer { dispatcher.stop(); collector.stop() }
        var seen: W.RunningWorker? = nil
        // Each analysis takes 1.5 s, far past the 0.2 s job timeout; its thread comes back later and ends.
        let outcome = try await W.withWorker(dispatcher: dispatcher.endpoint, collector: collector.endpoint, threads: 1) {
            $0.jobTimeout = .milliseconds(200)
            $0.analysis = .sleep(.milliseconds(1_500))
        } _: { worker in
            seen = worker
            #expect(await W.until { !W.hellos(W.from(worker, dispatcher.received)).isEmpty })
            try dispatcher.send(W.welcome(heartbeatMs: 50), to: worker.routingID)
            try dispatcher.send(W.jobs(["g:0"], batch: "g"), to: worker.routingID)
            // Listed in heartbeats while it runs, then failed, then BYE: the worker ends by itself.
            #expect(await W.until { Self.heartbeats(W.from(worker, dispatcher.received)).contains { $0.jobIds.contains("g:0") } })
            #expect(await W.until { !W.byes(W.from(worker, dispatcher.received)).isEmpty }, "no BYE after the hung analysis")
        }
        #expect(outcome == .stuck(jobIDs: ["g:0"]))
        let worker = try #require(seen)
        let messages = W.from(worker, dispatcher.received)
        let failures = W.done(messages).flatMap(\.failures)
        #expect(failures.map(\.jobID) == ["g:0"])
        #expect(failures.first?.error == "analysis did not finish within 0.2 s")
        #expect(failures.first?.permanent == false)
        #expect(W.byes(messages).map(\.reason) == ["analysis hung"])
        #expect(W.results(W.from(worker, collector.received)).isEmpty)
    }

    @Test func helloReportsThePreviousProcessUntilWelcomed() async throws {
        let dispatcher = try FakeRouterPeer()
        defer { dispatcher.stop() }
        let crashed = try #require(CrashReport(signal: SIGSEGV, jobID: "c:7").jobFailure)
        #expect(crashed.error == "worker process crashed with SIGSEGV while analysing it")
        try await W.withWorker(dispatcher: dispatcher.endpoint) {
            $0.workerID = "worker-given-id-2"
            $0.replaces = "worker-given-id-1"
            $0.crashed = [crashed]
        } _: { worker in
            #expect(worker.id == "worker-given-id-2")
            #expect(await W.until { !W.hellos(W.from(worker, dispatcher.received)).isEmpty })
            let hello = try #require(W.hellos(W.from(worker, dispatcher.received)).first)
            #expect(hello.replaces == "worker-given-id-1")
            #expect(hello.crashed == [crashed])

            // Welcomed: the dispatcher has it. A later HELLO (the dispatcher forgot the worker) repeats neither.
            try dispatcher.send(W.welcome(), to: worker.routingID)
            #expect(await W.until { worker.ready.current == "worker-given-id-2" })
            try dispatcher.send(.error(.unknownPeer, "who are you"), to: worker.routingID)
            #expect(await W.until { W.hellos(W.from(worker, dispatcher.received)).count == 2 })
            let again = W.hellos(W.from(worker, dispatcher.received))[1]
            #expect(again.id == "worker-given-id-2")
            #expect(again.replaces.isEmpty)
            #expect(again.crashed.isEmpty)
        }
    }
}
