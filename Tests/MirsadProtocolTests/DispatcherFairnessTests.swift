import Testing
@testable import MirsadCore
@testable import MirsadWire

/// Batches share the workers: round robin within a priority, higher priorities first (protocol section 8.7).
@Suite struct DispatcherFairnessTests {
    /// Runs one worker of `capacity` until the queue is empty, reporting every job it gets done at once; returns
    /// the job ids in the order they were dispatched.
    private func drain(_ h: inout DispatcherHarness, worker: String = "w1", capacity: UInt32) throws -> [String] {
        var order = try h.hello(worker, capacity: capacity).jobIDs(to: worker)
        var held = order
        while !held.isEmpty {
            let next = try h.done(worker, held).jobIDs(to: worker)
            order += next
            held = next
        }
        #expect(h.violations() == [])
        return order
    }

    private func submit(_ h: inout DispatcherHarness, batch: String, _ indices: Range<Int>, priority: Int32 = 0) throws {
        var submit = SampleValues.submit(batch: batch, indices: indices)
        submit.priority = priority
        let ack = try h.deliver(.submit(submit), from: DispatcherHarness.producer).submitAck()
        #expect(ack?.accepted == UInt32(indices.count))
    }

    @Test func aSmallBatchBehindALargeOneIsServedRoundRobin() throws {
        var h = DispatcherHarness()
        try submit(&h, batch: "big", 0..<200)
        try submit(&h, batch: "small", 0..<20)
        let order = try drain(&h, capacity: 8)
        #expect(order.count == 220)
        // One job of each batch in turn while both have some: the small batch is done within its first 40.
        let lastSmall = try #require(order.lastIndex { $0.hasPrefix("small:") })
        #expect(lastSmall < 40, "the small batch's last job went out as job \(lastSmall + 1) of 220")
        // Each batch keeps its own order.
        #expect(order.filter { $0.hasPrefix("big:") } == (0..<200).map { "big:\($0)" })
        #expect(order.filter { $0.hasPrefix("small:") } == (0..<20).map { "small:\($0)" })
    }

    @Test func aBatchThatArrivesBehindAnotherGetsTheReturningCreditUntilBothHoldAlike() throws {
        var h = DispatcherHarness()
        try submit(&h, batch: "big", 0..<100)
        let first = try h.hello("w1", capacity: 8).jobIDs(to: "w1")
        #expect(first == (0..<8).map { "big:\($0)" })
        try submit(&h, batch: "small", 0..<10)
        // big holds 8: the 3 credits that come back all go to small (big then holds 5, small 3) ...
        #expect(try h.done("w1", ["big:0", "big:1", "big:2"]).jobIDs(to: "w1") == ["small:0", "small:1", "small:2"])
        // ... then, with big holding 2 and small 3, the next 3 make them even: 2 to big, 1 to small, 4 and 4.
        let third = try h.done("w1", ["big:3", "big:4", "big:5"]).jobIDs(to: "w1")
        #expect(third.sorted() == ["big:8", "big:9", "small:3"])
        let held = h.machine.jobsHeld(by: .peer("w1"))
        #expect(held.filter { $0.hasPrefix("big:") }.count == held.filter { $0.hasPrefix("small:") }.count)
        #expect(h.violations() == [])
    }

    @Test func shareEvensOutWhatBatchesHold() {
        #expect(BatchRotation.share(3, among: [92, 10], holding: [8, 0]).shares == [0, 3])
        #expect(BatchRotation.share(10, among: [92, 10], holding: [5, 3]).shares == [4, 6])
        // Above the level, a batch gets nothing, not even an extra.
        let extras = BatchRotation.share(3, among: [9, 9, 9], holding: [5, 0, 0])
        #expect(extras.shares == [0, 2, 1] && extras.lastExtra == 1)
        #expect(BatchRotation.share(5, among: [2, 9], holding: [0, 0]).shares == [2, 3])
    }

