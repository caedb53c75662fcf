/// JSON text appended to a byte buffer, in the form Foundation's `JSONEncoder` writes with `.sortedKeys` and
/// `.withoutEscapingSlashes`: no white space, strings with `"` `\` and controls escaped (`\n` `\r` `\t` `\b` `\f`,
/// else `\u00XX`), everything else as UTF-8, numbers as Swift prints them shortest (integral doubles without
/// a fraction).
///
/// The caller writes keys in sorted order; the buffer only tracks where commas go.
public struct JSONBuffer: Sendable {
    /// The text so far. Callers may take it (or swap in a buffer to reuse) between top-level values.
    public var bytes: [UInt8] = []
    /// One entry per open object or array: true once it has a member (the next one needs a comma).
    private var hasMember: [Bool] = []

    public init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        hasMember.removeAll(keepingCapacity: true)
        afterKey = false
    }

    @inline(__always) private mutating func separate() {
        if let last = hasMember.last {
            if last { bytes.append(0x2C) } else { hasMember[hasMember.count - 1] = true }
        }
    }

    /// True right after a key: the value that follows takes no comma.
    private var afterKey = false

    @inline(__always) private mutating func beginValue() {
        if afterKey { afterKey = false } else { separate() }
    }

    public mutating func beginObject() { beginValue(); bytes.append(0x7B); hasMember.append(false) }
    public mutating func endObject() { bytes.append(0x7D); hasMember.removeLast() }
    public mutating func beginArray() { beginValue(); bytes.append(0x5B); hasMember.append(false) }
    public mutating func endArray() { bytes.append(0x5D); hasMember.removeLast() }

    /// `"key":` (keys are plain ASCII, written as they are).
    public mutating func key(_ key: StaticString) {
        separate()
        bytes.append(0x22)
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0x22)
        bytes.append(0x3A)
        afterKey = true
    }

    public mutating func string(_ s: String) {
        beginValue()
        appendQuoted(s)
    }

    public mutating func int<T: BinaryInteger>(_ v: T) {
        beginValue()
        appendInteger(v)
    }

    public mutating func bool(_ v: Bool) {
        beginValue()
        bytes.append(contentsOf: v ? [0x74, 0x72, 0x75, 0x65] : [0x66, 0x61, 0x6C, 0x73, 0x65])
    }

    public mutating func double(_ v: Double) {
        beginValue()
        if v.isFinite, v == v.rounded(.towardZero), abs(v) < 1e15 {
            appendInteger(Int64(v))
            if v == 0 && v.sign == .minus { bytes.insert(0x2D, at: bytes.count - 1) }
        } else {
            bytes.append(contentsOf: v.description.utf8)
        }
    }

    @inline(__always) private mutating func appendInteger<T: BinaryInteger>(_ v: T) {
        if v == 0 { bytes.append(0x30); return }
        var magnitude = v.magnitude
        if v < 0 { bytes.append(0x2D) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while magnitude > 0 {
                d[count] = 0x30 + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            for k in stride(from: count - 1, through: 0, by: -1) { bytes.append(d[k]) }
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendQuoted(_ s: String) {
        bytes.append(0x22)
        var copy = s
        copy.withUTF8 { b in
            var runStart = 0
            for i in 0..<b.count {
                let c = b[i]
                guard c < 0x20 || c == 0x22 || c == 0x5C else { continue }
                if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<i])) }
                runStart = i + 1
                switch c {
                case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
                case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
                case 0x08: bytes.append(contentsOf: [0x5C, 0x62])
                case 0x0C: bytes.append(contentsOf: [0x5C, 0x66])
                default:
                    bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, Self.hex[Int(c >> 4)], Self.hex[Int(c & 0xF)]])
                }
            }
            if runStart < b.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<b.count])) }
        }
        bytes.append(0x22)
    }
}
