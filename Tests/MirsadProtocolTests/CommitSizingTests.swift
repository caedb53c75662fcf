import MirsadCore
import Testing

struct CommitSizingTests {
    @Test func startsAtTheMinimum() {
        let sizing = CommitSizing(target: .milliseconds(50), minimum: 32, maximum: 4096)
        #expect(sizing.next == 32)
    }

    @Test func cheapResultsFillTheMaximumAndDearOnesFewer() {
        var cheap = CommitSizing(target: .milliseconds(50), minimum: 32, maximum: 4096)
        cheap.committed(32, in: .microseconds(32 * 10))  // 10 µs a result: 5,000 would fit
        #expect(cheap.next == 4096)

        var dear = CommitSizing(target: .milliseconds(50), minimum: 32, maximum: 4096)
        dear.committed(32, in: .milliseconds(32))  // 1 ms a result
        #expect(dear.next == 50)
    }

    @Test func neverBelowTheMinimum() {
        var sizing = CommitSizing(target: .milliseconds(50), minimum: 32, maximum: 4096)
        sizing.committed(100, in: .seconds(10))
        #expect(sizing.next == 32)
    }

    @Test func oneSlowCommitMovesTheSizeOnlyPartly() {
        var sizing = CommitSizing(target: .milliseconds(50), minimum: 1, maximum: 4096)
        sizing.committed(50, in: .milliseconds(50))  // 1 ms a result: 50
        #expect(sizing.next == 50)
        sizing.committed(50, in: .milliseconds(500))  // one commit ten times slower
        #expect(sizing.next > 5 && sizing.next < 50)
        for _ in 0..<20 { sizing.committed(sizing.next, in: .milliseconds(Int64(sizing.next))) }
        #expect(sizing.next >= 45 && sizing.next <= 50, "back near 50 once commits cost 1 ms a result again")
    }

    @Test func anEmptyCommitChangesNothing() {
        var sizing = CommitSizing(target: .milliseconds(50), minimum: 32, maximum: 4096)
        sizing.committed(0, in: .seconds(1))
        #expect(sizing.next == 32)
    }
}
