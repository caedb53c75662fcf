import Testing
@testable import MirsadCore

/// Random sequences of events for one worker: JOBS within the credit from a dispatcher that restarts now and then
/// (JOBS repeating held ids among them), analyses that start, finish, fail or hang, acknowledgements that come late,
/// partly or never, refusals, the collector's connection breaking and coming back, time passing, and a shutdown.
/// After every event: the credit of the current session stays within the capacity, nothing is held twice, no result
/// is resent sooner than its resend period after its last send but when the collector's connection came back, and no
/// job is reported done before its acknowledgement. At the end every job the worker took ended in exactly one way: acknowledged and
/// DONE, failed in DONE, or handed back.
@Suite struct WorkerRandomizedTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func invariantsHoldUnderRandomEvents(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let capacity = Int.random(in: 1...12, using: &random)
        let limits = WorkerLimits(
            capacity: capacity, resendAfter: .milliseconds(500), shutdownGrace: .seconds(3), jobTimeout: .seconds(10))
        var h = WorkerHarness(limits: limits, collector: Bool.random(using: &random) ? "tcp://c:1" : nil)
        /// The dispatcher's view: the jobs it gave in its current session and has not seen in DONE.
        var dispatcherHolds = Set<String>()
        var nextJob = 0
        var hung = Set<String>()
        var acknowledgedByCollector = Set<String>()
        var lastSent: [String: MonotonicInstant] = [:]
        var seenActions = 0
        var seenIdleProblems = 0
        var problems: [String] = []
        /// Set for the step in which the collector's connection came back: resends are due then, whatever their time.
        var reconnecting = false

        func check(_ step: Int, _ h: WorkerHarness) {
            let new = h.actions[seenActions...]
            seenActions = h.actions.count
            for action in new {
                switch action {
                case .sendResults(let results, _):
                    for result in results {
                        if !reconnecting, let last = lastSent[result.jobID], last.duration(to: h.now) < limits.resendAfter {
                            problems.append("step \(step): \(result.jobID) resent \(last.duration(to: h.now)) after the last send")
                        }
                        if h.collectorEndpoint == nil { problems.append("step \(step): \(result.jobID) sent with no collector") }
                        lastSent[result.jobID] = h.now
                    }
                case .sendDone(let ids, let failures, _):
                    for id in ids where !acknowledgedByCollector.contains(id) {
                        problems.append("step \(step): \(id) reported done before the collector acknowledged it")
                    }
                    dispatcherHolds.subtract(ids)
                    dispatcherHolds.subtract(failures.map(\.jobID))
                default: break
                }
            }
            problems += h.idleFlagProblems[seenIdleProblems...].map { "step \(step): \($0)" }
            seenIdleProblems = h.idleFlagProblems.count
            if h.machine.creditInUse > capacity {
                problems.append("step \(step): credit in use \(h.machine.creditInUse) > capacity \(capacity)")
            }
            let held = h.machine.heldJobIDs
            if Set(held).count != held.count { problems.append("step \(step): a job is held twice: \(held)") }
            if h.machine.runningCount + h.machine.unacknowledgedCount != held.count {
                problems.append("step \(step): running and unacknowledged overlap")
            }
        }

        let collectorFallsSilent = seed % 3 == 0
        h.welcome(collector: "tcp://c:1")
        check(-1, h)
        for step in 0..<1_500 where h.outcome == nil {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<20:
                // JOBS within the free credit the dispatcher sees, sometimes with ids the worker holds already.
                let free = capacity - dispatcherHolds.count
                var ids = (0..<Int.random(in: 0...max(free, 0), using: &random)).map { _ in
                    defer { nextJob += 1 }
                    return "j:\(nextJob)"
                }
                if let again = h.machine.heldJobIDs.filter({ dispatcherHolds.contains($0) }).randomElement(using: &random),
                   Bool.random(using: &random) {
                    ids.append(again)
                }
                guard !ids.isEmpty else { break }
                let taken = h.jobs(ids).analysed
                if !h.machine.isStopping {
                    dispatcherHolds.formUnion(ids)
                }
                if taken.contains(where: { !ids.contains($0) }) { problems.append("step \(step): analysed what was not given") }
            case 20..<35:
                if let id = h.waiting.randomElement(using: &random) { h.start(id) }
            case 35..<55:
                let candidates = h.running.map(\.jobID).filter { !hung.contains($0) }
                let some = candidates.filter { _ in Bool.random(using: &random) }
                let failed = Set(some.filter { _ in Int.random(in: 0..<5, using: &random) == 0 })
                h.finish(some, failed: failed, permanent: Bool.random(using: &random))
            case 55..<57:
                if Int.random(in: 0..<8, using: &random) == 0, let id = h.running.map(\.jobID).randomElement(using: &random) {
                    hung.insert(id)
                }
            case 57..<72:
                // The collector acknowledges some of what it received (maybe twice, maybe ids it never had); for
                // some seeds it falls silent towards the end.
                if collectorFallsSilent && step > 1_300 { break }
                // Sorted, so that a seed draws the same choices in every process (Set order is per process).
                let received = lastSent.keys.sorted()
                let some = received.filter { _ in Bool.random(using: &random) } + ["stray:\(step)"]
                if Int.random(in: 0..<6, using: &random) == 0, let refused = received.randomElement(using: &random) {
                    // The collector refuses one as unreadable: it is never acknowledged afterwards.
                    h.refuse([refused])
                    lastSent[refused] = nil
                    break
                }
                acknowledgedByCollector.formUnion(some)
                h.ack(some.sorted())
            case 72..<75:
                // The dispatcher restarts: it holds nothing for this worker, which says HELLO and is WELCOMEd.
                dispatcherHolds = []
                h.welcome(collector: "tcp://c:1")
            case 75..<76:
                if step > 1_200 { h.stop() }
            case 78..<81:
                // The collector's connection breaks, or comes back (a handshake with no break before it is ignored).
                if Bool.random(using: &random) {
                    h.collectorDisconnected()
                } else {
                    reconnecting = true
                    h.collectorConnected()
                }
            case 76..<78:
                // A hung analysis that returns after all.
                if Int.random(in: 0..<8, using: &random) == 0, let id = hung.sorted().randomElement(using: &random) {
                    hung.remove(id)
                    h.finish([id])
                }
            default:
                h.advance(by: .milliseconds(Int64.random(in: 0..<400, using: &random)))
            }
            check(step, h)
            reconnecting = false
            if !problems.isEmpty { break }
        }
        // Drain: stop, let the threads finish and the collector acknowledge (or, for some seeds, fall silent, so
        // that the grace period ends the run), until the run ends.
        h.stop()
        for step in 0..<400 where h.outcome == nil {
            h.finish(h.running.map(\.jobID).filter { !hung.contains($0) })
            if !collectorFallsSilent {
                let received = Array(lastSent.keys).sorted()
                acknowledgedByCollector.formUnion(received)
                h.ack(received)
            }
            h.advance(by: .milliseconds(100))
            check(1_500 + step, h)
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(h.outcome != nil, "the run did not end")

        // Every job the worker took ended in exactly one way.
        let taken = h.actions.analysed
        var fates: [String: [String]] = [:]
        for id in h.actions.doneIDs { fates[id, default: []].append("done") }
        for failure in h.actions.failures { fates[failure.jobID, default: []].append("failed") }
        for id in h.withdrawn { fates[id, default: []].append("withdrawn") }
        for id in h.machine.heldJobIDs { fates[id, default: []].append("held at BYE") }
        #expect(Set(taken).count == taken.count, "a job was taken twice")
        for id in taken where fates[id]?.count != 1 {
            Issue.record("seed \(seed): \(id) ended as \(fates[id] ?? [])")
        }
        #expect(Set(fates.keys).isSubset(of: Set(taken)))
        #expect(taken.count >= 20, "the random run took only \(taken.count) jobs")
        if case .stuck(let lost) = h.outcome {
            #expect(Set(lost).isSubset(of: Set(h.actions.failures.map(\.jobID))))
        }
    }
}
