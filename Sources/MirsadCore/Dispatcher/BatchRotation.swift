/// Which batches' queued jobs go to workers next: the dispatcher's fairness rule.
///
/// Batches of a higher priority are served first; the free credit left over goes to the next priority down. Within a
/// priority the credit evens out the jobs each batch has in flight (water-filling, `share`): the batches holding
/// fewest get it first, and batches holding alike get one job per round, in ring order, until the credit or their
/// queued jobs run out. So a batch that arrives while another holds every worker's credit gets each credit that
/// comes back until the two hold alike. A batch that runs out leaves the ring; a batch that gets queued jobs again
/// joins at its end. After a dispatch that ended in the middle of a round, the ring turns so that the batch after
/// the last one served in that round comes first next time: over many dispatches every batch of a priority gets the
/// same share, whatever its size or the order of submission.
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
    /// first), each in ring order, and the ring turned for the next dispatch. `counts` has each batch's queued and
    /// in-flight jobs: within a priority the credit goes to even out the jobs in flight (`share`). Linear in the
    /// batches with queued jobs (times the logarithm of the jobs they hold), not in the credit.
    mutating func plan(credit: Int, counts: [String: JobCounts]) -> [[(batchID: String, count: Int)]] {
        var plan: [[(batchID: String, count: Int)]] = []
        var left = credit
        for priority in rings.keys.sorted(by: >) where left > 0 {
            guard let ring = rings[priority] else { continue }
            let wanted = ring.map { max(counts[$0]?.queued ?? 0, 0) }
            let held = ring.map { max(counts[$0]?.inFlight ?? 0, 0) }
            let (shares, lastExtra) = Self.share(left, among: wanted, holding: held)
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

    /// `credit` shared among batches wanting `wanted[i]` more jobs while holding `held[i]` (in flight; none when
    /// nil), by water-filling: every batch is brought up to a common level `L` of jobs held (a batch already above
    /// it gets none; one that wants fewer gets what it wants), and what is left below one more step goes one each, in
    /// order, to the batches at `L` that want more. `lastExtra` is the index of the last of these (nil when the steps
    /// came out even).
    ///
    /// Counting what batches already hold is what lets a batch that arrives behind another catch up: while the
    /// first holds every worker's credit, each credit that comes back goes to the newcomer until both hold alike.
    /// With nothing held it is plain round robin.
    static func share(_ credit: Int, among wanted: [Int], holding held: [Int]? = nil) -> (shares: [Int], lastExtra: Int?) {
        let held = held ?? Array(repeating: 0, count: wanted.count)
        func filled(to level: Int) -> Int {
            zip(wanted, held).reduce(0) { $0 + min($1.0, max(0, level - $1.1)) }
        }
        guard credit < wanted.reduce(0, +) else { return (wanted, nil) }
        guard credit > 0 else { return (wanted.map { _ in 0 }, nil) }
        // The highest level whose filling fits in the credit (filling grows with the level).
        var low = 0, high = zip(wanted, held).map { $0 + $1 }.max() ?? 0
        while low < high {
            let middle = low + (high - low + 1) / 2
            if filled(to: middle) <= credit { low = middle } else { high = middle - 1 }
        }
        let level = low
        var shares = zip(wanted, held).map { min($0, max(0, level - $1)) }
        var extra = credit - shares.reduce(0, +)
        var lastExtra: Int?
        for index in wanted.indices where extra > 0 && shares[index] < wanted[index] && held[index] + shares[index] == level {
            shares[index] += 1
            extra -= 1
            lastExtra = index
        }
        return (shares, lastExtra)
    }
}
