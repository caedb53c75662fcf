import CZlib

/// Inflates gzip data from another source, member after member (concatenated gzip files read as one stream).
///
/// Throws `truncatedGzip` when the input ends inside a member and `corruptGzip` when zlib rejects the data;
/// every byte inflated before that has already been returned.
final class GzipSource: ByteSource {
    static let chunkSize = 1 << 18

    private let input: ByteSource
    private var stream = z_stream()
    private var inputChunk: [UInt8] = []
    private var inputOffset = 0
    private var inputEnded = false
    /// Whether a member has started and not yet ended.
    private var insideMember = false
    private var initialised = false

    init(_ input: ByteSource) throws(ByteSourceError) {
        self.input = input
        let status = inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw .corruptGzip("zlib could not start (code \(status))") }
        initialised = true
    }

    deinit {
        if initialised { inflateEnd(&stream) }
    }

    func nextChunk() throws(ByteSourceError) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: Self.chunkSize)
        while true {
            if inputOffset == inputChunk.count, !inputEnded {
                if let chunk = try input.nextChunk() {
                    inputChunk = chunk
                    inputOffset = 0
                } else {
                    inputEnded = true
                }
            }
            let inputExhausted = inputEnded && inputOffset == inputChunk.count
            if inputExhausted, !insideMember { return nil }
            // Called even without new input: zlib may still hold output for the bytes it has taken.
            let (status, consumed, produced) = inflateStep(into: &output)
            inputOffset += consumed
            switch status {
            case Z_OK:
                insideMember = true
            case Z_BUF_ERROR:
                if inputExhausted, produced == 0 { throw .truncatedGzip }
            case Z_STREAM_END:
                insideMember = false
                inflateReset(&stream)
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw .corruptGzip(message)
            }
            if produced > 0 {
                output.removeSubrange(produced...)
                return output
            }
        }
    }

    /// One call of `inflate` from the current input position into `output`.
    private func inflateStep(into output: inout [UInt8]) -> (status: Int32, consumed: Int, produced: Int) {
        let available = inputChunk.count - inputOffset
        let offset = inputOffset
        return inputChunk.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = input.baseAddress.map { $0 + offset }
                stream.avail_in = UInt32(available)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                let status = inflate(&stream, Z_NO_FLUSH)
                let consumed = available - Int(stream.avail_in)
                let produced = out.count - Int(stream.avail_out)
                stream.next_in = nil
                stream.next_out = nil
                return (status, consumed, produced)
            }
        }
    }
}
