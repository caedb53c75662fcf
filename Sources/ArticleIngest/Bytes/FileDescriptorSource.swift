#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an open file descriptor in chunks. Does not close it: whoever opened it does.
final class FileDescriptorSource: ByteSource {
    static let chunkSize = 1 << 20

    private let descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    func nextChunk() throws(ByteSourceError) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                chunk.removeSubrange(count...)
                return chunk
            }
            if count == 0 { return nil }
            let code = errno
            if code == EINTR { continue }
            throw .readFailed(String(cString: strerror(code)))
        }
    }
}

/// A file opened for reading, closed when the value goes away.
final class OpenFile {
    let descriptor: Int32

    /// Opens `path` read-only; throws the system's reason when it cannot.
    init(path: String) throws(ByteSourceError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .readFailed(String(cString: strerror(errno))) }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}
