/// A word as a dictionary key compared by its UTF-8 bytes, with a precomputed stable hash.
///
/// Swift's `String` hashes and compares by canonical equivalence, which for Arabic text means Unicode
/// normalisation on every lookup; the analysis only ever compares strings it normalised itself, so byte
/// equality is the right equality and much faster.
struct WordKey: Hashable, Sendable {
    let text: String
    let hash: UInt64

    init(_ text: String) {
        self.text = text
        self.hash = StableHash.fnv1a64(text)
    }

    static func == (lhs: WordKey, rhs: WordKey) -> Bool {
        lhs.hash == rhs.hash && lhs.text.utf8.count == rhs.text.utf8.count && lhs.text.utf8.elementsEqual(rhs.text.utf8)
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}

extension WordKey: ExpressibleByStringLiteral {
    init(stringLiteral value: String) { self.init(value) }
}

extension Set where Element == WordKey {
    /// Membership of a plain string (hashing it first).
    @inline(__always)
    func contains(word: String) -> Bool { contains(WordKey(word)) }
}
