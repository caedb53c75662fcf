import ArticleAnalysis
import Foundation
import Testing
@testable import ReportStore

@Suite struct StreamingJSONEncoderTests {
    @Test func anAnalysisDecodesBackEqual() throws {
        var analysis = Fixtures.analysis(entities: [("\"حماس\"", .organization, 2)])
        analysis.cleanText = "سطر أول\nسطر \"ثان\"\t\\ النهاية\u{1}\u{1F600} 🇪🇬"
        analysis.title = nil
        analysis.tone = -0.000012345
        analysis.anonymousSourceShare = 1e300
        analysis.fingerprint.simhash = UInt64.max
        let bytes = try StreamingJSONEncoder.encode(analysis)
        #expect(try JSONDecoder().decode(Analysis.self, from: Data(bytes)) == analysis)
    }

    @Test func escapesAreValidJSON() throws {
        let bytes = try StreamingJSONEncoder.encode(["a\"b", "c\\d", "e\nf", "\u{0}\u{1F}"])
        #expect(String(decoding: bytes, as: UTF8.self) == #"["a\"b","c\\d","e\nf","\u0000\u001f"]"#)
    }

    @Test func absentOptionalsAreLeftOutAndEmptyValuesWritten() throws {
        struct Sample: Codable, Equatable {
            var name: String?
            var list: [Int] = []
            var nested: [String: Double] = [:]
        }
        #expect(String(decoding: try StreamingJSONEncoder.encode(Sample()), as: UTF8.self) == #"{"list":[],"nested":{}}"#)
    }

    @Test func whatItCannotWriteIsRefusedSoTheCallerFallsBack() throws {
        #expect(throws: StreamingJSONEncoder.Unsupported.self) {
            try StreamingJSONEncoder.encode(Article.Content.text("نص"))
        }
        #expect(throws: StreamingJSONEncoder.Unsupported.self) { try StreamingJSONEncoder.encode([Double.nan]) }
    }
}
