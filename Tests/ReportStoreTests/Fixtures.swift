import ArticleAnalysis
import Foundation
@testable import ReportStore

/// Builds results and temporary store files for the tests.
enum Fixtures {
    /// A fresh directory under the system's temporary directory, removed by the caller with `remove`.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mirsad-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    /// An analysis with every field filled, entities given as (key, type, mentions).
    static func analysis(
        entities: [(String, EntityType, Int)] = [], tone: Double = 0.25, words: Int = 40
    ) -> Analysis {
        let text = (0..<words).map { "كلمة\($0)" }.joined(separator: " ")
        var offset = 0
        let tokens = text.split(separator: " ").map { word -> Token in
            defer { offset += word.utf8.count + 1 }
            return Token(
                text: String(word), normalized: String(word), base: String(word), stem: String(word),
                span: TextSpan(start: offset, end: offset + word.utf8.count), isStopword: false)
        }
        return Analysis(
            language: LanguageGuess(code: "ar", confidence: 0.97),
            title: "عنوان الخبر",
            headings: ["فقرة"],
            cleanText: text,
            removedLines: ["شارك الخبر"],
            normalizedText: text,
            sentences: [TextSpan(start: 0, end: text.utf8.count)],
            tokens: tokens,
            entities: entities.map {
                EntityMention(type: $0.1, text: $0.0, canonical: $0.0, span: TextSpan(start: 0, end: 4))
            },
            canonicalEntities: entities.map {
                CanonicalEntity(key: $0.0, type: $0.1, mentions: $0.2, variants: [$0.0, "ال" + $0.0])
            },
            quotes: [Quote(kind: .direct, text: "نص", speaker: "الوزير", speakerEntity: nil, cue: "قال",
                           span: TextSpan(start: 2, end: 8))],
            sources: [SourceAttribution(kind: .anonymous, text: "مصادر مطلعة", span: TextSpan(start: 0, end: 3))],
            anonymousSourceShare: 1,
            keywords: [Keyword(phrase: "الاقتصاد", score: 3.5), Keyword(phrase: "التضخم", score: 2)],
            topics: [TopicScore(topic: "economy", score: 0.8)],
            tone: tone,
            summary: ["جملة أولى"],
            fingerprint: Fingerprint(simhash: 0xF000_0000_0000_0001, minhash: [1, 2, 3, UInt32.max]),
            flags: [.bidiControls]
        )
    }

    static func result(
        _ jobID: String, batch: String = "batch-1", analysis: Analysis? = Fixtures.analysis(),
        source: String = "CNN"
    ) -> StoredResult {
        StoredResult(
            jobID: jobID,
            batchID: batch,
            article: ArticleMetadata(
                id: "article-\(jobID)", url: "https://example.com/\(jobID)", source: source, category: "economy",
                title: "عنوان \(jobID)", published: "2018-10-03T10:12:11+00:00", author: nil),
            outcome: analysis.map { .analysed($0) } ?? .failed(reason: "analysis timed out"),
            workerID: "worker-7",
            submittedAt: Date(timeIntervalSince1970: 1_700_000_000.1234),
            analysedAt: Date(timeIntervalSince1970: 1_700_000_001.9876))
    }
}

/// The store implementations, so that one test checks every conformer.
enum StoreKind: String, CaseIterable {
    case sqlite
    /// SQLite committing to its inbox (`ResultInbox`), indexed by `indexed(_:)`.
    case sqliteStaged
    case memory

    /// A new empty store; `directory` holds its files when it has any.
    func make(in directory: URL) throws -> any ReportStore {
        let path = directory.appendingPathComponent("store.sqlite").path
        switch self {
        case .sqlite: return try SQLiteReportStore(path: path)
        case .sqliteStaged: return try SQLiteReportStore(path: path, options: .init(stagesResults: true))
        case .memory: return InMemoryReportStore()
        }
    }

    /// `store`, with what waits in its inbox indexed (reports count indexed results only).
    func indexed(_ store: any ReportStore) throws -> any ReportStore {
        if case .sqliteStaged = self { try (store as! SQLiteReportStore).indexAll() }
        return store
    }
}

