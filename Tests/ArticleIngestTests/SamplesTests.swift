import ArticleAnalysis
import Foundation
import Testing
@testable import ArticleIngest

/// The samples that ship in the repository read cleanly.
@Suite struct SamplesTests {
    private static let samples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples").path

    @Test func theSamplesFolderReadsWithoutProblems() throws {
        let (articles, problems, summary) = ArticleReader().readAll([Self.samples])
        #expect(problems.isEmpty, "\(problems)")
        #expect(articles.count == 62)
        #expect(Set(articles.compactMap(\.source)) == ["alarabia", "BBC", "CNN", "france24"])
        #expect(articles.filter { if case .html = $0.content { true } else { false } }.count == 1)
        #expect(summary.filesSkipped == 1, "README.md is not an article")
    }
}
