import Testing
@testable import MirsadCore
@testable import MirsadWire

/// The worker and its collector on a hand-moved clock: results go out again as soon as the collector's connection
/// comes back after a break (the resend timer stays as the fallback), and a result the collector refuses ends its
/// job as a DONE failure that another attempt may retry.
@Suite struct WorkerCollectorLinkTests {
    typealias H = WorkerHarness

    @Test func unacknowledgedResultsAreSentAgainAsSoonAsTheCollectorIsBack() {
        var h = H(limits: WorkerLimits(capacity: 8, resendAfter: .seconds(10)))
        h.welcome()
        h.jobs(["a:0", "a:1", "a:2", "a:3"])
        #expect(h.finish(["a:0", "a:1", "a:2"]).resultIDs == ["a:0", "a:1", "a:2"])
        h.ack(["a:0"])
        h.advance(by: .seconds(1))
        // The first connection's handshake is no reason to send anything again.
        #expect(h.collectorConnected().isEmpty)

        // The collector dies: nothing is sent into the broken connection, and a result finished meanwhile goes out
        // once (it waits in the socket's queue for the next connection).
        #expect(h.collectorDisconnected().notices == [.collectorDisconnected(unacknowledged: 2)])
        #expect(h.collectorDisconnected().isEmpty, "a second report of the same break")
        h.advance(by: .milliseconds(200))
        #expect(h.finish(["a:3"]).resultIDs == ["a:3"])
        h.advance(by: .milliseconds(300))

        // Back 0.5 s later, far before the 10 s timer: everything unacknowledged goes out at once, the credit with it.
        let back = h.collectorConnected()
        #expect(back.notices == [.collectorReconnected(resending: 3)])
        #expect(back.resultIDs == ["a:1", "a:2", "a:3"])
        #expect(h.machine.resultSentAt("a:1") == h.now)
        #expect(h.collectorConnected().isEmpty, "a handshake with no break before it")

        // The timer still runs from the last send, as the fallback for breaks nobody reported.
        #expect(h.advance(by: .seconds(10)).resultIDs.isEmpty)
        #expect(h.advance(by: .milliseconds(1)).resultIDs == ["a:1", "a:2", "a:3"])
        #expect(h.ack(["a:1", "a:2", "a:3"]).doneIDs == ["a:1", "a:2", "a:3"])

        // A break with nothing unacknowledged resends nothing when the connection comes back.
        h.collectorDisconnected()
        #expect(h.collectorConnected().resultIDs.isEmpty)
        #expect(h.actions.failures.isEmpty)
    }

    @Test func resultsHeldForAnUnknownCollectorAreNotSentByAHandshake() {
        var h = H(collector: nil)
        h.welcome()
        h.jobs(["u:0"])
        h.finish(["u:0"])
        // No collector socket yet: connection events cannot come, and if they did they would send nothing.
        #expect(h.collectorDisconnected().isEmpty)
        #expect(h.collectorConnected().isEmpty)
        #expect(h.welcome(collector: "tcp://c:1").resultIDs == ["u:0"])
    }

    @Test func aRefusedResultIsReportedFailedInDoneAndItsCreditComesBack() throws {
        var h = H(limits: WorkerLimits(capacity: 4))
        h.welcome()
        h.jobs(["f:0", "f:1"])
        h.finish(["f:0", "f:1"])
        #expect(h.machine.creditInUse == 2)

        let refused = h.refuse(["f:1"], reason: "unreadable analysis: canonical_entities[2].type: unknown value 0")
        #expect(refused.notices == [.resultsRefused(jobIDs: ["f:1"])])
        #expect(refused.doneIDs.isEmpty, "a refused result reported as done")
        let failure = try #require(refused.failures.first)
        #expect(refused.failures.count == 1)
        #expect(failure.jobID == "f:1")
        // Not permanent: another attempt (another worker, another build) may produce a result the collector reads;
        // the dispatcher dead-letters the job after its last attempt.
        #expect(failure.permanent == false)
        #expect(failure.error == "the collector refused the result: unreadable analysis: canonical_entities[2].type: unknown value 0")
        #expect(h.machine.heldJobIDs == ["f:0"])
        #expect(h.machine.creditInUse == 1)

        // Refusals and acknowledgements for jobs no longer awaiting one change nothing.
        #expect(h.refuse(["f:1", "nobody:7"]).isEmpty)
        #expect(h.ack(["f:1"]).isEmpty)
        // Not resent either.
        #expect(h.advance(by: .seconds(11)).resultIDs == ["f:0"])
        // The dispatcher may give the job to this worker again: it is a new attempt.
        #expect(h.jobs(["f:1"]).analysed == ["f:1"])
        #expect(h.ack(["f:0"]).doneIDs == ["f:0"])
    }

    @Test func aRefusalOfTheLastResultEndsAShutdown() {
        var h = H(limits: WorkerLimits(capacity: 4, shutdownGrace: .seconds(10)))
        h.welcome()
        h.jobs(["s:0"])
        h.finish(["s:0"])
        h.stop()
        #expect(h.outcome == nil, "stopped while a result awaited the collector")
        let refused = h.refuse(["s:0"])
        #expect(refused.failures.map(\.jobID) == ["s:0"])
        #expect(h.outcome == .stopped)
    }
}
