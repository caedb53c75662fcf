/// Words (normalised text) to values, looked up by the UTF-8 bytes of a word or of a piece of one.
///
/// For tables consulted with slices of a word (the word without an article or an ending; `WordKeyTable` is for
/// whole words that already carry their hash): a slice is looked up without making a `String` of it, and without
/// Swift's Unicode-aware hashing and comparison, which for Arabic normalise on every call. Keys are compared byte
/// for byte, which is right for text the analysis normalised itself.
struct UTF8WordTable<Value: Sendable>: Sendable {
    /// One key per hash; a key whose hash is taken by another key goes to `overflow` (64-bit FNV-1a makes that
    /// all but impossible for tables of words, but a lookup must never answer for another key).
    private var entries: [UInt64: (key: String, value: Value)] = [:]
    private var overflow: [[UInt8]: Value] = [:]

    init() {}

    init(_ pairs: some Sequence<(String, Value)>) {
        for (key, value) in pairs { insert(key, value) }
    }

    init(_ dictionary: [String: Value]) {
        self.init(dictionary.lazy.map { ($0.key, $0.value) })
    }

    var isEmpty: Bool { entries.isEmpty }

    /// Adds or replaces the value of `key`.
    mutating func insert(_ key: String, _ value: Value) {
        let hash = StableHash.fnv1a64(key)
        if let entry = entries[hash], !entry.key.utf8.elementsEqual(key.utf8) {
            overflow[Array(key.utf8)] = value
        } else {
            entries[hash] = (key, value)
        }
    }

    subscript(_ key: String) -> Value? {
        var key = key
        return key.withUTF8 { self[bytes: $0[...]] }
    }

    subscript(bytes bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Value? {
        if let entry = entries[StableHash.fnv1a64(bytes: bytes)], entry.key.utf8.elementsEqual(bytes) {
            return entry.value
        }
        return overflow.isEmpty ? nil : overflow[Array(bytes)]
    }
}

extension UTF8WordTable where Value == Void {
    init(words: some Sequence<String>) {
        self.init(words.lazy.map { ($0, ()) })
    }

    func contains(bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Bool { self[bytes: bytes] != nil }
}

/// Byte-level checks on UTF-8 text.
enum UTF8Text {
    /// The Arabic article "ال".
    static let arabicArticle = Array("ال".utf8)

    /// Unicode scalars in `bytes`: the bytes that are not continuation bytes.
    static func scalarCount(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int {
        var n = 0
        for b in bytes where b & 0xC0 != 0x80 { n += 1 }
        return n
    }

    static func hasSuffix(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, _ suffix: [UInt8]) -> Bool {
        bytes.count >= suffix.count && bytes.suffix(suffix.count).elementsEqual(suffix)
    }
}
