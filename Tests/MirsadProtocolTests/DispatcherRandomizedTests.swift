import Testing
@testable import MirsadCore

/// Random sequences of events from several workers (some of which crash and are replaced), a collector, a producer
/// and an operator retrying dead letters. The invariants must hold after every event, dispatcher restarts included,
/// and once the workers behave every job must end stored or dead.
@Suite struct DispatcherRandomizedTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func invariantsHoldUnderRandomEvents(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var h = DispatcherHarness(.init(
            jobLease: .milliseconds(4_000), maxQueuedJobs: 400, maxAttempts: 3, retryBackoff: .milliseconds(200),
            retryBackoffMax: .milliseconds(2_000), maxProducerCredit: 64, randomSeed: seed))
        let workers = ["w0", "w1", "w2", "w3"]
        var generation = [String: Int]()  // each worker's process generation: its HELLO id is "<name>-<generation>"
        func workerID(_ name: String) -> String { "\(name)-\(generation[name, default: 0])" }
        var everSubmitted = Set<String>()
        var deadLettered = 0
        try h.hello("c", capacity: 0, role: .collector)
        for step in 0..<2_000 {
            let worker = workers.randomElement(using: &random)!
            let held = Array(h.machine.jobsHeld(by: .peer(worker))).sorted()
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<5:
                try h.hello(worker, capacity: UInt32.random(in: 1...8, using: &random), id: workerID(worker))
            case 5..<8:
                // The worker's process crashes running some of its jobs; its next process says so.
                let crashed = held.filter { _ in Bool.random(using: &random) }
                let previous = workerID(worker)
                generation[worker, default: 0] += 1
                try h.hello(worker, capacity: UInt32.random(in: 1...8, using: &random), id: workerID(worker), replaces: previous,
                            crashed: crashed.map { id in .with { $0.jobID = id; $0.error = "SIGILL" } })
            case 8..<20:
                let batch = "b\(Int.random(in: 0..<4, using: &random))"
                let start = Int.random(in: 0..<60, using: &random)
                let range = start..<(start + Int.random(in: 0..<20, using: &random))
                let ack = try h.submit(batch: batch, range).submitAck()
                if ack != nil { everSubmitted.formUnion(range.map { "\(batch):\($0)" }) }
                #expect(ack.map { Int($0.credit) == h.machine.producerCredit } ?? true)
            case 20..<50:
                let some = held.filter { _ in Bool.random(using: &random) }
                let failed = some.filter { _ in Int.random(in: 0..<6, using: &random) == 0 }
                let permanent = Int.random(in: 0..<4, using: &random) == 0
                let actions = try h.done(worker, some.filter { !failed.contains($0) } + ["b9:\(step)"], failed: failed, permanent: permanent)
                deadLettered += actions.deadLettered.count
            case 50..<62:
                let ids = held.filter { _ in Bool.random(using: &random) } + ["b0:\(Int.random(in: 0..<80, using: &random))"]
                try h.stored(ids, collector: "c")
            case 62..<80:
                try h.heartbeat(worker, jobs: held.filter { _ in Int.random(in: 0..<8, using: &random) > 0 })
                try h.heartbeat("c")
            case 80..<83:
                try h.deliver(.bye(.init()), from: .peer(worker))
            case 83..<85:
                try h.deliver(.retryDeadLetters(.with { $0.all = Bool.random(using: &random) }), from: DispatcherHarness.producer)
            case 85..<86:
                h.restart()  // the collector learns it from an UNKNOWN_PEER and says HELLO again; workers do later
                try h.hello("c", capacity: 0, role: .collector)
            default:
                h.advance(ms: UInt64.random(in: 0..<1_500, using: &random))
                try h.heartbeat("c")
            }
            let problems = h.violations()
            #expect(problems.isEmpty, "step \(step): \(problems)")
            if !problems.isEmpty { return }
        }

        // Drain: one worker finishes everything it is given, the collector stores it, time lets retries come due.
        try h.hello("finisher", capacity: 64)
        for _ in 0..<2_000 where h.machine.counts.stored + h.machine.counts.failed < h.machine.counts.total {
            h.advance(ms: 250)
            try h.heartbeat("c")
            let held = Array(h.machine.jobsHeld(by: .peer("finisher")))
            try h.heartbeat("finisher", jobs: held)
            try h.done("finisher", held)
            try h.stored(Array(h.journal.jobIDs(in: .awaitingStore)), collector: "c")
        }
        #expect(h.machine.counts.stored + h.machine.counts.failed == h.machine.counts.total)
        #expect(h.machine.counts.total > 0 && h.machine.counts.total == everSubmitted.count)
        #expect(deadLettered > 0, "the random failures dead-lettered some jobs on the way")
        #expect(h.violations().isEmpty)
    }
}
