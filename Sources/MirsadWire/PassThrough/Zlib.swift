import CZlib
import Foundation

/// zlib (RFC 1950) in one call each way, for analyses sent compressed (`Result.analysis_zlib`).
///
/// zlib's one-shot `compress2` and `uncompress` do all that is needed here; the streaming interface would only add
/// state.
public enum Zlib {
    /// Why bytes do not inflate.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// `data` deflated at `level` (1, the fastest, by default: results are compressed on the analysis threads).
    public static func compress(_ data: Data, level: Int32 = 1) -> Data {
        var size = compressBound(uLong(data.count))
        var output = Data(count: Int(size))
        let status = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { input in
                compress2(
                    out.baseAddress!.assumingMemoryBound(to: Bytef.self), &size,
                    input.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(data.count), level)
            }
        }
        precondition(status == Z_OK, "compress2 failed with \(status) on a buffer of compressBound's size")
        output.count = Int(size)
        return output
    }

    /// `data` inflated; it must come to exactly `size` bytes, at most `limit`.
    public static func decompress(_ data: Data, size: Int, limit: Int = ProtocolLimits.maxFrameBytes) throws(Failure) -> Data {
        guard size >= 0, size <= limit else { throw Failure(reason: "a compressed analysis claims \(size) bytes; the limit is \(limit)") }
        var produced = uLong(size)
        var output = Data(count: size)
        let status = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { input in
                uncompress(
                    out.baseAddress?.assumingMemoryBound(to: Bytef.self) ?? UnsafeMutablePointer<Bytef>(bitPattern: 1)!,
                    &produced, input.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(data.count))
            }
        }
        guard status == Z_OK, produced == uLong(size) else {
            throw Failure(reason: "a compressed analysis does not inflate to its stated \(size) bytes (zlib status \(status), \(produced) bytes)")
        }
        return output
    }
}
