#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts a byte stream into lines ("\n" or "\r\n" endings; a last line without an ending counts), numbered from 1.
///
/// A line longer than `maxLineBytes` is not kept in memory: its bytes are dropped as they come, and it is
/// reported as `.overlong` once its end is reached.
struct LineSplitter {
    enum Line {
        case bytes(UnsafeBufferPointer<UInt8>, number: Int)
        case overlong(number: Int, bytes: Int)
    }

    let maxLineBytes: Int
    private(set) var lineNumber = 0
    private var pending: [UInt8] = []
    private var overlongBytes = 0

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Hands every line completed by `chunk` to `body`; the line's bytes are valid only during the call.
    mutating func feed<E: Error>(_ chunk: [UInt8], _ body: (Line) throws(E) -> Void) throws(E) {
        try chunk.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(E) in
            guard let base = buffer.baseAddress else { return }
            var start = 0
            while start < buffer.count {
                let rest = buffer.count - start
                guard let found = memchr(base + start, 0x0A, rest) else {
                    append(UnsafeBufferPointer(start: base + start, count: rest))
                    return
                }
                let end = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
                let piece = UnsafeBufferPointer(start: base + start, count: end - start)
                start = end + 1
                if pending.isEmpty, overlongBytes == 0 {
                    lineNumber += 1
                    if piece.count > maxLineBytes {
                        try body(.overlong(number: lineNumber, bytes: piece.count))
                    } else {
                        try body(.bytes(Self.trimmingCarriageReturn(piece), number: lineNumber))
                    }
                } else {
                    append(piece)
                    try finishPending(body)
                }
            }
        }
    }

    /// Hands over the last line when the stream ended without a final newline.
    mutating func finish<E: Error>(_ body: (Line) throws(E) -> Void) throws(E) {
        if !pending.isEmpty || overlongBytes > 0 { try finishPending(body) }
    }

    /// Forgets a partial last line (when the stream broke off in the middle of it).
    mutating func discardPartialLine() {
        pending.removeAll()
        overlongBytes = 0
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if overlongBytes > 0 {
            overlongBytes += bytes.count
        } else if pending.count + bytes.count > maxLineBytes {
            overlongBytes = pending.count + bytes.count
            pending.removeAll()
        } else {
            pending.append(contentsOf: bytes)
        }
    }

    private mutating func finishPending<E: Error>(_ body: (Line) throws(E) -> Void) throws(E) {
        lineNumber += 1
        if overlongBytes > 0 {
            let count = overlongBytes
            overlongBytes = 0
            try body(.overlong(number: lineNumber, bytes: count))
            return
        }
        let line = pending
        pending.removeAll(keepingCapacity: true)
        try line.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(E) in
            try body(.bytes(Self.trimmingCarriageReturn(buffer), number: lineNumber))
        }
    }

    private static func trimmingCarriageReturn(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard let last = line.last, last == 0x0D else { return line }
        return UnsafeBufferPointer(rebasing: line.dropLast())
    }
}
