import CZstd
import Foundation
import Synchronization

/// zstd (RFC 8878) with a trained dictionary, for analyses sent compressed (`Result.analysis_zstd`, revision 5).
///
/// An analysis is one small document (about 6.6 KB for a news article) whose words, field layout and numbers
/// recur from article to article. DEFLATE starts each one with an empty history; a dictionary trained on other
/// articles' analyses gives the compressor that history up front. On ANT news, with the bundled dictionary
/// (trained on BBC and CNN Arabic articles) and measured on Al Arabiya and France 24 articles, frames come out
/// 13-15% smaller than libdeflate's level 6, in less CPU.
public enum Zstd {
    /// Why bytes do not decompress, or a dictionary cannot be used.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// The compression level: zstd's default. Level 6 makes frames a further 4% smaller for three times the CPU.
    public static let level: Int32 = 3

    /// The first four bytes of every zstd frame (RFC 8878, 3.1.1), little-endian 0xFD2FB528. No zlib stream begins
    /// with them (0x28 0xB5 fails zlib's header check), so a stored analysis says by itself how it was compressed.
    public static let frameMagic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    /// A trained dictionary, digested once for compressing and once for decompressing, with the contexts its
    /// calls have used.
    ///
    /// `@unchecked Sendable`: the digests (`ZSTD_CDict`, `ZSTD_DDict`) are never written after they are made, and
    /// zstd documents them as safe to share between threads that use them at the same time; they are freed when
    /// the last reference goes.
    public final class Dictionary: @unchecked Sendable {
        /// The id in the dictionary's header, which every frame compressed with it names.
        public let id: UInt32
        private let compression: OpaquePointer
        private let decompression: OpaquePointer
        private let compressionContexts = ContextPool(make: { ZSTD_createCCtx() }, free: { _ = ZSTD_freeCCtx($0) })
        private let decompressionContexts = ContextPool(make: { ZSTD_createDCtx() }, free: { _ = ZSTD_freeDCtx($0) })

        /// Digests `bytes`, a zstd dictionary (magic 0xEC30A437, an id, entropy tables, content).
        public init(bytes: Data) throws(Failure) {
            let id = bytes.withUnsafeBytes { ZDICT_getDictID($0.baseAddress, $0.count) }
            guard id != 0 else { throw Failure(reason: "not a zstd dictionary with an id (\(bytes.count) bytes)") }
            let made = bytes.withUnsafeBytes { raw -> (OpaquePointer?, OpaquePointer?) in
                (ZSTD_createCDict(raw.baseAddress, raw.count, Zstd.level), ZSTD_createDDict(raw.baseAddress, raw.count))
            }
            guard let compression = made.0, let decompression = made.1 else {
                ZSTD_freeCDict(made.0)
                ZSTD_freeDDict(made.1)
                throw Failure(reason: "zstd could not digest dictionary \(id)")
            }
            self.id = id
            self.compression = compression
            self.decompression = decompression
        }

        deinit {
            ZSTD_freeCDict(compression)
            ZSTD_freeDDict(decompression)
        }

        /// `data` as one frame compressed with this dictionary; the frame records the dictionary's id and the
        /// size of `data`.
        public func compress(_ data: Data) -> Data {
            let bound = ZSTD_compressBound(data.count)
            var output = Data(count: bound)
            let size = compressionContexts.with { context in
                output.withUnsafeMutableBytes { out in
                    data.withUnsafeBytes { input in
                        ZSTD_compress_usingCDict(context, out.baseAddress, bound, input.baseAddress, data.count, compression)
                    }
                }
            }
            precondition(ZSTD_isError(size) == 0, "zstd compression failed: \(String(cString: ZSTD_getErrorName(size)))")
            output.count = size
            return output
        }

        /// `frame` decompressed; it must be one frame made with this dictionary that comes to exactly `size`
        /// bytes, at most `limit`.
        public func decompress(
            _ frame: Data, size: Int, limit: Int = ProtocolLimits.maxFrameBytes
        ) throws(Failure) -> Data {
            guard size >= 0, size <= limit else {
                throw Failure(reason: "a compressed analysis claims \(size) bytes; the limit is \(limit)")
            }
            guard Zstd.isFrame(frame) else { throw Failure(reason: "not a zstd frame") }
            let named = Zstd.dictionaryID(ofFrame: frame)
            guard named == id else {
                throw Failure(reason: "a zstd frame compressed with dictionary \(named); this build has dictionary \(id)")
            }
            // One byte of room beyond `size`, so that a frame holding more than it says fails as too long instead
            // of being cut at `size`.
            var output = Data(count: size + 1)
            let produced = decompressionContexts.with { context in
                output.withUnsafeMutableBytes { out in
                    frame.withUnsafeBytes { input in
                        ZSTD_decompress_usingDDict(context, out.baseAddress, size + 1, input.baseAddress, frame.count, decompression)
                    }
                }
            }
            if ZSTD_isError(produced) != 0 {
                throw Failure(reason: "a compressed analysis does not decompress (\(String(cString: ZSTD_getErrorName(produced))))")
            }
            guard produced == size else {
                throw Failure(reason: "a compressed analysis decompresses to \(produced) bytes, not its stated \(size)")
            }
            output.count = size
            return output
        }
    }

