import Foundation
import MirsadCore
import MirsadWire
import Testing
@testable import MirsadServices

/// A worker whose collector goes away and comes back on the same port (real sockets, in-process): its
/// unacknowledged results reach the new collector as soon as the connection is up again, long before the resend
/// timer, and the worker learns of a refusal from RESULTS_ACK and reports the job failed in DONE.
@Suite(.timeLimit(.minutes(5)))
struct WorkerCollectorRestartTests {
    typealias Harness = WorkerServiceTests

    /// A fake collector bound to `endpoint`, retried while the port is still held by the previous one.
    static func collector(on endpoint: String, seconds: Double = 10) async throws -> FakeRouterPeer {
        let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
        while true {
            do {
                return try FakeRouterPeer(bind: endpoint)
            } catch where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    @Test func resultsReachARestartedCollectorAsSoonAsItIsBack() async throws {
        let dispatcher = try FakeRouterPeer()
        var first: FakeRouterPeer? = try FakeRouterPeer()
        defer { dispatcher.stop(); first?.stop() }
        let endpoint = try #require(first?.endpoint)
        try await Harness.withWorker(
            dispatcher: dispatcher.endpoint, collector: endpoint, configure: { $0.resendAfter = .seconds(60) }
        ) { worker in
            #expect(await Harness.until { !Harness.hellos(Harness.from(worker, dispatcher.received)).isEmpty })
            try dispatcher.send(Harness.welcome(), to: worker.routingID)
            let ids = ["k:0", "k:1", "k:2"]
            try dispatcher.send(Harness.jobs(ids, batch: "k"), to: worker.routingID)
            #expect(await Harness.until { Set(Harness.results(Harness.from(worker, first?.received ?? [])).map(\.jobID)) == Set(ids) })

            // The collector goes away without acknowledging anything, and a new one takes its port.
            first?.stop()
            first = nil
            let stoppedAt = MonotonicInstant.now()
            let second = try await Self.collector(on: endpoint)
            defer { second.stop() }
            let boundAfter = stoppedAt.duration(to: .now())
            #expect(await Harness.until(seconds: 30) {
                Set(Harness.results(Harness.from(worker, second.received)).map(\.jobID)) == Set(ids)
            }, "the results did not reach the new collector")
            // Timed by the fake collector's own thread as each arrived, not by this task (the test's threads may be
            // busy with other tests).
            let arrivals = second.received.filter { $0.peer == worker.routingID }.map(\.at)
            let reachedAfter = stoppedAt.duration(to: arrivals.max() ?? .now())
            print("worker: results reached the restarted collector \(reachedAfter) after the first one stopped (it was bound after \(boundAfter)); resend timer 60 s")
            // The timer (60 s) had no part in it: the reconnection did (the bound leaves room for a loaded machine).
            #expect(reachedAfter < .seconds(20), "results took \(reachedAfter) to reach the restarted collector")
            #expect(Harness.done(Harness.from(worker, dispatcher.received)).isEmpty, "credit back before any acknowledgement")

            // The new collector takes two and refuses one: two successes and one failure (not permanent) in DONE.
            var ack = Mirsad_V1_ResultsAck()
            ack.jobIds = ["k:0", "k:2"]
            ack.refused = [.with { $0.jobID = "k:1"; $0.reason = "unreadable analysis: truncated" }]
            try second.send(.resultsAck(ack), to: worker.routingID)
            #expect(await Harness.until {
                let done = Harness.done(Harness.from(worker, dispatcher.received))
                return done.flatMap(\.jobIds).count == 2 && done.flatMap(\.failures).count == 1
            })
            let done = Harness.done(Harness.from(worker, dispatcher.received))
            #expect(Set(done.flatMap(\.jobIds)) == ["k:0", "k:2"])
            let failure = try #require(done.flatMap(\.failures).first)
            #expect(failure.jobID == "k:1")
            #expect(failure.permanent == false)
            #expect(failure.error.contains("unreadable analysis: truncated"), "\(failure.error)")
        }
    }
}
