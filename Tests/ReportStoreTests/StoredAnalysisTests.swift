import ArticleAnalysis
import Foundation
import MirsadWire
import Testing
@testable import ReportStore

/// The store keeps an analysis as its worker encoded it: only the indexed fields are read, tokens are cut out.
@Suite struct StoredAnalysisTests {
    static let analysis = Fixtures.analysis(entities: [("حماس", .organization, 3), ("غزة", .location, 1)], words: 20)

    @Test func theIndexIsReadFromTheBytes() throws {
        let bytes = try Mirsad_V1_Analysis(Self.analysis, includeTokens: false).serializedData()
        let stored = try StoredAnalysis(encoded: bytes)
        #expect(stored.bytes == bytes, "an analysis without tokens is kept byte for byte")
        #expect(stored.tokenCount == 0)
        #expect(stored.index.entities.map(\.key) == Self.analysis.canonicalEntities.map(\.key))
        #expect(stored.index.entities.map(\.mentions) == Self.analysis.canonicalEntities.map(\.mentions))
        #expect(stored.index.language == Self.analysis.language.code)
        #expect(stored.index.simhash == Self.analysis.fingerprint.simhash)
        #expect(stored.index.topics.map(\.topic) == Self.analysis.topics.map(\.topic))
    }

    @Test func tokensAreCutOutAndCounted() throws {
        let withTokens = try Mirsad_V1_Analysis(Self.analysis, includeTokens: true).serializedData()
        let withoutTokens = try Mirsad_V1_Analysis(Self.analysis, includeTokens: false).serializedData()
        #expect(Self.analysis.tokens.count == 20)
        let stored = try StoredAnalysis(encoded: withTokens)
        #expect(stored.tokenCount == 20)
        #expect(stored.bytes == withoutTokens)
        var expected = Self.analysis
        expected.tokens = []
        #expect(try stored.decoded() == expected)
    }

    @Test func theNormalizedTextLeftOutIsDerivedWhenRead() throws {
        var analysis = Self.analysis
        analysis.cleanText = "قالت الوزارة إن المحادثات ستستمر"
        analysis.normalizedText = ArabicNormalizer.normalize(analysis.cleanText)
        analysis.sentences = []
        analysis.entities = []
        analysis.quotes = []
        analysis.sources = []
        analysis.tokens = []
        let bytes = try Mirsad_V1_Analysis(analysis, includeTokens: false, includeNormalizedText: false).serializedData()
        let decoded = try StoredAnalysis(encoded: bytes).decoded()
        #expect(decoded.normalizedText == analysis.normalizedText)
    }

    /// Reading for indexing decodes once what `init(stored:)` and `decoded()` read in two: the same stored analysis,
    /// index and analysis, compressed or not; whatever does not decode whole is read as `init(stored:)` reads it.
    @Test func readingForIndexingGivesWhatTheTwoReadsGive() throws {
        var expected = Self.analysis
        expected.tokens = []
        let plain = try Mirsad_V1_Analysis(expected, includeTokens: false).serializedData()
        var result = Mirsad_V1_Result()
        try result.setCompressedAnalysis(Mirsad_V1_Analysis(expected, includeTokens: false))
        for (bytes, inflated) in [(plain, nil), (result.analysisZlib, Int(result.analysisBytes))] as [(Data, Int?)] {
            let read = try StoredAnalysis.readForIndexing(stored: bytes, tokenCount: 20, inflatedSize: inflated)
            let twice = try StoredAnalysis(stored: bytes, tokenCount: 20, inflatedSize: inflated)
            #expect(read.stored == twice)
            #expect(read.stored.index == twice.index)
            #expect(read.stored.columns == twice.columns)
            #expect(read.analysis == (try twice.decoded()))
            #expect(read.analysis == expected)
        }

        // A span past the clean text: the row reads (its index is fine), the analysis does not, as `decoded()`.
        var outOfRange = Mirsad_V1_Analysis(expected, includeTokens: false)
        outOfRange.sentences[0].end = Int64(expected.cleanText.utf8.count + 1)
        let bad = try outOfRange.serializedData()
        #expect(throws: (any Error).self) { try StoredAnalysis(stored: bad, tokenCount: 0).decoded() }
        let read = try StoredAnalysis.readForIndexing(stored: bad, tokenCount: 0, inflatedSize: nil)
        #expect(read.analysis == nil)
        #expect(read.stored == (try StoredAnalysis(stored: bad, tokenCount: 0)))

        // An unknown entity type refuses the row either way.
        var unknownType = Mirsad_V1_Analysis(expected, includeTokens: false)
        unknownType.canonicalEntities[0].type = .unspecified
        let refused = try unknownType.serializedData()
        #expect(throws: StoredAnalysis.Unreadable.self) { try StoredAnalysis(stored: refused, tokenCount: 0) }
        #expect(throws: StoredAnalysis.Unreadable.self) {
            try StoredAnalysis.readForIndexing(stored: refused, tokenCount: 0, inflatedSize: nil)
        }

