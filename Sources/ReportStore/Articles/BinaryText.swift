/// Text hashed and compared by its UTF-8 bytes, as SQLite and PostgreSQL compare the store's keys, for the keys a
/// commit sums in memory (`AggregateDeltas`).
///
/// Why not `String`'s own `Hashable`: it follows canonical equivalence, so every hash of non-ASCII text checks each
/// scalar for normalisation, most of the cost of hashing an Arabic entity key, and an article's keys are hashed a
/// few dozen times. The keys are NFC (`CanonicalText`), for which the two equalities agree.
enum BinaryText {
    static func hash(_ text: String, into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { bytes in
            hasher.combine(bytes.count)
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
    }

    static func equal(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in x.elementsEqual(y) } }
    }
}

/// A string keyed by its bytes (`BinaryText`) in a dictionary or a set of an article's terms, entities or
/// speakers: the keys are NFC (`CanonicalText`), or read back from the store as they were written.
struct BinaryKey: Hashable {
    var text: String

    init(_ text: String) { self.text = text }

    static func == (a: Self, b: Self) -> Bool { BinaryText.equal(a.text, b.text) }
    func hash(into hasher: inout Hasher) { BinaryText.hash(text, into: &hasher) }
}
