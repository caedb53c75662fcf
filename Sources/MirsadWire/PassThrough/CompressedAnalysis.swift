import Foundation

extension Mirsad_V1_Result {
    /// Sets the analysis as it goes to a collector that takes it compressed: encoded once, compressed with
    /// `dictionary` (`analysis_zstd`, revision 5) when the collector takes that dictionary, else deflated
    /// (`analysis_zlib`, revision 2), with its size before compression and the fields a collector indexes beside
    /// it (`index`), so that the collector stores the compressed bytes without reading them. `analysis` must hold
    /// no tokens.
    public mutating func setCompressedAnalysis(_ analysis: Mirsad_V1_Analysis, dictionary: Zstd.Dictionary? = nil) throws {
        let encoded = try analysis.serializedData()
        if let dictionary {
            analysisZstd = dictionary.compress(encoded)
        } else {
            analysisZlib = Zlib.compress(encoded)
        }
        analysisBytes = UInt32(encoded.count)
        index = Mirsad_V1_AnalysisIndexView(indexing: analysis)
    }
}

/// The one way back from a compressed analysis as a worker sent it and a store keeps it: a zstd frame
/// (`Zstd.frameMagic`) with the dictionary it names (the bundled one or a retired one), else zlib.
public enum CompressedAnalysis {
    /// `bytes` decompressed; they must come to exactly `size` bytes, at most `limit`.
    public static func decompress(_ bytes: Data, size: Int, limit: Int = ProtocolLimits.maxFrameBytes) throws -> Data {
        guard Zstd.isFrame(bytes) else { return try Zlib.decompress(bytes, size: size, limit: limit) }
        let named = Zstd.dictionaryID(ofFrame: bytes)
        guard let dictionary = Zstd.dictionary(id: named) else {
            throw Zstd.Failure(reason: "a zstd frame compressed with dictionary \(named), which this build does not have")
        }
        return try dictionary.decompress(bytes, size: size, limit: limit)
    }
}

extension Mirsad_V1_AnalysisIndexView {
    /// The fields of `analysis` that a collector indexes: language, canonical entities (without their variants),
    /// topics, tone and the fingerprint's simhash.
    public init(indexing analysis: Mirsad_V1_Analysis) {
        self.init()
        language = analysis.language
        canonicalEntities = analysis.canonicalEntities.map { entity in
            .with {
                $0.key = entity.key
                $0.type = entity.type
                $0.mentions = entity.mentions
                $0.name = entity.name
            }
        }
        topics = analysis.topics
        tone = analysis.tone
        fingerprint.simhash = analysis.fingerprint.simhash
    }
}
