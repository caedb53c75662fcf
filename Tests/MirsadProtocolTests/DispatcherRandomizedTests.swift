import Testing
@testable import MirsadProtocol

/// Random sequences of events from several workers, a collector and a producer; the invariants must hold after
/// every event, and once the workers finish everything every job must end stored or failed.
@Suite struct DispatcherRandomizedTests {
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func invariantsHoldUnderRandomEvents(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var h = DispatcherHarness(.init(jobLeaseNanos: 4_000 * DispatcherHarness.ms, maxQueuedJobs: 400))
        let workers = ["w0", "w1", "w2", "w3"]
        try h.hello("c", capacity: 0, role: .collector)
        for step in 0..<1_500 {
            let worker = workers.randomElement(using: &random)!
            let held = Array(h.machine.jobsHeld(by: .peer(worker))).sorted()
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<8:
                try h.hello(worker, capacity: UInt32.random(in: 1...8, using: &random))
            case 8..<20:
                let batch = "b\(Int.random(in: 0..<4, using: &random))"
                let start = Int.random(in: 0..<60, using: &random)
                try h.submit(batch: batch, start..<(start + Int.random(in: 1..<20, using: &random)))
            case 20..<55:
                let some = held.filter { _ in Bool.random(using: &random) }
                let failed = some.filter { _ in Int.random(in: 0..<10, using: &random) == 0 }
                try h.done(worker, some.filter { !failed.contains($0) } + ["b9:\(step)"], failed: failed)
            case 55..<70:
                try h.deliver(.stored(.with { $0.jobIds = held.filter { _ in Bool.random(using: &random) } }), from: .peer("c"))
            case 70..<85:
                try h.deliver(.heartbeat, from: .peer(worker))
                try h.deliver(.heartbeat, from: .peer("c"))
            case 85..<88:
                try h.deliver(.bye(.init()), from: .peer(worker))
            default:
                h.advance(ms: UInt64.random(in: 0..<2_500, using: &random))
                try h.deliver(.heartbeat, from: .peer("c"))
            }
            let problems = h.machine.invariantViolations()
            #expect(problems.isEmpty, "step \(step): \(problems)")
            if !problems.isEmpty { return }
        }

        // Drain: one worker finishes everything it is given, the collector stores it.
        try h.hello("finisher", capacity: 64)
        for _ in 0..<1_000 where h.machine.counts.queued + h.machine.counts.inFlight + h.machine.counts.awaitingStore > 0 {
            h.advance(ms: 500)
            try h.deliver(.heartbeat, from: .peer("c"))
            let held = Array(h.machine.jobsHeld(by: .peer("finisher")))
            try h.done("finisher", held)
            let waiting = (0..<4).flatMap { b in (0..<80).map { "b\(b):\($0)" } }.filter { h.machine.state(ofJob: $0) == .awaitingStore }
            try h.deliver(.stored(.with { $0.jobIds = waiting }), from: .peer("c"))
        }
        #expect(h.machine.counts.stored + h.machine.counts.failed == h.machine.counts.total)
        #expect(h.machine.counts.total > 0)
        #expect(h.machine.invariantViolations().isEmpty)
    }
}
