import ArticleAnalysis
import Foundation
@testable import ReportStore

/// Articles made to order for the article, aggregate and story tests.
enum StoreTestArticles {
    /// An analysis whose text is `text` (its content hash), with the given entities, topic, quote speakers and
    /// attributions.
    static func analysis(
        text: String, entities: [(String, EntityType, Int)], topics: [String] = ["politics"], speakers: [String?] = [],
        named: Int = 0, anonymous: Int = 0, tone: Double = 0, keywords: [String] = [], minhash: [UInt32]? = nil
    ) -> Analysis {
        Analysis(
            language: LanguageGuess(code: "ar", confidence: 0.9),
            cleanText: text, normalizedText: text,
            canonicalEntities: entities.map { CanonicalEntity(key: $0.0, name: $0.0, type: $0.1, mentions: $0.2, variants: [$0.0]) },
            quotes: speakers.map { Quote(kind: .reported, text: "قال", speaker: $0, speakerEntity: nil, cue: "قال", span: TextSpan(start: 0, end: 1)) },
            sources: Array(repeating: SourceAttribution(kind: .named, text: "رويترز", span: TextSpan(start: 0, end: 1)), count: named)
                + Array(repeating: SourceAttribution(kind: .anonymous, text: "مصادر", span: TextSpan(start: 0, end: 1)), count: anonymous),
            keywords: keywords.enumerated().map { Keyword(phrase: $1, score: Double(10 - $0)) },
            topics: topics.map { TopicScore(topic: $0, score: 0.5) },
            tone: tone,
            fingerprint: Fingerprint(simhash: StableHash.fnv1a64(text), minhash: minhash ?? (0..<64).map { UInt32(truncatingIfNeeded: StableHash.mix(StableHash.fnv1a64(text) &+ UInt64($0))) }))
    }

    static func result(
        job: String, article: String, source: String = "CNN", published: String? = "2018-10-03T10:00:00+00:00",
        url: String? = nil, analysis: Analysis
    ) -> StoredResult {
        StoredResult(
            jobID: job, batchID: "b", article: ArticleMetadata(id: article, url: url, source: source, title: "عنوان \(article)", published: published),
            outcome: .analysed(analysis), workerID: "w", analysedAt: Date(timeIntervalSince1970: 1_700_000_000))
    }
}
