import Foundation
import Testing
@testable import MirsadServices

@Suite(.timeLimit(.minutes(5)))
struct WorkQueueTests {
    @Test func takesInTheOrderPut() {
        let queue = WorkQueue<Int>()
        queue.put([1, 2, 3])
        queue.put([4])
        #expect(queue.count == 4)
        #expect([queue.take(), queue.take(), queue.take(), queue.take()] == [1, 2, 3, 4])
        #expect(queue.count == 0)
    }

    @Test func orderSurvivesDroppingTheConsumedPrefix() {
        let queue = WorkQueue<Int>()
        queue.put(0..<2000)
        let first = (0..<1100).map { _ in queue.take() }
        #expect(first == (0..<1100).map { Optional($0) })
        queue.put(2000..<2500)
        #expect(queue.count == 1400)
        #expect(queue.take() == 1100)
        #expect(queue.takeAll() == Array(1101..<2500))
    }

    @Test func lanesTakeTurnsAndKeepTheirOwnOrder() {
        let queue = WorkQueue<String>(lane: { String($0.prefix(1)) })
        queue.put(["a1", "a2", "a3", "a4", "a5"])
        #expect(queue.take() == "a1")
        // Lanes that arrive behind a long one take their turns before it comes round again.
        queue.put(["b1", "b2"])
        queue.put(["c1"])
        let taken = (0..<7).map { _ in queue.take()! }
        #expect(taken == ["b1", "c1", "a2", "b2", "a3", "a4", "a5"])
        #expect(queue.count == 0)
    }

    @Test func anEmptiedLaneRejoinsAtTheEnd() {
        let queue = WorkQueue<String>(lane: { String($0.prefix(1)) })
        queue.put(["a1", "b1", "b2", "b3"])
        #expect(queue.take() == "a1")
        #expect(queue.take() == "b1")
        // Lane a left when it was emptied; it comes back after b, then c after it.
        queue.put(["a2", "c1"])
        #expect([queue.take(), queue.take(), queue.take(), queue.take()] == ["a2", "c1", "b2", "b3"])
        #expect(queue.takeAll().isEmpty)
    }

    @Test func takeAllReturnsEveryLane() {
        let queue = WorkQueue<String>(lane: { String($0.prefix(1)) })
        queue.put(["a1", "b1", "a2"])
        #expect(Set(queue.takeAll()) == ["a1", "b1", "a2"])
        #expect(queue.count == 0)
        queue.put(["c1"])
        #expect(queue.take() == "c1")
    }

    @Test func takeAllReturnsWhatIsQueuedAndEmptiesTheQueue() {
        let queue = WorkQueue<String>()
        #expect(queue.takeAll().isEmpty)
        queue.put(["a", "b", "c"])
        #expect(queue.take() == "a")
        #expect(queue.takeAll() == ["b", "c"])
        #expect(queue.count == 0)
        queue.put(["d"])
        #expect(queue.take() == "d")
    }

    @Test func blockedTakeIsWokenByPut() {
        let queue = WorkQueue<Int>()
        let taken = Locked<Int?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let item = queue.take()
            taken.withLock { $0 = item }
            done.signal()
        }
        #expect(done.wait(timeout: .now() + .milliseconds(100)) == .timedOut, "take returned from an empty queue")
        queue.put([42])
        #expect(done.wait(timeout: .now() + .seconds(5)) == .success)
        #expect(taken.current == 42)
    }

    @Test func closeWakesBlockedTakesWithNil() {
        let queue = WorkQueue<Int>()
        let results = Locked<[Int?]>([])
        let done = DispatchGroup()
        for _ in 0..<3 {
            done.enter()
            Thread.detachNewThread {
                let item = queue.take()
                results.withLock { $0.append(item) }
                done.leave()
            }
        }
        #expect(done.wait(timeout: .now() + .milliseconds(100)) == .timedOut)
        queue.close()
        #expect(done.wait(timeout: .now() + .seconds(5)) == .success)
        #expect(results.current == [nil, nil, nil])
    }

    @Test func itemsQueuedBeforeCloseAreStillHandedOut() {
        let queue = WorkQueue<Int>()
        queue.put([7, 8])
        queue.close()
        #expect(queue.take() == 7)
        #expect(queue.take() == 8)
        #expect(queue.take() == nil)
    }

    @Test func manyProducersAndConsumersDeliverEveryItemExactlyOnce() {
        let queue = WorkQueue<Int>()
        let producers = 4, consumers = 4, perProducer = 5000
        let taken = Locked<[Int]>([])
        let consumed = DispatchGroup()
        for _ in 0..<consumers {
            consumed.enter()
            Thread.detachNewThread {
                var mine: [Int] = []
                while let item = queue.take() { mine.append(item) }
                taken.withLock { $0 += mine }
                consumed.leave()
            }
        }
        let produced = DispatchGroup()
        for p in 0..<producers {
            produced.enter()
            Thread.detachNewThread {
                // Uneven batches, so puts interleave with takes at many queue lengths.
                var next = p * perProducer
                let end = next + perProducer
                while next < end {
                    let size = min(1 + next % 7, end - next)
                    queue.put(next..<(next + size))
                    next += size
                }
                produced.leave()
            }
        }
        #expect(produced.wait(timeout: .now() + .seconds(20)) == .success)
        queue.close()
        #expect(consumed.wait(timeout: .now() + .seconds(20)) == .success)
        #expect(taken.current.count == producers * perProducer)
        #expect(taken.current.sorted() == Array(0..<(producers * perProducer)))
    }
}
