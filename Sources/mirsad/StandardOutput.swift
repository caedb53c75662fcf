#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser

/// Standard output written with write(2), which reports what went wrong instead of trapping as
/// `FileHandle.write(_:)` does.
///
/// SIGPIPE is ignored (`ProcessSignals.prepare`), so a reader that went away (`mirsad analyze … | head`) shows
/// here as `EPIPE`: a command then stops at once, quietly, with the status a shell gives a process ended by SIGPIPE,
/// as any Unix filter would; any other failure (a full disk under a redirected output) is named.
enum StandardOutput {
    enum WriteError: Error, CustomStringConvertible {
        /// The reading end of the pipe was closed.
        case closed
        case failed(errno: Int32)

        var description: String {
            switch self {
            case .closed: "cannot write standard output: the reader closed it"
            case .failed(let code): "cannot write standard output: \(String(cString: strerror(code)))"
            }
        }
    }

    /// 128 + SIGPIPE: what a shell reports for a process a closed pipe ended.
    static let closedStatus = ExitCode(128 + SIGPIPE)

    static func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let code = writeAll(bytes, to: STDOUT_FILENO) else { return }
        throw code == EPIPE ? WriteError.closed : WriteError.failed(errno: code)
    }

    static func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in try write(buffer) }
    }

    static func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { buffer in try write(UnsafeRawBufferPointer(buffer)) }
    }

    /// Flushes what `print` buffered once a command has returned, and says how the process should end if standard
    /// output failed on the way (`print` drops a failed write silently): `closedStatus`'s code, quietly, for a closed
    /// pipe; 1, with the error named, for any other failure; nil when everything printed was written.
    static func statusAfterPrinting() -> Int32? {
        // `fflush(nil)` (every stream): Swift 6 does not let the C global `stdout` be read. What `print` left in the
        // buffer is written here, so a failure shows here even when an earlier flush failed too.
        guard fflush(nil) != 0 else { return nil }
        let code = errno
        if code == EPIPE { return closedStatus.rawValue }
        writeStandardError("mirsad: \(WriteError.failed(errno: code))\n")
        return 1
    }

    /// Runs a command's output-writing `body`, turning a write error into the command's end: quiet with
    /// `closedStatus` for a closed pipe, named on standard error with status 1 otherwise.
    static func ending(command: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as WriteError {
            if case .closed = error { throw closedStatus }
            writeStandardError("mirsad \(command): \(error)\n")
            throw ExitCode.failure
        }
    }
}

/// Writes all of `bytes` to `descriptor` with write(2), retrying partial writes and `EINTR`: nil once everything is
/// written, the `errno` of the write that failed otherwise. Standard output and standard error both go through it.
func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
    guard var next = bytes.baseAddress else { return nil }
    var left = bytes.count
    while left > 0 {
        let n = write(descriptor, next, left)
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        next += n
        left -= n
    }
    return nil
}
