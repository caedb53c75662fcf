import ArticleAnalysis
import Foundation
import Testing
@testable import ArticleIngest

/// The real corpus in ../shared: every article read, nothing reported.
@Suite(.enabled(if: SharedData.requiredOrPresent, "needs ../shared (or MIRSAD_SHARED)"))
struct CorpusTests {
    @Test func theFullANTCorpusYieldsEveryArticle() throws {
        guard SharedData.available("corpus/ant/articles.jsonl.gz") else { return }
        var ids = Set<String>()
        var sources = Set<String>()
        var problems: [IngestProblem] = []
        let summary = try ArticleReader().read([SharedData.url("corpus/ant/articles.jsonl.gz").path]) { event in
            switch event {
            case .article(let article):
                ids.insert(article.id)
                if let source = article.source { sources.insert(source) }
            case .problem(let problem):
                problems.append(problem)
            }
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(summary.articles == 17_815)
        #expect(ids.count == 17_815)
        #expect(sources.count == 4)
    }

    @Test func theSampleMatchesItsLineCount() throws {
        guard SharedData.available("corpus/ant/sample-500.jsonl") else { return }
        let (articles, problems, _) = ArticleReader().readAll([SharedData.url("corpus/ant/sample-500.jsonl").path])
        #expect(problems.isEmpty)
        #expect(articles.count == 500)
        #expect(articles.allSatisfy { $0.title != nil && $0.url != nil && !$0.content.raw.isEmpty })
    }
}
