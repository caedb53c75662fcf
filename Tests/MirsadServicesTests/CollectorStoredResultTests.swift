import ArticleAnalysis
import Foundation
import MirsadWire
import ReportStore
import Testing
@testable import MirsadServices

/// Results built the way a worker builds them: a real analysis of a real article, converted to the wire form.
enum SampleResults {
    static let analyzer = ArticleAnalyzer(recognizer: EntityRecognizer())

    static let article = Article(
        id: "ant-17", url: "https://example.org/17", source: "وكالة", category: "سياسة", title: "وصول وفد",
        published: "2024-05-01T10:00:00Z", author: "مراسل",
        content: .text("وصل وفد قيادي من حركة حماس إلى القاهرة لبحث الملفات المتعلقة بإدارة قطاع غزة. وقال مسؤول إن المحادثات ستستمر."))

    static func result(jobID: String = "b1:0", article: Article = article, finishedUnixMs: UInt64 = 1_714_557_600_123) -> (Mirsad_V1_Result, Analysis) {
        let analysis = analyzer.analyze(article)
        var result = Mirsad_V1_Result()
        result.jobID = jobID
        result.batchID = "b1"
        result.article = Mirsad_V1_ArticleMetadata(article)
        result.analysis = Mirsad_V1_Analysis(analysis, includeTokens: true)
        result.workerID = "worker-a"
        result.timings.finishedUnixMs = finishedUnixMs
        return (result, analysis)
    }
}

@Suite struct CollectorStoredResultTests {
    @Test func goodResultIsStoredAsAnalysed() throws {
        let (wire, analysis) = SampleResults.result()
        #expect(!analysis.tokens.isEmpty)
        let stored = try CollectorService.storedResult(from: wire)
        #expect(stored.jobID == "b1:0")
        #expect(stored.batchID == "b1")
        #expect(stored.workerID == "worker-a")
        #expect(stored.article == ArticleMetadata(SampleResults.article))
        #expect(stored.failureReason == nil)
        let expected = StoredResult(
            jobID: "b1:0", batchID: "b1", article: ArticleMetadata(SampleResults.article), outcome: .analysed(analysis),
            workerID: "worker-a")
        #expect(stored.analysis == expected.analysis)
        #expect(stored.tokenCount == analysis.tokens.count)
        #expect(stored.analysedAt == Date(timeIntervalSince1970: 1_714_557_600.123))
    }

    @Test func noFinishTimeMeansNoAnalysedAt() throws {
        let (wire, _) = SampleResults.result(finishedUnixMs: 0)
        #expect(try CollectorService.storedResult(from: wire).analysedAt == nil)
    }

    /// The view a collector reads a result through: the analysis as the worker encoded it.
    static func view(_ result: Mirsad_V1_Result, analysis: Data? = nil) throws -> Mirsad_V1_ResultView {
        try Mirsad_V1_ResultView(serializedBytes: result.serializedBytes() as [UInt8]).with(analysis: analysis)
    }

    @Test func theAnalysisIsStoredAsTheWorkerEncodedItLessTokens() throws {
        let (wire, analysis) = SampleResults.result()
        let stored = try CollectorService.storedResult(from: try Self.view(wire))
        let kept = try #require(stored.storedAnalysis)
        var withoutTokens = wire.analysis
        withoutTokens.tokens = []
        #expect(kept.bytes == (try withoutTokens.serializedData()))
        #expect(kept.tokenCount == analysis.tokens.count)
        #expect(kept.index.entities.map(\.key) == analysis.canonicalEntities.map(\.key))
    }

    /// The refusal that goes back to the worker for a result that cannot be read, or nil when it can.
    static func refusal(_ view: Mirsad_V1_ResultView) -> ResultRefusal? {
        do {
            _ = try CollectorService.storedResult(from: view)
            return nil
        } catch {
            return error
        }
    }

    static func refusal(_ result: Mirsad_V1_Result) throws -> ResultRefusal? { refusal(try view(result)) }

    @Test func aGarbledAnalysisIsRefusedWithTheReason() throws {
        let (wire, _) = SampleResults.result()
        let garbled = Data([0x22, 0xFF, 0x01])  // field 4 claiming more bytes than follow
        let refusal = try #require(Self.refusal(try Self.view(wire, analysis: garbled)), "a garbled analysis was taken")
        // The job is named, so that its worker can report it failed and the dispatcher retry it.
        #expect(refusal.jobID == "b1:0")
        #expect(refusal.reason.hasPrefix("unreadable analysis: "), "\(refusal.reason)")
        #expect(refusal.wire.jobID == "b1:0" && refusal.wire.reason == refusal.reason)
    }