        // Tokens, which a stored analysis never holds, are cut out as `init(stored:)` cuts them.
        let withTokens = try Mirsad_V1_Analysis(Self.analysis, includeTokens: true).serializedData()
        let cut = try StoredAnalysis.readForIndexing(stored: withTokens, tokenCount: 20, inflatedSize: nil)
        #expect(cut.stored == (try StoredAnalysis(stored: withTokens, tokenCount: 20)))
        #expect(cut.stored.bytes == plain)
    }

    @Test func garbledBytesAreRefusedWithAReason() {
        #expect(throws: StoredAnalysis.Unreadable.self) { try StoredAnalysis(encoded: Data([0x52, 0x10, 0x00])) }
    }
}

/// Analyses a worker sent compressed are kept compressed, indexed from the fields sent beside them.
@Suite struct CompressedAnalysisTests {
    @Test func aCompressedAnalysisIsKeptAsItCameAndReadsBackWhole() throws {
        var expected = StoredAnalysisTests.analysis
        expected.tokens = []
        var result = Mirsad_V1_Result()
        try result.setCompressedAnalysis(Mirsad_V1_Analysis(expected, includeTokens: false))
        #expect(result.analysisZlib.count < Int(result.analysisBytes))
        let stored = try StoredAnalysis(
            compressed: result.analysisZlib, inflatedSize: Int(result.analysisBytes), encodedIndex: try result.index.serializedData())
        #expect(stored.bytes == result.analysisZlib)
        #expect(stored.index == (try StoredAnalysis(encoded: try Mirsad_V1_Analysis(expected, includeTokens: false).serializedData())).index)
        #expect(try stored.decoded() == expected)

        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("z.sqlite").path)
        let row = StoredResult(jobID: "z:0", batchID: "z", article: ArticleMetadata(id: "a"), content: .analysis(stored), workerID: "w")
        _ = try store.store([row])
        let back = try #require(try store.result(jobID: "z:0"))
        #expect(back == row)
        #expect(back.analysis == expected)
        #expect(try store.topEntities(limit: 5, type: nil).map(\.key) == expected.canonicalEntities.map(\.key))
    }

    @Test func aCompressedAnalysisThatDoesNotInflateIsFoundWhenRead() throws {
        let index = try Mirsad_V1_AnalysisIndexView().serializedData()
        let stored = try StoredAnalysis(compressed: Data([1, 2, 3, 4]), inflatedSize: 100, encodedIndex: index)
        #expect(throws: (any Error).self) { try stored.decoded() }
        #expect(throws: StoredAnalysis.Unreadable.self) {
            try StoredAnalysis(compressed: Data([1]), inflatedSize: 0, encodedIndex: index)
        }
    }
}

/// A compressed analysis whose index fields stay encoded until a store asks for them.
@Suite struct EncodedIndexTests {
    static func compressedResult() throws -> (Mirsad_V1_Result, Analysis) {
        var expected = StoredAnalysisTests.analysis
        expected.tokens = []
        var result = Mirsad_V1_Result()
        try result.setCompressedAnalysis(Mirsad_V1_Analysis(expected, includeTokens: false))
        return (result, expected)
    }

    @Test func columnsAndIndexReadFromTheEncodedFieldsEqualThoseOfTheDecodedOnes() throws {
        let (result, _) = try Self.compressedResult()
        // The same bytes read back from a store: the index decoded from the analysis itself.
        let decoded = try StoredAnalysis(stored: result.analysisZlib, tokenCount: 0, inflatedSize: Int(result.analysisBytes))
        let lazy = try StoredAnalysis(
            compressed: result.analysisZlib, inflatedSize: Int(result.analysisBytes), encodedIndex: try result.index.serializedData())
        #expect(!decoded.index.entities.isEmpty && !decoded.index.topics.isEmpty, "the sample has entities and topics")
        #expect(lazy.columns == decoded.columns)
        #expect(lazy.index == decoded.index)
        #expect(lazy == decoded)
        #expect(lazy.columns.language == decoded.index.language && lazy.columns.simhash == decoded.index.simhash)
    }

    @Test func anUnknownEntityTypeInTheEncodedFieldsIsRefusedOnArrival() throws {
        var (result, _) = try Self.compressedResult()
        result.index.canonicalEntities[1].type = .unspecified
        #expect {
            try StoredAnalysis(
                compressed: result.analysisZlib, inflatedSize: Int(result.analysisBytes),
                encodedIndex: try result.index.serializedData())
        } throws: { error in
            "\(error)".contains("canonical_entities[1].type")
        }
    }

    @Test func garbledEncodedFieldsAreRefusedOnArrival() throws {
        let (result, _) = try Self.compressedResult()
        var bytes = try result.index.serializedData()
        bytes.removeLast(3)
        #expect(throws: StoredAnalysis.Unreadable.self) {
            try StoredAnalysis(compressed: result.analysisZlib, inflatedSize: Int(result.analysisBytes), encodedIndex: bytes)
        }
    }
}
