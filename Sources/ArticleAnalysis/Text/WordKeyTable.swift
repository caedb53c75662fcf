/// A fixed-size open-addressing map from `WordKey` to values, probed with the key's own stable hash.
///
/// For the per-text maps of the hot path: Swift's `Dictionary` runs every key through `Hasher` (SipHash) on each
/// lookup, while a `WordKey` already carries a hash. Sized once for at most `capacity` keys (at most half full,
/// so probes stay short); inserting more than `capacity` keys is a programming error (it traps).
struct WordKeyTable<Value> {
    private var keys: [WordKey?]
    private var values: [Value?]
    private let mask: Int
    private let capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        keys = Array(repeating: nil, count: size)
        values = Array(repeating: nil, count: size)
        mask = size - 1
        self.capacity = capacity
    }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always)
    private func slot(of key: WordKey) -> Int {
        var i = Int(truncatingIfNeeded: StableHash.mix(key.hash)) & mask
        while let k = keys[i], k != key { i = (i + 1) & mask }
        return i
    }

    subscript(key: WordKey) -> Value? {
        get { values[slot(of: key)] }
    }

    /// Stores `value` under `key` (replacing any value it had).
    mutating func set(_ value: Value, for key: WordKey) {
        let i = slot(of: key)
        if keys[i] == nil {
            precondition(count < capacity, "WordKeyTable is full")
            keys[i] = key
            count += 1
        }
        values[i] = value
    }
}
