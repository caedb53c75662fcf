import Testing
@testable import MirsadCore
@testable import MirsadWire

/// The worker's logic on a hand-moved clock and a stand-in pool: credit back only after the collector's
/// acknowledgement, resends, duplicates, the watchdog, shutdown and hand-back, sessions after a dispatcher restart.
@Suite struct WorkerStateMachineTests {
    typealias H = WorkerHarness

    @Test func welcomeJobsResultsAndCreditBackAfterTheCollectorAcknowledges() {
        var h = H(limits: WorkerLimits(capacity: 12), collector: nil)
        // The collector's endpoint comes with the WELCOME; the first WELCOME makes the worker ready, once.
        let welcomed = h.welcome(collector: "tcp://collector:5571")
        #expect(welcomed.first == .ready)
        #expect(welcomed.contains(.connectCollector(endpoint: "tcp://collector:5571")))
        #expect(h.readyCalls == 1)

        let ids = ["b:0", "b:1", "b:2"]
        #expect(h.jobs(ids).analysed == ids)
        #expect(h.machine.creditInUse == 3)
        let finished = h.finish(ids)
        #expect(Set(finished.resultIDs) == Set(ids))
        // No credit comes back before the collector has the results for good.
        #expect(finished.dones.isEmpty)
        #expect(h.advance(by: .seconds(5)).dones.isEmpty)
        #expect(h.machine.heldJobIDs == ids)

        #expect(Set(h.ack(["b:2", "b:0"]).doneIDs) == ["b:0", "b:2"])
        #expect(h.ack(["b:1", "unknown:9"]).doneIDs == ["b:1"])
        #expect(h.actions.doneIDs.sorted() == ids, "DONE carried \(h.actions.doneIDs)")
        #expect(h.actions.failures.isEmpty)
        #expect(h.machine.creditInUse == 0)
        #expect(h.machine.heldJobIDs.isEmpty)

        // A later WELCOME (after a dispatcher restart) does not make it ready again.
        h.welcome(collector: "tcp://collector:5571")
        #expect(h.readyCalls == 1)
    }

    /// Revision 6: RESULTS and DONE say `worker_idle` when nothing is left to analyse, so that the collector and
    /// the dispatcher commit at once for a worker that waits on them.
    @Test func resultsAndDoneSayWhenTheWorkerIdles() {
        var h = H(limits: WorkerLimits(capacity: 512))
        h.welcome()
        h.jobs(["b:0", "b:1", "b:2"])
        // b:1 and b:2 still wait to be analysed: not idle.
        #expect(h.finish(["b:0"]).resultIdleFlags == [false])
        #expect(h.ack(["b:0"]).doneIdleFlags == [false])
        // The last job finishes (one of them failed): its RESULTS and its DONE say idle.
        let last = h.finish(["b:1", "b:2"], failed: ["b:2"])
        #expect(last.resultIdleFlags == [true])
        #expect(last.doneIdleFlags == [true])
        #expect(h.ack(["b:1"]).doneIdleFlags == [true])
        // A resend with nothing running says idle as well; with a job running it does not.
        h.jobs(["b:3", "b:4"])
        h.finish(["b:3"])
        #expect(h.advance(by: h.machine.limits.resendAfter + .seconds(1)).resultIdleFlags == [false])
        // Results split over several messages: only the last says idle.
        h.jobs((5..<300).map { "b:\($0)" })
        let many = h.finish(["b:4"] + (5..<300).map { "b:\($0)" })
        #expect(many.resultIdleFlags.count == 2)
        #expect(many.resultIdleFlags == [false, true])
        #expect(h.idleFlagProblems.isEmpty, "\(h.idleFlagProblems)")
    }

    @Test func resultsWaitForACollectorEndpoint() {
        var h = H(collector: nil)
        h.welcome()
        h.jobs(["n:0", "n:1"])
        let finished = h.finish(["n:0", "n:1"])
        #expect(finished.resultIDs.isEmpty)
        #expect(finished.notices == [.holdingResults(count: 2)])
        #expect(h.advance(by: .seconds(60)).resultIDs.isEmpty, "nothing resent without a collector")
        #expect(h.machine.heldJobIDs == ["n:0", "n:1"])

        let welcomed = h.welcome(collector: "tcp://c:1")
        #expect(!welcomed.contains(.ready))
        #expect(welcomed.contains(.connectCollector(endpoint: "tcp://c:1")))
        #expect(welcomed.resultIDs == ["n:0", "n:1"])
        // A second WELCOME naming another collector changes nothing: the worker keeps its collector.
        #expect(h.welcome(collector: "tcp://other:2").isEmpty)
    }