    @Test func creditIsSharedEvenlyInEveryDispatchAndTheRingTurns() throws {
        var h = DispatcherHarness()
        for batch in ["a", "b", "c"] { try submit(&h, batch: batch, 0..<10) }
        // 4 credits among 3 batches: a, b, c, then a; the next dispatch starts at b.
        let first = try h.hello("w1", capacity: 4).jobIDs(to: "w1")
        #expect(first == ["a:0", "b:0", "c:0", "a:1"])
        let second = try h.done("w1", first).jobIDs(to: "w1")
        #expect(second == ["b:1", "c:1", "a:2", "b:2"])
        #expect(h.violations() == [])
    }

    @Test func aBatchThatRunsOutLeavesTheRingAndOneThatGetsJobsAgainRejoinsIt() throws {
        var h = DispatcherHarness()
        try submit(&h, batch: "a", 0..<1)
        try submit(&h, batch: "b", 0..<6)
        let first = try h.hello("w1", capacity: 4).jobIDs(to: "w1")
        #expect(first == ["a:0", "b:0", "b:1", "b:2"])
        // a's job fails and a leaves the ring; its credit goes to b.
        #expect(try h.done("w1", [], failed: ["a:0"]).jobIDs(to: "w1") == ["b:3"])
        // Back after its backoff (at most the base, 1 s), a rejoins the ring behind b and gets its turn.
        #expect(h.advance(ms: 1_000).jobIDs(to: "w1") == [])
        #expect(try h.done("w1", ["b:0", "b:1"]).jobIDs(to: "w1") == ["b:4", "a:0"])
        #expect(h.violations() == [])
    }

    @Test func higherPriorityBatchesGoFirstAndTheRestShareWhatIsLeft() throws {
        var h = DispatcherHarness()
        try submit(&h, batch: "low", 0..<30)
        try submit(&h, batch: "high", 0..<10, priority: 5)
        try submit(&h, batch: "urgent", 0..<3, priority: 9)
        let order = try drain(&h, capacity: 4)
        #expect(Array(order.prefix(3)) == ["urgent:0", "urgent:1", "urgent:2"])
        #expect(Array(order[3..<13]) == (0..<10).map { "high:\($0)" })
        #expect(order.count == 43)
        #expect(h.machine.priority(ofBatch: "high") == 5)
    }

    @Test func aBatchsPriorityIsKeptAcrossADispatcherRestart() throws {
        var h = DispatcherHarness()
        try submit(&h, batch: "low", 0..<5)
        try submit(&h, batch: "high", 0..<5, priority: 2)
        h.restart()
        #expect(h.machine.priority(ofBatch: "high") == 2)
        let order = try drain(&h, capacity: 2)
        #expect(Array(order.prefix(5)) == (0..<5).map { "high:\($0)" })
    }

    @Test func theLastSubmitThatQueuesJobsSetsTheBatchsPriority() throws {
        var h = DispatcherHarness()
        try submit(&h, batch: "a", 0..<5)
        try submit(&h, batch: "b", 0..<5)
        try submit(&h, batch: "b", 5..<6, priority: 3)
        #expect(h.machine.priority(ofBatch: "b") == 3)
        let order = try drain(&h, capacity: 1)
        #expect(Array(order.prefix(6)) == (0..<6).map { "b:\($0)" })
    }

    @Test func shareGivesEveryBatchTheSameUpToWhatItWants() {
        #expect(BatchRotation.share(100, among: [5_000, 50]).shares == [50, 50])
        #expect(BatchRotation.share(100, among: [5_000, 10]).shares == [90, 10])
        let uneven = BatchRotation.share(7, among: [5, 5, 5])
        #expect(uneven.shares == [3, 2, 2] && uneven.lastExtra == 0)
        #expect(BatchRotation.share(50, among: [3, 4]).shares == [3, 4])
        #expect(BatchRotation.share(0, among: [3, 4]).shares == [0, 0])
    }
}