    /// Spans are checked when the analysis is read, not when it is stored: storing decodes only what it indexes.
    @Test func aSpanOutsideTheTextIsFoundWhenTheAnalysisIsRead() throws {
        var (wire, _) = SampleResults.result()
        let bytes = Int64(wire.analysis.cleanText.utf8.count)
        wire.analysis.sentences[0].end = bytes + 10
        let stored = try CollectorService.storedResult(from: wire)
        let kept = try #require(stored.storedAnalysis)
        #expect(throws: (any Error).self) { try kept.decoded() }
        do {
            _ = try kept.decoded()
        } catch {
            #expect("\(error)".contains("analysis.sentences[0].span"), "\(error)")
        }
    }

    /// Revision 5: an analysis compressed with the dictionary the collector named is kept as the worker sent it
    /// and reads back whole; a frame of another dictionary, or a field holding the other compression, is refused.
    @Test func aZstdAnalysisIsStoredAsItCameAndOthersAreRefusedByName() throws {
        let (plain, analysis) = SampleResults.result()
        var wireAnalysis = plain.analysis
        wireAnalysis.tokens = []
        var wire = plain
        wire.analysis = Mirsad_V1_Analysis()
        let dictionary = try Zstd.bundled.get()
        try wire.setCompressedAnalysis(wireAnalysis, dictionary: dictionary)
        let stored = try CollectorService.storedResult(from: try Self.view(wire))
        let kept = try #require(stored.storedAnalysis)
        #expect(kept.bytes == wire.analysisZstd && Zstd.dictionaryID(ofFrame: kept.bytes) == dictionary.id)
        var expected = analysis
        expected.tokens = []
        expected.normalizedText = ArabicNormalizer.normalize(expected.cleanText)
        #expect(try kept.decoded() == expected)

        var foreign = wire
        let samples = (0..<300).map { Data("sample \($0) \(String(repeating: "news ", count: $0 % 17))".utf8) }
        let other = try Zstd.Dictionary(bytes: try Zstd.trainDictionary(samples: samples, capacity: 2_048))
        foreign.analysisZstd = other.compress(try wireAnalysis.serializedData())
        let reason = try #require(try Self.refusal(foreign)?.reason, "a frame of another dictionary was taken")
        #expect(reason.contains("dictionary \(other.id)"), "\(reason)")

        var swapped = wire
        swapped.analysisZlib = wire.analysisZstd
        swapped.analysisZstd = Data()
        #expect(try Self.refusal(swapped)?.reason.contains("analysis_zlib holds a zstd frame") == true)
        var notAFrame = wire
        notAFrame.analysisZstd = Zlib.compress(try wireAnalysis.serializedData())
        #expect(try Self.refusal(notAFrame)?.reason.contains("not a zstd frame") == true)
    }

    @Test func unknownCanonicalEntityTypeIsAnUnreadableAnalysis() throws {
        var (wire, _) = SampleResults.result()
        var entity = Mirsad_V1_CanonicalEntity()
        entity.type = .unspecified
        entity.key = "غزه"
        wire.analysis.canonicalEntities.append(entity)
        let reason = try #require(try Self.refusal(wire)?.reason, "an unknown entity type was taken")
        #expect(reason.contains("canonical_entities[\(wire.analysis.canonicalEntities.count - 1)].type"), "\(reason)")
    }

    @Test func missingMetadataIdFallsBackToTheJobId() throws {
        var (wire, _) = SampleResults.result(jobID: "batch-9:41")
        wire.article.id = ""
        let stored = try CollectorService.storedResult(from: wire)
        #expect(stored.article.id == "batch-9:41")
        #expect(stored.analysis != nil)
    }

    @Test func resultWithoutAnyMetadataFallsBackToTheJobId() throws {
        var (wire, _) = SampleResults.result(jobID: "b2:3")
        wire.clearArticle()
        #expect(try CollectorService.storedResult(from: wire).article == ArticleMetadata(id: "b2:3"))
    }

    @Test func storedResultsRoundTripThroughARealSQLiteFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-svc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("reports.sqlite").path)

        let good = try CollectorService.storedResult(from: SampleResults.result(jobID: "b1:0").0)
        let outcome = try store.store([good])
        #expect(outcome.inserted == ["b1:0"])
        #expect(try store.count() == StoreCounts(analysed: 1, failed: 0))
        #expect(try store.result(jobID: "b1:0") == good)
    }

    /// Metadata that does not convert as a whole (here an input flag this build does not know, as a newer worker
    /// could send) keeps its other fields.
    @Test func unknownInputFlagKeepsTheRestOfTheMetadata() throws {
        var (wire, _) = SampleResults.result()
        wire.article.inputFlags = ["flag-from-a-newer-worker"]
        let stored = try CollectorService.storedResult(from: wire)
        #expect(stored.analysis != nil)
        #expect(stored.article.id == "ant-17")
        #expect(stored.article.title == SampleResults.article.title)
    }
}

extension Mirsad_V1_ResultView {
    /// This view with other analysis bytes, when given.
    func with(analysis: Data?) -> Self {
        var copy = self
        if let analysis { copy.analysis = analysis }
        return copy
    }
}
