import CLibdeflate
import Foundation

/// zlib (RFC 1950) in one call each way, for analyses sent compressed (`Result.analysis_zlib`).
///
/// libdeflate, not zlib: an analysis is one buffer of a few kilobytes, which libdeflate compresses whole, without
/// the streaming state zlib's `compress2` sets up on every call (about a quarter of a megabyte). On ANT analyses
/// (6.6 KB) it compresses at its default level in two fifths of the CPU zlib's level 1 took, to 10% fewer bytes.
/// The bytes are the same format: any zlib inflates them, and this inflates what zlib made.
public enum Zlib {
    /// Why bytes do not inflate.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// libdeflate's default: above it, a few bytes fewer cost half as much CPU again.
    public static let defaultLevel: Int32 = 6

    /// `data` deflated at `level` (1 to 12).
    public static func compress(_ data: Data, level: Int32 = defaultLevel) -> Data {
        // libdeflate does not clear a new compressor's tables: allocating one per call cost about 2 µs of the 60 an
        // analysis takes to compress, and keeps this free of shared state.
        guard let compressor = libdeflate_alloc_compressor(level) else {
            preconditionFailure("libdeflate could not allocate a compressor at level \(level)")
        }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_zlib_compress_bound(compressor, data.count)
        var output = Data(count: bound)
        let size = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { input in
                libdeflate_zlib_compress(compressor, input.baseAddress, data.count, out.baseAddress, bound)
            }
        }
        precondition(size > 0, "libdeflate_zlib_compress did not fit in its own bound of \(bound) bytes")
        output.count = size
        return output
    }

    /// `data` inflated; it must come to exactly `size` bytes, at most `limit`.
    public static func decompress(_ data: Data, size: Int, limit: Int = ProtocolLimits.maxFrameBytes) throws(Failure) -> Data {
        guard size >= 0, size <= limit else { throw Failure(reason: "a compressed analysis claims \(size) bytes; the limit is \(limit)") }
        guard let decompressor = libdeflate_alloc_decompressor() else {
            preconditionFailure("libdeflate could not allocate a decompressor")
        }
        defer { libdeflate_free_decompressor(decompressor) }
        var produced = 0
        var output = Data(count: size)
        let status = output.withUnsafeMutableBytes { out in
            data.withUnsafeBytes { input in
                libdeflate_zlib_decompress(
                    decompressor, input.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, data.count,
                    out.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 1)!, size, &produced)
            }
        }
        guard status == LIBDEFLATE_SUCCESS, produced == size else {
            throw Failure(reason: "a compressed analysis does not inflate to its stated \(size) bytes (\(Self.describe(status)), \(produced) bytes)")
        }
        return output
    }

    private static func describe(_ status: libdeflate_result) -> String {
        switch status {
        case LIBDEFLATE_SUCCESS: "inflated"
        case LIBDEFLATE_BAD_DATA: "not valid zlib data"
        case LIBDEFLATE_INSUFFICIENT_SPACE: "more bytes than stated"
        case LIBDEFLATE_SHORT_OUTPUT: "fewer bytes than stated"
        default: "libdeflate status \(status.rawValue)"
        }
    }
}
