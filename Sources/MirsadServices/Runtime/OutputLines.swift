#if canImport(Glibc)
import Glibc
#endif

/// Lines from a child process's standard output pipe, read without ever blocking longer than asked.
///
/// Invariant: `buffered` holds what was read and not yet returned as a line, so no byte is lost or returned twice;
/// a last line without a newline is never returned.
struct OutputLines {
    private let descriptor: Int32
    private var buffered: [UInt8] = []
    /// False once the pipe reached its end (every writer closed it).
    private(set) var isOpen = true

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Waits up to `milliseconds` for output, then reads what there is (one read of at most 4 KiB). Returns whether
    /// the pipe was readable (data or its end); false at once when the pipe is already closed.
    @discardableResult
    mutating func read(waitingMilliseconds milliseconds: Int32) -> Bool {
        guard isOpen else { return false }
        var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&pollDescriptor, 1, milliseconds) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = Glibc.read(descriptor, &chunk, chunk.count)
        if count > 0 {
            buffered.append(contentsOf: chunk[..<count])
        } else if count == 0 {
            isOpen = false
        }
        return true
    }

    /// The next complete line read so far, without its newline.
    mutating func nextLine() -> String? {
        guard let newline = buffered.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let line = String(decoding: buffered[..<newline], as: UTF8.self)
        buffered.removeSubrange(...newline)
        return line
    }
}
