import ArticleAnalysis
import Foundation

/// The top entities of a set of articles and the co-occurrence among them, counted in one pass over the articles'
/// entity rows (a filtered co-occurrence view, over at most a window's articles).
///
/// Invariants: an entity's `articles` and `mentions` are those of the rows added; the top are ordered as
/// `ReportQueries.topEntities` orders them (mentions, then articles descending, then key and type in byte order,
/// as both stores compare text); a pair (a, b) counts the articles naming both as paired entities, `a` first in
/// (type, key) order, so each unordered pair is counted once.
struct EntityRowCounting {
    private struct Key: Hashable {
        var key: String
        var type: String
    }

    private var totals: [Key: (articles: Int, mentions: Int)] = [:]
    /// The paired entities each article names, by article.
    private var paired: [String: [Key]] = [:]

    /// One entity row of an article; rows may come in any order.
    mutating func add(article: String, entity: String, type: String, mentions: Int, paired isPaired: Bool) {
        let key = Key(key: entity, type: type)
        totals[key, default: (0, 0)].articles += 1
        totals[key, default: (0, 0)].mentions += mentions
        if isPaired { paired[article, default: []].append(key) }
    }

    private static func bytesPrecede(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// The `limit` most mentioned, their names still their keys (the caller names them).
    func top(_ limit: Int) -> [EntityTotal] {
        let ranked = totals.sorted { x, y in
            if x.value.mentions != y.value.mentions { return x.value.mentions > y.value.mentions }
            if x.value.articles != y.value.articles { return x.value.articles > y.value.articles }
            if x.key.key != y.key.key { return Self.bytesPrecede(x.key.key, y.key.key) }
            return Self.bytesPrecede(x.key.type, y.key.type)
        }
        return ranked.prefix(max(0, limit)).map {
            EntityTotal(key: $0.key.key, name: $0.key.key, type: EntityType(rawValue: $0.key.type) ?? .miscellaneous,
                        articles: $0.value.articles, mentions: $0.value.mentions, firstSeen: nil, lastSeen: nil)
        }
    }

    /// The pairs among `top` with their article counts, in no particular order.
    func pairs(among top: [EntityTotal]) -> [EntityPair] {
        let ordered = top.sorted { x, y in
            x.type.rawValue != y.type.rawValue ? Self.bytesPrecede(x.type.rawValue, y.type.rawValue) : Self.bytesPrecede(x.key, y.key)
        }
        var index: [Key: Int] = [:]
        for (i, e) in ordered.enumerated() { index[Key(key: e.key, type: e.type.rawValue)] = i }
        var counts: [Int: Int] = [:]
        for (_, keys) in paired {
            let named = Set(keys.compactMap { index[$0] }).sorted()
            for x in named.indices {
                for y in named.indices where y > x { counts[named[x] * ordered.count + named[y], default: 0] += 1 }
            }
        }
        func ref(_ e: EntityTotal) -> EntityRef { EntityRef(key: e.key, name: e.name, type: e.type) }
        return counts.map { code, n in
            EntityPair(a: ref(ordered[code / ordered.count]), b: ref(ordered[code % ordered.count]), articles: n)
        }
    }
}
