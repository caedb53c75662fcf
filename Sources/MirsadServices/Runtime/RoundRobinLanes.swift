import DequeModule
import OrderedCollections

/// Items in lanes, taken round robin between the lanes and first in first out within one: the rule both halves of
/// fair service use downstream of the dispatcher (a worker's analysis queue and the collector's commits), with
/// batches as the lanes.
///
/// Invariants: a lane in `lanes` is never empty (it leaves when its last item is taken and joins at the end when an
/// item comes again), and `count` is the number of items in all lanes. Over any stretch of takes, a lane with items
/// waiting all along gets a take in every round of the lanes, whatever the sizes of the others.
struct RoundRobinLanes<Item> {
    private var lanes: OrderedDictionary<String, Deque<Item>> = [:]
    /// The index in `lanes` whose turn is next.
    private var next = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ item: Item, lane: String) {
        lanes[lane, default: []].append(item)
        count += 1
    }

    /// The next item in turn, nil when there is none.
    mutating func popNext() -> Item? {
        guard count > 0 else { return nil }
        if next >= lanes.count { next = 0 }
        let item = lanes.values[next].removeFirst()
        count -= 1
        if lanes.values[next].isEmpty {
            // The following lane slides into this index, so it is next.
            lanes.remove(at: next)
        } else {
            next += 1
        }
        return item
    }

    /// Up to `limit` items, in turn.
    mutating func popNext(upTo limit: Int) -> [Item] {
        var taken: [Item] = []
        taken.reserveCapacity(min(limit, count))
        while taken.count < limit, let item = popNext() { taken.append(item) }
        return taken
    }

    /// Up to `limit` items: first one from each lane in turn, then the rest from the lanes holding fewest first.
    /// Every lane with items gets at least one take (while the limit allows), so none waits for ever; beyond that a
    /// small backlog goes before a large one, so a batch with a few results waiting behind a large batch's many is
    /// done in one take instead of alternating with it.
    mutating func popFewestFirst(upTo limit: Int) -> [Item] {
        var taken = popNext(upTo: min(limit, lanes.count))
        guard taken.count < limit, !isEmpty else { return taken }
        for lane in lanes.keys.sorted(by: { lanes[$0]!.count < lanes[$1]!.count }) {
            guard taken.count < limit else { break }
            let share = min(limit - taken.count, lanes[lane]!.count)
            taken += lanes[lane]!.prefix(share)
            lanes[lane]!.removeFirst(share)
            count -= share
        }
        // Emptied lanes leave; the turn goes on from the start.
        lanes.removeAll { $0.value.isEmpty }
        next = 0
        return taken
    }

    /// Every item, lane by lane; the lanes are left empty.
    mutating func removeAll() -> [Item] {
        let all = lanes.values.flatMap { $0 }
        lanes.removeAll()
        next = 0
        count = 0
        return all
    }
}
