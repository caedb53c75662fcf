import Testing
@testable import ArticleAnalysis

@Test func analyzerKeepsInputFlags() {
    let article = Article(id: "x", content: .text("a b"), inputFlags: [.invalidUTF8Replaced])
    #expect(ArticleAnalyzer().analyze(article).flags == [.invalidUTF8Replaced])
}
