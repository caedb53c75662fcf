import ArticleAnalysis
import Foundation
import MirsadWire
import SwiftProtobuf

/// An analysis as the report store keeps it: the protobuf `Analysis` bytes (`Protocols/mirsad.proto`) as its worker
/// encoded them, less any tokens, and the parts the store indexes, read from those bytes without decoding the rest.
///
/// Invariant: `index` is what `bytes` say; `bytes` hold no token (field 8) and `tokenCount` is how many there were.
/// JSON is never made here: a reader that wants the analysis decodes `bytes` (`decoded()`).
///
/// An analysis that came with its index fields encoded beside it (`init(compressed:inflatedSize:encodedIndex:)`)
/// keeps them encoded: its row's columns (`columns`) and its entity types are read when it arrives, the rest of
/// `index` (entity keys and names, topics) only when a store asks for it. A store that indexes later, from the
/// analysis itself (a collector's SQLite inbox), never does.
public struct StoredAnalysis: Sendable, Hashable {
    /// What the store indexes of an analysis.
    public struct Index: Sendable, Hashable {
        public var language: String
        public var languageConfidence: Double
        public var tone: Double
        public var simhash: UInt64
        public var entities: [Entity]
        public var topics: [(topic: String, score: Double)]

        public struct Entity: Sendable, Hashable {
            public var key: String
            public var name: String
            public var type: EntityType
            public var mentions: Int
        }

        public static func == (a: Index, b: Index) -> Bool {
            a.language == b.language && a.languageConfidence == b.languageConfidence && a.tone == b.tone
                && a.simhash == b.simhash && a.entities == b.entities
                && a.topics.elementsEqual(b.topics) { $0.topic == $1.topic && $0.score == $1.score }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(language)
            hasher.combine(simhash)
            hasher.combine(entities)
        }
    }

    /// Why bytes are not an analysis the store keeps.
    public struct Unreadable: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// What a result's own row keeps of the index.
    public struct Columns: Sendable, Hashable {
        public var language: String
        public var languageConfidence: Double
        public var tone: Double
        public var simhash: UInt64
    }

    /// Where `index` comes from: decoded already, or the encoded `AnalysisIndexView` whose framing and entity types
    /// were checked on arrival, so that decoding it cannot fail.
    private enum IndexSource: Sendable {
        case decoded(Index)
        case encoded(Data)
    }

    /// The encoded `Analysis`, without tokens; compressed when `inflatedSize` is set: a zstd frame made with the
    /// bundled dictionary (`Zstd.frameMagic` first), else zlib.
    public let bytes: Data
    public let columns: Columns
    private let indexSource: IndexSource
    /// Tokens the analysis had before they were left out.
    public let tokenCount: Int
    /// The size of the encoded analysis before compression, when `bytes` are compressed.
    public let inflatedSize: Int?

    private static let skipTheRest: BinaryDecodingOptions = {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        return options
    }()

    /// Reads an analysis as a worker sent it. Only the indexed fields are decoded; the framing of the whole is
    /// checked (a truncated or garbled message is refused), and tokens, if the job asked for them, are cut out.
    public init(encoded: Data) throws(Unreadable) {
        let view: Mirsad_V1_AnalysisIndexView
        let fields: [ProtobufFields.Field]
        do {
            fields = try ProtobufFields.fields(of: encoded)
            view = try Mirsad_V1_AnalysisIndexView(serializedBytes: encoded, options: Self.skipTheRest)
        } catch {
            throw Unreadable(reason: "the analysis does not decode: \(error)")
        }
        let tokens = fields.filter { $0.number == Self.tokensField }
        var kept = encoded
        if !tokens.isEmpty {
            kept = Data(capacity: encoded.count)
            for field in fields where field.number != Self.tokensField {
                kept.append(encoded[(encoded.startIndex + field.extent.lowerBound)..<(encoded.startIndex + field.extent.upperBound)])
            }
        }
        self.init(bytes: kept, index: try Self.index(view), tokenCount: tokens.count, inflatedSize: nil)
    }

    /// How a worker compressed an analysis: the field it came in.
    public enum Compression: Sendable {
        /// `Result.analysis_zlib` (revision 2).
        case zlib
        /// `Result.analysis_zstd` (revision 5), with the dictionary the collector named.
        case zstd
    }

