/// Distributional word classes learned from unannotated news: words that occur between the same neighbours share
/// a class, so a name never seen in the annotated data still gets the features of the names it resembles.
///
/// Each listed word base (`NERTokenAtoms.base`) has a path of `levels` digits in `0..<branching`, from a
/// hierarchical clustering (`NERWordClusters.Builder`): words sharing the first `d` digits are in the same class
/// at depth `d`, as the bit-string prefixes of Brown clusters. The path code packs digit `i` at bits
/// `4 * (levels - 1 - i)`, plus `1 << 15` so that no listed word has code 0. The text form is
/// `base<TAB>path` lines (the path as lowercase hexadecimal digits, one per level), sorted by the bytes of the base.
public struct NERWordClusters: Sendable, Equatable {
    public static let levels = 3
    public static let branching = 16

    /// Path code per FNV-1a hash of the normalised base.
    private(set) var codes: [UInt64: UInt16] = [:]
    public var count: Int { codes.count }
    /// The code of words that are not listed.
    static let unknown: UInt16 = 0

    public init() {}

    /// A clusters line that could not be read.
    public struct FormatError: Error, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "word clusters line \(line): \(reason)" }
    }

    public init(text: String) throws(FormatError) {
        let lines = BaseValueLine.lines(of: text)
        codes.reserveCapacity(lines.count)
        for line in lines {
            guard let base = line.base, line.value.count == NERWordClusters.levels, let path = UInt16(line.value, radix: 16)
            else {
                throw FormatError(
                    line: line.number,
                    reason: "expected base<TAB>path (\(NERWordClusters.levels) hexadecimal digits), found \"\(line.text)\"")
            }
            codes[FeatureHash.of(base)] = path | 1 << 15
        }
    }

    func code(ofBaseHash hash: UInt64) -> UInt16 { codes[hash] ?? NERWordClusters.unknown }

    /// The class at `depth` (1...levels) of a path code: its first `depth` digits, 0 for unlisted words.
    @inline(__always)
    static func prefix(_ code: UInt16, depth: Int) -> UInt64 {
        UInt64(code >> UInt16(4 * (levels - depth)))
    }
}
