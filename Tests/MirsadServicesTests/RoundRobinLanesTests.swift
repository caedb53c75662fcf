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

    @Test func fewestFirstGivesEveryLaneATakeThenServesTheSmallBacklogs() {
        var lanes = RoundRobinLanes<String>()
        for index in 0..<100 { lanes.append("big-\(index)", lane: "big") }
        for index in 0..<5 { lanes.append("small-\(index)", lane: "small") }
        for index in 0..<2 { lanes.append("tiny-\(index)", lane: "tiny") }
        let taken = lanes.popFewestFirst(upTo: 10)
        // One each in turn, then tiny's and small's rest before big's.
        #expect(taken == ["big-0", "small-0", "tiny-0", "tiny-1", "small-1", "small-2", "small-3", "small-4", "big-1", "big-2"])
        #expect(lanes.count == 97)
        // With the limit below the number of lanes, the turn decides who goes.
        for index in 0..<3 { lanes.append("other-\(index)", lane: "other") }
        #expect(lanes.popFewestFirst(upTo: 1) == ["big-3"])
        #expect(lanes.popFewestFirst(upTo: 1) == ["other-0"])
        #expect(lanes.popFewestFirst(upTo: 200).count == 98)
        #expect(lanes.isEmpty)
    }
}