    @Test func unacknowledgedResultIsResentEachPeriodUntilAcknowledged() {
        let period = Duration.milliseconds(150)
        var h = H(limits: WorkerLimits(capacity: 4, resendAfter: period))
        h.welcome()
        h.jobs(["r:0"])
        #expect(h.finish(["r:0"]).resultIDs == ["r:0"])
        let sentAt = h.now
        // Not before its time: exactly one period later is still too early.
        #expect(h.advance(by: period).resultIDs.isEmpty)
        let resent = h.advance(by: .milliseconds(1))
        #expect(resent.resultIDs == ["r:0"])
        #expect(resent.notices == [.resending(count: 1)])
        #expect(h.machine.resultSentAt("r:0") == sentAt.advanced(by: period + .milliseconds(1)))
        for _ in 0..<20 { h.advance(by: .milliseconds(10)) }
        #expect(h.actions.resultIDs == ["r:0", "r:0", "r:0"])
        #expect(h.actions.dones.isEmpty)

        #expect(h.ack(["r:0"]).doneIDs == ["r:0"])
        for _ in 0..<10 { h.advance(by: period) }
        #expect(h.actions.resultIDs.count == 3, "resent after the acknowledgement")
        #expect(h.actions.doneIDs == ["r:0"])
    }

    @Test func jobItAlreadyHoldsIsNotAnalysedTwice() {
        var h = H()
        h.welcome()
        #expect(h.jobs(["d:0", "d:0"]).analysed == ["d:0"])
        // Given again while running, and while its result awaits the collector: ignored, beside new jobs that are not.
        #expect(h.jobs(["d:0", "d:1"]).analysed == ["d:1"])
        h.finish(["d:0"])
        #expect(h.jobs(["d:0", "d:2"]).analysed == ["d:2"])
        #expect(h.actions.analysed == ["d:0", "d:1", "d:2"])
        // Once its credit is back, the same id is a new job.
        h.ack(["d:0"])
        #expect(h.jobs(["d:0"]).analysed == ["d:0"])
    }

    @Test func failedAnalysesAreReportedInDoneWithTheirPermanence() {
        var h = H()
        h.welcome()
        h.jobs(["m:0", "m:1"])
        let finished = h.finish(["m:0", "m:1"], failed: ["m:1"], permanent: true)
        #expect(finished.resultIDs == ["m:0"])
        #expect(finished.failures.map(\.jobID) == ["m:1"])
        #expect(finished.failures.first?.error == "boom m:1")
        #expect(finished.failures.first?.permanent == true, "an unreadable article cannot succeed on another attempt")
        #expect(h.machine.heldJobIDs == ["m:0"])
        #expect(h.ack(["m:0"]).doneIDs == ["m:0"])
    }

    @Test func hungAnalysisIsReportedFailedAndTheWorkerStopsStuck() {
        var h = H(limits: WorkerLimits(capacity: 8, jobTimeout: .milliseconds(400)))
        h.welcome()
        h.jobs(["g:0", "g:1", "g:3"])
        h.start("g:0")
        h.start("g:1")
        // The healthy job goes through; the hung one is held (listed for its lease) while it runs, then fails.
        #expect(h.finish(["g:0"]).resultIDs == ["g:0"])
        #expect(h.advance(by: .milliseconds(400)).isEmpty)
        #expect(h.machine.heldJobIDs == ["g:0", "g:1", "g:3"])
        let overdue = h.advance(by: .milliseconds(1))
        #expect(overdue.notices.first == .analysesHung(jobIDs: ["g:1"], timeout: .milliseconds(400)))
        #expect(overdue.failures.map(\.jobID) == ["g:1"])
        #expect(overdue.failures.first?.error == "analysis did not finish within 0.4 s")
        #expect(overdue.failures.first?.permanent == false)
        // It stops taking jobs: the one no thread started is handed back, a new one is neither analysed nor held.
        #expect(overdue.contains(.withdrawWaiting))
        #expect(h.withdrawn == ["g:3"])
        #expect(overdue.notices.last == .stopping(.analysisHung, finishing: 0, handedBack: 1, unacknowledged: 1))
        #expect(h.jobs(["g:2"]).isEmpty)
        #expect(h.machine.heldJobIDs == ["g:0"])

        // The result already sent is still delivered (credit back after the acknowledgement), then the run ends.
        #expect(h.outcome == nil)
        let acked = h.ack(["g:0"])
        #expect(acked.doneIDs == ["g:0"])
        #expect(acked.last == .finish(.stuck(jobIDs: ["g:1"])))
        #expect(h.outcome == .stuck(jobIDs: ["g:1"]))
        // The hung analysis returning after all changes nothing: it was reported failed already.
        #expect(h.finish(["g:1"]).isEmpty)
        #expect(h.actions.doneIDs == ["g:0"])
        #expect(!h.actions.resultIDs.contains("g:1") && !h.actions.resultIDs.contains("g:2"))
        #expect(h.tick().isEmpty)
    }

