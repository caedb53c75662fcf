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
        let stored = CollectorService.storedResult(from: wire)
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

    @Test func noFinishTimeMeansNoAnalysedAt() {
        let (wire, _) = SampleResults.result(finishedUnixMs: 0)
        #expect(CollectorService.storedResult(from: wire).analysedAt == nil)
    }

    /// The view a collector reads a result through: the analysis as the worker encoded it.
    static func view(_ result: Mirsad_V1_Result, analysis: Data? = nil) throws -> Mirsad_V1_ResultView {
        try Mirsad_V1_ResultView(serializedBytes: result.serializedBytes() as [UInt8]).with(analysis: analysis)
    }

    @Test func theAnalysisIsStoredAsTheWorkerEncodedItLessTokens() throws {
        let (wire, analysis) = SampleResults.result()
        let stored = CollectorService.storedResult(from: try Self.view(wire))
        let kept = try #require(stored.storedAnalysis)
        var withoutTokens = wire.analysis
        withoutTokens.tokens = []
        #expect(kept.bytes == (try withoutTokens.serializedData()))
        #expect(kept.tokenCount == analysis.tokens.count)
        #expect(kept.index.entities.map(\.key) == analysis.canonicalEntities.map(\.key))
    }

    @Test func aGarbledAnalysisIsStoredAsFailedWithTheReason() throws {
        let (wire, _) = SampleResults.result()
        let garbled = Data([0x22, 0xFF, 0x01])  // field 4 claiming more bytes than follow
        let stored = CollectorService.storedResult(from: try Self.view(wire, analysis: garbled))
        #expect(stored.analysis == nil)
        let reason = try #require(stored.failureReason)
        #expect(reason.hasPrefix("unreadable analysis: "), "\(reason)")
        #expect(stored.tokenCount == 0)
        // The job is still identified, so it is stored once and not resent forever.
        #expect(stored.jobID == "b1:0")
        #expect(stored.article.id == "ant-17")
    }

    /// Spans are checked when the analysis is read, not when it is stored: storing decodes only what it indexes.
    @Test func aSpanOutsideTheTextIsFoundWhenTheAnalysisIsRead() throws {
        var (wire, _) = SampleResults.result()
        let bytes = Int64(wire.analysis.cleanText.utf8.count)
        wire.analysis.sentences[0].end = bytes + 10
        let stored = CollectorService.storedResult(from: wire)
        let kept = try #require(stored.storedAnalysis)
        #expect(throws: (any Error).self) { try kept.decoded() }
        do {
            _ = try kept.decoded()
        } catch {
            #expect("\(error)".contains("analysis.sentences[0].span"), "\(error)")
        }
    }

    @Test func unknownCanonicalEntityTypeIsAnUnreadableAnalysis() throws {
        var (wire, _) = SampleResults.result()
        var entity = Mirsad_V1_CanonicalEntity()
        entity.type = .unspecified
        entity.key = "غزه"
        wire.analysis.canonicalEntities.append(entity)
        let reason = try #require(CollectorService.storedResult(from: wire).failureReason)
        #expect(reason.contains("canonical_entities[\(wire.analysis.canonicalEntities.count - 1)].type"), "\(reason)")
    }

    @Test func missingMetadataIdFallsBackToTheJobId() {
        var (wire, _) = SampleResults.result(jobID: "batch-9:41")
        wire.article.id = ""
        let stored = CollectorService.storedResult(from: wire)
        #expect(stored.article.id == "batch-9:41")
        #expect(stored.analysis != nil)
    }

    @Test func resultWithoutAnyMetadataFallsBackToTheJobId() {
        var (wire, _) = SampleResults.result(jobID: "b2:3")
        wire.clearArticle()
        #expect(CollectorService.storedResult(from: wire).article == ArticleMetadata(id: "b2:3"))
    }

    @Test func storedResultsRoundTripThroughARealSQLiteFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-svc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("reports.sqlite").path)

        let good = CollectorService.storedResult(from: SampleResults.result(jobID: "b1:0").0)
        let broken = SampleResults.result(jobID: "b1:1").0
        let failed = CollectorService.storedResult(from: try Self.view(broken, analysis: Data([0x0A, 0x09])))
        let outcome = try store.store([good, failed])
        #expect(outcome.inserted == ["b1:0", "b1:1"])
        #expect(try store.count() == StoreCounts(analysed: 1, failed: 1))
        #expect(try store.result(jobID: "b1:0") == good)
        #expect(try store.result(jobID: "b1:1")?.failureReason == failed.failureReason)
    }

    /// Metadata that does not convert as a whole (here an input flag this build does not know, as a newer worker
    /// could send) keeps its other fields.
    @Test func unknownInputFlagKeepsTheRestOfTheMetadata() {
        var (wire, _) = SampleResults.result()
        wire.article.inputFlags = ["flag-from-a-newer-worker"]
        let stored = CollectorService.storedResult(from: wire)
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
