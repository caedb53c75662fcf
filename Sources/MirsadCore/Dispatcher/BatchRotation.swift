/// Which batches' queued jobs go to workers next: the dispatcher's fairness rule.
///
/// Batches of a higher priority are served first; the free credit left over goes to the next priority down. Within a
/// priority the credit is shared round robin: each batch with queued jobs gets one job per round, in ring order,
/// until the credit or its queued jobs run out. A batch that runs out leaves the ring; a batch that gets queued jobs
/// again joins at its end. After a dispatch that ended in the middle of a round, the ring turns so that the batch
/// after the last one served in that round comes first next time: over many dispatches every batch of a priority
/// gets the same share, whatever its size or the order of submission.
///
/// Invariant (checked by the state machine's `invariantViolations()`): the ring of each priority holds exactly the
/// batches of that priority with queued jobs, each once.
struct BatchRotation: Sendable {
    /// Priority -> batches with queued jobs, the next to serve first.
    private var rings: [Int: [String]] = [:]
    /// The priority of each batch in a ring.
    private var priorityOf: [String: Int] = [:]

    /// Every batch in a ring, by priority.
    var members: [String: Int] { priorityOf }

    /// `batchID` has queued jobs (again): it joins the end of its priority's ring, unless it is in one.
    mutating func add(_ batchID: String, priority: Int) {
        guard priorityOf[batchID] == nil else { return }
        priorityOf[batchID] = priority
        rings[priority, default: []].append(batchID)
    }

    /// `batchID` has no queued job left.
    mutating func remove(_ batchID: String) {
        guard let priority = priorityOf.removeValue(forKey: batchID) else { return }
        rings[priority]?.removeAll { $0 == batchID }
        if rings[priority]?.isEmpty == true { rings[priority] = nil }
    }

    /// A batch in a ring moves to the end of another priority's ring.
    mutating func changePriority(of batchID: String, to priority: Int) {
        guard let old = priorityOf[batchID], old != priority else { return }
        remove(batchID)
        add(batchID, priority: priority)
    }

    /// How many queued jobs to take from which batch with `credit` free, one list per priority served (highest
    /// first), each in ring order, and the ring turned for the next dispatch. `counts` has each batch's count of queued jobs. Linear in the batches
    /// with queued jobs (times their logarithm), not in the credit.
    mutating func plan(credit: Int, counts: [String: JobCounts]) -> [[(batchID: String, count: Int)]] {
        var plan: [[(batchID: String, count: Int)]] = []
        var left = credit
        for priority in rings.keys.sorted(by: >) where left > 0 {
            guard let ring = rings[priority] else { continue }
            let wanted = ring.map { max(counts[$0]?.queued ?? 0, 0) }
            let (shares, lastExtra) = Self.share(left, among: wanted)
            var level: [(batchID: String, count: Int)] = []
            for (batchID, share) in zip(ring, shares) where share > 0 {
                level.append((batchID, share))
                left -= share
            }
            plan.append(level)
            if let lastExtra {
                // The round ended after `lastExtra`: the next one starts after it.
                let next = ring.index(after: lastExtra)
                rings[priority] = Array(ring[next...] + ring[..<next])
            }
        }
        return plan
    }

    /// `credit` shared among batches wanting `wanted[i]` jobs, round robin from the first: every batch gets up to
    /// a level `L` (as many as it wants when fewer), and what is left below one more round goes one each to the
    /// first batches in order that want more than `L`. `lastExtra` is the index of the last of these (nil when
    /// rounds came out even).
    static func share(_ credit: Int, among wanted: [Int]) -> (shares: [Int], lastExtra: Int?) {
        let total = wanted.reduce(0, +)
        guard credit < total else { return (wanted, nil) }
        // The highest level L with sum(min(w, L)) <= credit, found over the wants in ascending order.
        let ascending = wanted.sorted()
        var used = 0
        var level = 0
        var remaining = wanted.count
        for want in ascending {
            let step = want - level
            if used + step * remaining <= credit {
                used += step * remaining
                level = want
                remaining -= 1
            } else {
                let rounds = (credit - used) / remaining
                used += rounds * remaining
                level += rounds
                break
            }
        }
        var shares = wanted.map { min($0, level) }
        var extra = credit - used
        var lastExtra: Int?
        for index in wanted.indices where extra > 0 && wanted[index] > level {
            shares[index] += 1
            extra -= 1
            lastExtra = index
        }
        return (shares, lastExtra)
    }
}
