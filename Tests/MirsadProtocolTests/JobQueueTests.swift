import Testing
@testable import MirsadProtocol

@Suite struct JobQueueTests {
    @Test func firstInFirstOutAcrossGrowthAndWrapAround() {
        var queue = InMemoryJobQueue()
        var expected: [String] = []
        var got: [String] = []
        for round in 0..<5 {
            for i in 0..<(round * 13 + 7) {
                queue.enqueue("\(round)-\(i)")
                expected.append("\(round)-\(i)")
            }
            for _ in 0..<(round * 5) { got.append(queue.dequeue()!) }
        }
        while let id = queue.dequeue() { got.append(id) }
        #expect(got == expected)
        #expect(queue.count == 0 && queue.dequeue() == nil)
    }

    @Test func frontInsertionsComeOutFirst() {
        var queue = InMemoryJobQueue()
        for i in 0..<20 { queue.enqueue("n\(i)") }
        for i in 0..<20 { queue.enqueueFront("f\(i)") }
        #expect(queue.count == 40)
        #expect(queue.dequeue() == "f19")
        var rest: [String] = []
        while let id = queue.dequeue() { rest.append(id) }
        #expect(rest == (0..<19).reversed().map { "f\($0)" } + (0..<20).map { "n\($0)" })
    }
}

@Suite struct RateWindowTests {
    static let second: UInt64 = 1_000_000_000

    @Test func ratesCoverTheRequestedWindowOnly() {
        var window = RateWindow()
        window.record(30, atNanos: 100 * Self.second)  // 20 s before "now"
        window.record(10, atNanos: 115 * Self.second)
        window.record(10, atNanos: 119 * Self.second + 5)
        let now = 120 * Self.second - 1
        #expect(window.rate(overSeconds: 10, atNanos: now) == 2)
        #expect(window.rate(overSeconds: 60, atNanos: now) == 50.0 / 60)
    }

    @Test func bucketsOlderThanAMinuteAreIgnored() {
        var window = RateWindow()
        window.record(100, atNanos: 10 * Self.second)
        #expect(window.rate(overSeconds: 60, atNanos: 69 * Self.second) > 0)
        #expect(window.rate(overSeconds: 60, atNanos: 70 * Self.second) == 0)
        window.record(1, atNanos: 70 * Self.second)  // same bucket, new second: the old count is dropped
        #expect(window.rate(overSeconds: 1, atNanos: 70 * Self.second) == 1)
    }
}
