import Testing
@testable import MirsadServices

struct RoundRobinLanesTests {
    @Test func aLaneWithItemsWaitingGetsATurnEveryRound() {
        var lanes = RoundRobinLanes<String>()
        for index in 0..<1000 { lanes.append("big-\(index)", lane: "big") }
        #expect(lanes.popNext(upTo: 3) == ["big-0", "big-1", "big-2"])
        for index in 0..<3 { lanes.append("small-\(index)", lane: "small") }
        // Whatever the large lane holds, the small one is served every other take.
        #expect(lanes.popNext(upTo: 6) == ["small-0", "big-3", "small-1", "big-4", "small-2", "big-5"])
        #expect(lanes.count == 994)
        #expect(lanes.removeAll().first == "big-6")
        #expect(lanes.isEmpty && lanes.popNext() == nil)
    }
}
