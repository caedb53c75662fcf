import Foundation

/// A first-in first-out queue shared by threads: `put` never blocks, `take` blocks until an item comes or the
/// queue is closed and empty.
///
/// `@unchecked Sendable` is sound because every access to `items`, `head` and `closed` happens while `condition`
/// is locked.
final class WorkQueue<Item: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Items live in `items[head...]`; the consumed prefix is dropped when it outgrows the rest.
    private var items: [Item] = []
    private var head = 0
    private var closed = false

    func put(_ newItems: some Sequence<Item>) {
        condition.lock()
        items.append(contentsOf: newItems)
        condition.broadcast()
        condition.unlock()
    }

    /// The next item, or nil once the queue is closed and empty.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !closed {
            condition.wait()
        }
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return item
    }

    /// Takes everything queued now, without waiting.
    func takeAll() -> [Item] {
        condition.lock()
        defer { condition.unlock() }
        let all = Array(items[head...])
        items.removeAll(keepingCapacity: true)
        head = 0
        return all
    }

    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count - head
    }

    /// Wakes every waiting `take`; items already queued are still handed out.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
