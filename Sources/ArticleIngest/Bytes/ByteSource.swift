/// A stream of bytes read a chunk at a time, so that no input has to fit in memory whole.
protocol ByteSource: AnyObject {
    /// The next bytes, never empty; nil at the end of the stream.
    ///
    /// - Throws: `ByteSourceError` when the stream cannot be read or is damaged.
    func nextChunk() throws(ByteSourceError) -> [UInt8]?
}

/// Why a byte stream stopped early.
enum ByteSourceError: Error, Equatable {
    /// The operating system refused a read.
    case readFailed(String)
    /// The gzip data ended inside a member.
    case truncatedGzip
    /// The gzip data is not valid (zlib's message).
    case corruptGzip(String)
}

/// A source that can give back a chunk it already handed out, so the start of a stream can be sniffed.
final class PeekableSource: ByteSource {
    private let base: ByteSource
    private var pushedBack: [UInt8]?

    init(_ base: ByteSource) {
        self.base = base
    }

    func nextChunk() throws(ByteSourceError) -> [UInt8]? {
        if let chunk = pushedBack {
            pushedBack = nil
            return chunk
        }
        return try base.nextChunk()
    }

    /// The first bytes of the stream (up to one chunk), which the next `nextChunk` returns again.
    func peek() throws(ByteSourceError) -> [UInt8] {
        if pushedBack == nil { pushedBack = try base.nextChunk() }
        return pushedBack ?? []
    }
}

extension ByteSource {
    /// All remaining bytes, or nil (after reading no more than `limit` + 1 bytes) when there are more than `limit`.
    func readAll(limit: Int) throws(ByteSourceError) -> [UInt8]? {
        var bytes: [UInt8] = []
        while let chunk = try nextChunk() {
            if bytes.count + chunk.count > limit { return nil }
            bytes += chunk
        }
        return bytes
    }
}