    @Test func shutdownHandsBackWaitingJobsAndFinishesTheRest() {
        var h = H()
        h.welcome()
        h.jobs(["s:0", "s:1", "s:2", "s:3"])
        h.start("s:0")
        h.start("s:1")
        h.finish(["s:1"])
        let stopping = h.stop()
        #expect(stopping.first == .withdrawWaiting)
        #expect(h.withdrawn == ["s:2", "s:3"])
        #expect(stopping.notices == [.stopping(.requested, finishing: 1, handedBack: 2, unacknowledged: 1)])
        #expect(h.stop().isEmpty, "a second request changes nothing")
        // Jobs arriving while it stops are left to the BYE that hands them back.
        #expect(h.jobs(["s:9"]).isEmpty)
        #expect(h.machine.heldJobIDs == ["s:0", "s:1"])

        #expect(h.finish(["s:0"]).resultIDs == ["s:0"])
        #expect(h.ack(["s:1"]).doneIDs == ["s:1"])
        #expect(h.outcome == nil)
        let last = h.ack(["s:0"])
        #expect(last.doneIDs == ["s:0"])
        #expect(last.last == .finish(.stopped))
    }

    @Test func shutdownEndsAfterTheGracePeriodWhateverIsStillHeld() {
        var h = H(limits: WorkerLimits(capacity: 4, shutdownGrace: .seconds(2)))
        h.welcome()
        h.jobs(["t:0", "t:1"])
        h.start("t:0")
        h.finish(["t:1"])
        h.stop()
        #expect(h.advance(by: .seconds(2)).isEmpty)
        #expect(h.outcome == nil)
        h.advance(by: .milliseconds(1))
        #expect(h.outcome == .stopped)
        #expect(h.actions.last == .finish(.stopped))
    }

    @Test func stopWhenIdleEndsAtOnce() {
        var h = H()
        h.welcome()
        #expect(h.stop() == [.withdrawWaiting, .notice(.stopping(.requested, finishing: 0, handedBack: 0, unacknowledged: 0)), .finish(.stopped)])
    }

    @Test func jobsHeldFromBeforeAHelloAgainAreKeptListedAndCreditedAlongsideNewOnes() {
        var h = H(limits: WorkerLimits(capacity: 2))
        h.welcome()
        h.jobs(["old:0", "old:1"])
        h.finish(["old:0", "old:1"])
        #expect(h.machine.creditInUse == 2)
        // The restarted dispatcher WELCOMEs the worker's new HELLO: a new session with the full capacity.
        h.welcome()
        #expect(h.machine.creditInUse == 0)
        #expect(h.jobs(["new:0", "new:1"]).analysed == ["new:0", "new:1"])
        h.finish(["new:0", "new:1"])
        #expect(h.machine.creditInUse == 2)
        // All four are held, so all four leases are renewed with the new dispatcher.
        #expect(Set(h.machine.heldJobIDs) == ["old:0", "old:1", "new:0", "new:1"])
        #expect(Set(h.ack(["old:0", "old:1", "new:0", "new:1"]).doneIDs) == ["old:0", "old:1", "new:0", "new:1"])
    }

    @Test func doneAndResultsAreSplitUnderTheProtocolLimits() {
        let count = ProtocolLimits.maxIDsPerMessage + 10
        var h = H(limits: WorkerLimits(capacity: count))
        h.welcome()
        let ids = (0..<count).map { "x:\($0)" }
        h.jobs(ids)
        let sent = h.finish(ids, size: 100)
        #expect(sent.resultMessages.allSatisfy { $0.count <= ProtocolLimits.maxJobsPerMessage })
        #expect(sent.resultIDs == ids)
        let acked = h.ack(ids)
        #expect(acked.dones.map(\.jobIDs.count) == [ProtocolLimits.maxIDsPerMessage, 10])
        #expect(acked.doneIDs == ids)

        // Large results: as many per message as the frame allows.
        var big = H()
        big.welcome()
        big.jobs(["y:0", "y:1", "y:2"])
        let large = big.finish(["y:0", "y:1", "y:2"], size: MessageBatching.maxItemBytesPerMessage / 2)
        #expect(large.resultMessages == [["y:0", "y:1"], ["y:2"]])
    }
}
