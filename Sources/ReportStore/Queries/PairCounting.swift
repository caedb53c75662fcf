import ArticleAnalysis
import Foundation

/// Co-occurrence among a report's top entities, counted from the matching articles' entity rows.
///
/// Invariant: a pair (a, b) counts the articles in which both are named as paired entities (`paired = 1`); `a`
/// is the one first in (type, key) order, so each unordered pair is counted once, on every store alike.
struct PairCounting {
    private let top: [EntityTotal]
    private let index: [String: Int]
    /// The top entities each article names, by article.
    private var members: [String: [Int]] = [:]

    /// `top` in (type, key) order.
    init(_ top: [EntityTotal]) {
        self.top = top.sorted { ($0.type.rawValue, $0.key) < ($1.type.rawValue, $1.key) }
        var index: [String: Int] = [:]
        for (i, e) in self.top.enumerated() { index[e.type.rawValue + "\u{1F}" + e.key] = i }
        self.index = index
    }

    /// One paired entity row of a matching article, in any order.
    mutating func add(article key: String, entity: String, type: String) {
        if let i = index[type + "\u{1F}" + entity] { members[key, default: []].append(i) }
    }

    /// The pairs with their article counts, in no particular order.
    func pairs() -> [EntityPair] {
        var counts: [Int: Int] = [:]
        for (_, named) in members {
            let named = Set(named).sorted()
            for x in named.indices {
                for y in named.indices where y > x { counts[named[x] * top.count + named[y], default: 0] += 1 }
            }
        }
        func ref(_ e: EntityTotal) -> EntityRef { EntityRef(key: e.key, name: e.name, type: e.type) }
        return counts.map { code, n in EntityPair(a: ref(top[code / top.count]), b: ref(top[code % top.count]), articles: n) }
    }
}
