import Foundation

/// A queue shared by threads that hands items out round robin between lanes, first in first out within a lane (with
/// the default single lane, first in first out): `put` never blocks, `take` blocks until an item comes or the queue
/// is closed and empty.
///
/// Lanes are the worker's half of fair dispatch: its inputs' lanes are batches. The dispatcher interleaves batches
/// when it sends jobs, but a worker holds up to its capacity of jobs; in one first-in first-out queue, a small batch's
/// first job would wait behind every job of a large batch the worker already held. Rotating lets it start next.
///
/// `@unchecked Sendable` is sound because every access to `items` and `closed` happens while `condition` is locked.
final class WorkQueue<Item: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private let lane: @Sendable (Item) -> String
    private var items = RoundRobinLanes<Item>()
    private var closed = false

    init(lane: @escaping @Sendable (Item) -> String = { _ in "" }) {
        self.lane = lane
    }

    func put(_ newItems: some Sequence<Item>) {
        condition.lock()
        for item in newItems { items.append(item, lane: lane(item)) }
        condition.broadcast()
        condition.unlock()
    }

    /// The next item, or nil once the queue is closed and empty.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed {
            condition.wait()
        }
        return items.popNext()
    }

    /// Takes everything queued now, without waiting, lane by lane.
    func takeAll() -> [Item] {
        condition.lock()
        defer { condition.unlock() }
        return items.removeAll()
    }

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count
    }

    /// Wakes every waiting `take`; items already queued are still handed out.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