    /// Whether `data` begins as a zstd frame does.
    public static func isFrame(_ data: Data) -> Bool {
        data.count >= frameMagic.count && data.prefix(frameMagic.count).elementsEqual(frameMagic)
    }

    /// The dictionary id a frame's header names (0: none, or not a frame).
    public static func dictionaryID(ofFrame frame: Data) -> UInt32 {
        frame.withUnsafeBytes { ZSTD_getDictID_fromFrame($0.baseAddress, $0.count) }
    }

    /// The dictionary this build compresses analyses with (`Resources/analysis.zdict`, made by
    /// `mirsad train compression-dictionary`), read on first use; a failure names what was missing.
    public static let bundled: Result<Dictionary, Failure> = {
        guard let url = Bundle.module.url(forResource: "analysis", withExtension: "zdict", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: "analysis", withExtension: "zdict") else {
            return .failure(Failure(reason: "the analysis dictionary (analysis.zdict) is not in the resource bundle"))
        }
        return load(url)
    }()

    /// The dictionaries earlier builds compressed with (`Resources/retired/*.zdict`), by id, read on first use.
    ///
    /// A dictionary is a function of the analyses it was trained on, so a change to the analysis makes a new one
    /// with a new id (`mirsad train compression-dictionary`). Frames name their dictionary and stay in stores
    /// for good: the one replaced is retired here, never deleted, so that every stored frame, and every worker or
    /// collector still on it, can be read. One that does not load is left out, and frames naming it are refused
    /// as unreadable, as frames naming an unknown dictionary are.
    public static let retired: [UInt32: Dictionary] = {
        let urls = Bundle.module.urls(forResourcesWithExtension: "zdict", subdirectory: "Resources/retired")
            ?? Bundle.module.urls(forResourcesWithExtension: "zdict", subdirectory: "retired") ?? []
        var found: [UInt32: Dictionary] = [:]
        for url in urls {
            if case .success(let dictionary) = load(url as URL) { found[dictionary.id] = dictionary }
        }
        return found
    }()

    /// The dictionary with id `id` that this build has: the bundled one or a retired one; nil for any other.
    public static func dictionary(id: UInt32) -> Dictionary? {
        if case .success(let dictionary) = bundled, dictionary.id == id { return dictionary }
        return retired[id]
    }

    private static func load(_ url: URL) -> Result<Dictionary, Failure> {
        do {
            return .success(try Dictionary(bytes: try Data(contentsOf: url)))
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(Failure(reason: "the analysis dictionary \(url.lastPathComponent) cannot be read: \(error)"))
        }
    }

    /// A dictionary of at most `capacity` bytes trained on `samples` with zstd's default trainer (fastCover,
    /// single-threaded: the same samples give the same bytes), its id derived from its content.
    public static func trainDictionary(samples: [Data], capacity: Int) throws(Failure) -> Data {
        var joined = Data(capacity: samples.reduce(0) { $0 + $1.count })
        for sample in samples { joined.append(sample) }
        let sizes = samples.map(\.count)
        var dictionary = Data(count: capacity)
        let size = dictionary.withUnsafeMutableBytes { out in
            joined.withUnsafeBytes { input in
                sizes.withUnsafeBufferPointer { sizes in
                    ZDICT_trainFromBuffer(out.baseAddress, capacity, input.baseAddress, sizes.baseAddress, UInt32(sizes.count))
                }
            }
        }
        if ZDICT_isError(size) != 0 {
            throw Failure(reason: "zstd could not train a dictionary on \(samples.count) samples: \(String(cString: ZDICT_getErrorName(size)))")
        }
        dictionary.count = size
        return dictionary
    }
}

/// Idle zstd contexts of one kind, by address. A context serves one call at a time: it is taken out under the lock
/// and put back after, and the pool frees what it holds when it goes. Making a context for each call cost about as
/// much CPU as compressing a 6.6 KB analysis, and twice what decompressing one takes.
private final class ContextPool: Sendable {
    private let idle = Mutex<[Int]>([])
    private let make: @Sendable () -> OpaquePointer?
    private let free: @Sendable (OpaquePointer) -> Void
    /// Idle contexts kept at most: one per thread that compresses or decompresses at once.
    private static let kept = 64

    init(make: @escaping @Sendable () -> OpaquePointer?, free: @escaping @Sendable (OpaquePointer) -> Void) {
        self.make = make
        self.free = free
    }

    deinit {
        for address in idle.withLock({ $0 }) {
            if let context = OpaquePointer(bitPattern: address) { free(context) }
        }
    }

    func with<Result>(_ body: (OpaquePointer) -> Result) -> Result {
        let taken = idle.withLock { $0.popLast() }
        guard let context = taken.flatMap({ OpaquePointer(bitPattern: $0) }) ?? make() else {
            preconditionFailure("zstd could not allocate a context")
        }
        defer {
            let putBack = idle.withLock { idle in
                guard idle.count < Self.kept else { return false }
                idle.append(Int(bitPattern: context))
                return true
            }
            if !putBack { free(context) }
        }
        return body(context)
    }
}