    /// An analysis a worker sent compressed (`Result.analysis_zlib` or `analysis_zstd`), kept as it came, not
    /// decompressed, with the fields to index beside it as the worker encoded them (`ResultView.index`): only the
    /// columns and the entity types are read now (`AnalysisColumns`), and the rest when `index` is asked for. A zstd
    /// frame must name a dictionary this build has (`Zstd.dictionary(id:)`, the bundled one or a retired one), and
    /// only `analysis_zstd` may hold one, so that the stored bytes say by their first four how to read them.
    public init(compressed: Data, as compression: Compression = .zlib, inflatedSize: Int, encodedIndex: Data) throws(Unreadable) {
        guard inflatedSize > 0, !compressed.isEmpty else {
            throw Unreadable(reason: "a compressed analysis without its size (\(inflatedSize)) or bytes")
        }
        switch compression {
        case .zlib:
            guard !Zstd.isFrame(compressed) else { throw Unreadable(reason: "analysis_zlib holds a zstd frame") }
        case .zstd:
            guard Zstd.isFrame(compressed) else { throw Unreadable(reason: "analysis_zstd is not a zstd frame") }
            let named = Zstd.dictionaryID(ofFrame: compressed)
            guard Zstd.dictionary(id: named) != nil else {
                throw Unreadable(reason: "analysis_zstd is compressed with dictionary \(named), which this collector does not have")
            }
        }
        let read: AnalysisColumns
        do {
            read = try AnalysisColumns(encodedIndex: encodedIndex)
        } catch {
            throw Unreadable(reason: "the index fields do not decode: \(error)")
        }
        for (i, type) in read.entityTypes.enumerated() where EntityType(wire: type) == nil {
            throw Self.unknownType(type, at: i)
        }
        self.bytes = compressed
        self.columns = Columns(
            language: read.languageCode, languageConfidence: read.languageConfidence, tone: read.tone,
            simhash: read.simhash)
        self.indexSource = .encoded(encodedIndex)
        self.tokenCount = 0
        self.inflatedSize = inflatedSize
    }

    private static func unknownType(_ type: Mirsad_V1_EntityType, at i: Int) -> Unreadable {
        Unreadable(reason: "analysis.canonical_entities[\(i)].type: unspecified or unknown entity type \(type.rawValue)")
    }

    /// What the store indexes of the analysis.
    public var index: Index {
        switch indexSource {
        case .decoded(let index):
            return index
        case .encoded(let bytes):
            // Its framing and entity types were checked on arrival (`init(compressed:inflatedSize:encodedIndex:)`),
            // and text fields decode whatever their bytes: this cannot fail.
            guard let view = try? Mirsad_V1_AnalysisIndexView(serializedBytes: bytes, options: Self.skipTheRest),
                  let index = try? Self.index(view) else {
                preconditionFailure("index fields checked on arrival no longer decode")
            }
            return index
        }
    }

    public static func == (a: StoredAnalysis, b: StoredAnalysis) -> Bool {
        a.bytes == b.bytes && a.tokenCount == b.tokenCount && a.inflatedSize == b.inflatedSize && a.index == b.index
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(bytes)
        hasher.combine(tokenCount)
    }

    /// The index of a view; refuses entity types it does not know.
    private static func index(_ view: Mirsad_V1_AnalysisIndexView) throws(Unreadable) -> Index {
        try index(
            language: view.language, canonicalEntities: view.canonicalEntities, topics: view.topics, tone: view.tone,
            fingerprint: view.fingerprint)
    }

    /// The index of the fields an `AnalysisIndexView` reads, wherever they were decoded.
    private static func index(
        language: Mirsad_V1_LanguageGuess, canonicalEntities: [Mirsad_V1_CanonicalEntity], topics: [Mirsad_V1_TopicScore],
        tone: Double, fingerprint: Mirsad_V1_Fingerprint
    ) throws(Unreadable) -> Index {
        var entities: [Index.Entity] = []
        entities.reserveCapacity(canonicalEntities.count)
        for (i, entity) in canonicalEntities.enumerated() {
            guard let type = EntityType(wire: entity.type) else { throw unknownType(entity.type, at: i) }
            entities.append(Index.Entity(
                key: entity.key, name: entity.name.isEmpty ? entity.key : entity.name, type: type, mentions: Int(entity.mentions)))
        }
        return Index(
            language: language.code, languageConfidence: language.confidence, tone: tone,
            simhash: fingerprint.simhash, entities: entities, topics: topics.map { ($0.topic, $0.score) })
    }

