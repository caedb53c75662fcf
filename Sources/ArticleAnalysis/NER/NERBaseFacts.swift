/// What the corpus lexicon, the word clusters and the name lists say about one word base, found with one probe.
///
/// The three are looked up for every token under the same base hash; kept as three dictionaries that cost three
/// hashed lookups and three cache misses a token. This table holds the three codes of each base side by side,
/// indexed by the base's FNV-1a hash directly (it is already a hash: no second hashing), so a token costs one read.
///
/// Invariants: `entries.count` is a power of two, at least twice the number of bases listed anywhere; an entry
/// with `listed == false` is empty; a base is in the first empty-or-matching entry from its home (linear probing).
/// A base listed in none of the three reads as `NERBaseFacts.Facts.unlisted`, exactly as the three lookups did.
struct NERBaseFacts: Sendable {
    struct Facts: Sendable, Equatable {
        var lexicon: UInt8
        var nameLists: UInt8
        var cluster: UInt16
        static let unlisted = Facts(lexicon: NERLexicon.unknown, nameLists: 0, cluster: NERWordClusters.unknown)
    }

    private struct Entry {
        var hash: UInt64
        var facts: Facts
        var listed: Bool
    }

    private let entries: [Entry]
    private let shift: UInt64

    init(lexicon: NERLexicon, clusters: NERWordClusters, nameLists: NERNameLists) {
        var facts: [UInt64: Facts] = [:]
        for (hash, code) in lexicon.codes { facts[hash, default: .unlisted].lexicon = code }
        for (hash, code) in clusters.codes { facts[hash, default: .unlisted].cluster = code }
        for (hash, code) in nameLists.codes { facts[hash, default: .unlisted].nameLists = code }
        var bits: UInt64 = 4
        while 1 << bits < 2 * facts.count { bits += 1 }
        var entries = [Entry](
            repeating: Entry(hash: 0, facts: .unlisted, listed: false), count: 1 << Int(bits))
        let shift = 64 - bits
        let mask = entries.count - 1
        // Where a base lands depends on insertion order; what it reads as does not.
        for (hash, f) in facts {
            var i = NERBaseFacts.home(hash, shift: shift)
            while entries[i].listed { i = (i + 1) & mask }
            entries[i] = Entry(hash: hash, facts: f, listed: true)
        }
        self.entries = entries
        self.shift = shift
    }

    /// The top bits of the hash times the golden ratio: FNV-1a's low bits alone cluster for similar words.
    @inline(__always)
    private static func home(_ hash: UInt64, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    func facts(ofBaseHash hash: UInt64) -> Facts {
        entries.withUnsafeBufferPointer { e in
            let mask = e.count &- 1
            var i = NERBaseFacts.home(hash, shift: shift)
            while e[i].listed {
                if e[i].hash == hash { return e[i].facts }
                i = (i &+ 1) & mask
            }
            return .unlisted
        }
    }
}
