/// A fixed-size open-addressing map from `WordKey` to values, probed with the key's own stable hash.
///
/// For the per-text maps of the hot path: Swift's `Dictionary` runs every key through `Hasher` (SipHash) on each
/// lookup, while a `WordKey` already carries a hash. Slots hold indices into `entries` (so the slot array holds
/// no references to release); sized once for at most `capacity` keys, at most half full so probes stay short.
/// Inserting more than `capacity` keys is a programming error (it traps).
struct WordKeyTable<Value> {
    private var slots: [Int32]
    private var entries: [(key: WordKey, value: Value)] = []
    private let mask: Int
    private let capacity: Int

    var count: Int { entries.count }

    init(capacity: Int) {
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        entries.reserveCapacity(capacity)
        mask = size - 1
        self.capacity = capacity
    }

    /// The slot holding `key`, or the empty slot where it would go, and the key's entry when present.
    @inline(__always)
    private func find(_ key: WordKey) -> (slot: Int, entry: Int) {
        var i = Int(truncatingIfNeeded: StableHash.mix(key.hash)) & mask
        while true {
            let e = Int(slots[i])
            if e < 0 { return (i, -1) }
            if entries[e].key.hash == key.hash && entries[e].key == key { return (i, e) }
            i = (i + 1) & mask
        }
    }

    subscript(key: WordKey) -> Value? {
        let e = find(key).entry
        return e < 0 ? nil : entries[e].value
    }

    /// Stores `value` under `key` (replacing any value it had).
    mutating func set(_ value: Value, for key: WordKey) {
        let (slot, e) = find(key)
        if e >= 0 {
            entries[e].value = value
            return
        }
        precondition(entries.count < capacity, "WordKeyTable is full")
        slots[slot] = Int32(entries.count)
        entries.append((key, value))
    }
}

extension WordKeyTable: Sendable where Value: Sendable {}

extension WordKeyTable {
    /// A table of the entries of `dictionary`, sized for them.
    init(_ dictionary: [WordKey: Value]) {
        self.init(capacity: dictionary.count)
        for (key, value) in dictionary { set(value, for: key) }
    }
}