    /// An analysis read back from a store to be indexed: what `init(stored:tokenCount:inflatedSize:)` reads and what
    /// `decoded()` gives, from one decompression and one decoding (the index is taken from the analysis decoded,
    /// whose fields of the same numbers an `AnalysisIndexView` reads). An analysis that does not decode whole (nor
    /// one holding tokens, which a stored one never does) is read as `init(stored:tokenCount:inflatedSize:)` reads
    /// it, with a nil analysis, as `decoded()` would fail on it.
    public static func readForIndexing(
        stored bytes: Data, tokenCount: Int, inflatedSize: Int?
    ) throws(Unreadable) -> (stored: StoredAnalysis, analysis: Analysis?) {
        if let encoded = try? inflatedSize.map({ try CompressedAnalysis.decompress(bytes, size: $0) }) ?? bytes,
           let wire = try? Mirsad_V1_Analysis(serializedBytes: encoded), wire.tokens.isEmpty,
           let analysis = try? Analysis(wire: wire),
           let index = try? index(
               language: wire.language, canonicalEntities: wire.canonicalEntities, topics: wire.topics, tone: wire.tone,
               fingerprint: wire.fingerprint) {
            return (StoredAnalysis(bytes: bytes, index: index, tokenCount: tokenCount, inflatedSize: inflatedSize), analysis)
        }
        return (try StoredAnalysis(stored: bytes, tokenCount: tokenCount, inflatedSize: inflatedSize), nil)
    }

    /// An analysis made in this process (tests, `mirsad analyze` into a store), encoded once.
    public init(_ analysis: Analysis) {
        var wire = Mirsad_V1_Analysis(analysis, includeTokens: false)
        wire.tokens = []
        // Encoding a message without required fields cannot fail.
        let encoded = (try? wire.serializedBytes() as Data) ?? Data()
        let read: StoredAnalysis
        do {
            read = try StoredAnalysis(encoded: encoded)
        } catch {
            preconditionFailure("an analysis encoded here does not read back: \(error)")
        }
        self.init(bytes: read.bytes, index: read.index, tokenCount: analysis.tokens.count, inflatedSize: nil)
    }

    /// An analysis read back from a store, which kept its token count and, for compressed bytes, their inflated
    /// size beside it.
    public init(stored bytes: Data, tokenCount: Int, inflatedSize: Int? = nil) throws(Unreadable) {
        guard let inflatedSize else {
            let read = try StoredAnalysis(encoded: bytes)
            self.init(bytes: read.bytes, index: read.index, tokenCount: tokenCount, inflatedSize: nil)
            return
        }
        let read: StoredAnalysis
        do {
            read = try StoredAnalysis(encoded: try CompressedAnalysis.decompress(bytes, size: inflatedSize))
        } catch let error as Unreadable {
            throw error
        } catch {
            throw Unreadable(reason: "\(error)")
        }
        self.init(bytes: bytes, index: read.index, tokenCount: tokenCount, inflatedSize: inflatedSize)
    }

    private init(bytes: Data, index: Index, tokenCount: Int, inflatedSize: Int?) {
        self.bytes = bytes
        self.columns = Columns(
            language: index.language, languageConfidence: index.languageConfidence, tone: index.tone,
            simhash: index.simhash)
        self.indexSource = .decoded(index)
        self.tokenCount = tokenCount
        self.inflatedSize = inflatedSize
    }

    /// The analysis, decoded from `bytes` (decompressed first when they are compressed), its tokens empty.
    public func decoded() throws -> Analysis {
        let encoded = try inflatedSize.map { try CompressedAnalysis.decompress(bytes, size: $0) } ?? bytes
        return try Analysis(wire: Mirsad_V1_Analysis(serializedBytes: encoded))
    }

    /// `Analysis.tokens`, field 8 of `Analysis`.
    private static let tokensField = 8
}

extension EntityType {
    /// The entity type of a wire value; nil for unspecified or unknown values.
    init?(wire: Mirsad_V1_EntityType) {
        switch wire {
        case .person: self = .person
        case .organization: self = .organization
        case .location: self = .location
        case .miscellaneous: self = .miscellaneous
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }
}
