import Foundation

extension Mirsad_V1_Result {
    /// Sets the analysis as revision 2 sends it to a collector that takes it: encoded once, deflated
    /// (`analysis_zlib`), its size before compression, and the fields a collector indexes beside it (`index`), so
    /// that the collector stores the compressed bytes without reading them. `analysis` must hold no tokens.
    public mutating func setCompressedAnalysis(_ analysis: Mirsad_V1_Analysis) throws {
        let encoded = try analysis.serializedData()
        analysisZlib = Zlib.compress(encoded)
        analysisBytes = UInt32(encoded.count)
        index = Mirsad_V1_AnalysisIndexView(indexing: analysis)
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
