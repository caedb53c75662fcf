import ArticleAnalysis
import Foundation
import GRDB
import Testing
@testable import ReportStore

/// Articles by identity: seen again, new versions, and what reports count.
@Suite struct ArticleLedgerTests {
    typealias A = StoreTestArticles

    @Test func resubmittingTheSameArticlesChangesNoCount() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("s.sqlite").path)
        func batch(_ run: Int) -> [StoredResult] {
            (0..<5).map { i in
                A.result(job: "run\(run)-\(i)", article: "a\(i)", analysis: A.analysis(
                    text: "نص \(i)", entities: [("غزه", .location, i + 1), ("حماس", .organization, 1)], speakers: ["الوزير"], named: 1))
            }
        }
        _ = try store.store(batch(1))
        let first = try store.overview(ReportFilter())
        for run in 2...3 { _ = try store.store(batch(run)) }
        let again = try store.overview(ReportFilter())
        #expect(again.topEntities == first.topEntities)
        #expect(again.sources == first.sources)
        #expect(again.speakers == first.speakers)
        #expect(again.stories == first.stories)
        #expect(again.summary.articles == 5)
        #expect(again.summary.results == 15)
        #expect(again.summary.repeats == 10)
        #expect(try store.topEntities(limit: 1, type: nil) == [EntityCount(key: "غزه", type: .location, mentions: 15, articles: 5)])
        let page = try #require(try store.article(id: "a3"))
        #expect(page.seen == 3 && page.versions.count == 1 && page.versions[0].jobID == "run1-3")
        // A duplicate job is still a duplicate, and not a sighting.
        #expect(try store.store([batch(1)[0]]).duplicates == ["run1-0"])
        #expect(try store.article(id: "a0")?.seen == 3)
    }

    @Test func aChangedArticleReplacesItsOldVersionsContributions() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("s.sqlite").path)
        _ = try store.store([
            A.result(job: "1", article: "x", source: "BBC", analysis: A.analysis(text: "أولى", entities: [("غزه", .location, 3), ("حماس", .organization, 2)], topics: ["war"], speakers: ["فلان"], anonymous: 2, tone: -0.5)),
            A.result(job: "2", article: "y", source: "BBC", analysis: A.analysis(text: "أخرى", entities: [("غزه", .location, 1)], topics: ["war"])),
        ])
        _ = try store.store([
            A.result(job: "3", article: "x", source: "CNN", published: "2018-10-05T00:00:00Z",
                     analysis: A.analysis(text: "أولى معدلة", entities: [("القدس", .location, 4)], topics: ["politics"], named: 1, tone: 0.5)),
        ])
        let entities = try store.topEntities(ReportFilter(), limit: 10, type: nil)
        #expect(entities.map { "\($0.key):\($0.articles):\($0.mentions)" } == ["القدس:1:4", "غزه:1:1"])
        #expect(try store.counts(.source, filter: ReportFilter()).map { "\($0.value):\($0.articles)" } == ["BBC:1", "CNN:1"])
        #expect(try store.counts(.topic, filter: ReportFilter()).map { "\($0.value):\($0.articles)" } == ["politics:1", "war:1"])
        #expect(try store.counts(.day, filter: ReportFilter()).map { "\($0.value):\($0.articles)" } == ["2018-10-03:1", "2018-10-05:1"])
        #expect(try store.speakers(ReportFilter(), limit: 10).isEmpty)
        let sourcing = try store.sourcing(ReportFilter())
        #expect(sourcing.map { "\($0.source):\($0.named):\($0.anonymous)" } == ["BBC:0:0", "CNN:1:0"])
        let page = try #require(try store.article(id: "x"))
        #expect(page.versions.map(\.jobID) == ["1", "3"])
        #expect(page.seen == 2)
        #expect(page.article.source == "CNN")
        #expect(page.analysis.cleanText == "أولى معدلة")
        #expect(try store.summary(ReportFilter()).revisedArticles == 1)
        // Back to the first text: a third version, counted once.
        _ = try store.store([A.result(job: "4", article: "x", source: "BBC", analysis: A.analysis(text: "أولى", entities: [("غزه", .location, 3)], topics: ["war"]))])
        #expect(try store.topEntities(ReportFilter(), limit: 10, type: nil).map { "\($0.key):\($0.articles):\($0.mentions)" } == ["غزه:2:4"])
        try AggregateCheck.expectConsistent(store)
    }

    @Test func articlesWithoutAnInputIdMatchByURLThenByText() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("s.sqlite").path)
        let text = A.analysis(text: "خبر بلا رابط", entities: [("مصر", .location, 1)])
        _ = try store.store([
            A.result(job: "1", article: "in/a.txt", url: nil, analysis: text),
            A.result(job: "2", article: "elsewhere/a.txt", url: nil, analysis: text),
            A.result(job: "3", article: "feed.jsonl:1", url: "https://www.example.com/x?utm_medium=rss", analysis: A.analysis(text: "خبر برابط", entities: [])),
            A.result(job: "4", article: "feed.jsonl:9", url: "http://example.com/x/", analysis: A.analysis(text: "خبر برابط", entities: [])),
        ])
        #expect(try store.summary(ReportFilter()).articles == 2)
        #expect(try store.article(id: "https://example.com/x")?.seen == 2)
    }

    @Test func filtersNarrowEveryQuery() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("s.sqlite").path)
        _ = try store.store([
            A.result(job: "1", article: "a", source: "BBC", published: "2018-04-01T10:00:00Z", analysis: A.analysis(text: "1", entities: [("غزه", .location, 2), ("حماس", .organization, 1)], topics: ["war"], speakers: ["هنية"])),
            A.result(job: "2", article: "b", source: "CNN", published: "2018-04-02T10:00:00Z", analysis: A.analysis(text: "2", entities: [("غزه", .location, 1)], topics: ["politics"])),
            A.result(job: "3", article: "c", source: "CNN", published: "2018-05-02T10:00:00Z", analysis: A.analysis(text: "3", entities: [("مصر", .location, 5)], topics: ["economy"])),
        ])
        let day = { (s: String) in Date(timeIntervalSince1970: Double(PublishedTime.milliseconds(s)!) / 1000) }
        #expect(try store.summary(ReportFilter(source: "CNN")).articles == 2)
        #expect(try store.summary(ReportFilter(since: day("2018-04-02"), until: day("2018-05-01"))).articles == 1)
        #expect(try store.topEntities(ReportFilter(topic: "war"), limit: 5, type: nil).map(\.key) == ["غزه", "حماس"])
        #expect(try store.topEntities(ReportFilter(entity: "غزة"), limit: 5, type: nil).map(\.key) == ["غزه", "حماس"])
        #expect(try store.counts(.source, filter: ReportFilter(entity: "غزه")).map(\.value) == ["BBC", "CNN"])
        #expect(try store.speakers(ReportFilter(source: "BBC"), limit: 5).map(\.name) == ["هنية"])
        #expect(try store.summary(ReportFilter(source: "nobody")).articles == 0)
        #expect(try store.summary(ReportFilter(language: "fr")).articles == 0)
        let story = try #require(try store.article(id: "c")?.article.storyID)
        #expect(try store.summary(ReportFilter(story: story)).articles == 1)
        let gaza = try #require(try store.entity(key: "غزة", type: nil, filter: ReportFilter()))
        #expect(gaza.entity.articles == 2 && gaza.articles.map(\.id) == ["b", "a"])
        #expect(gaza.cooccurring.map(\.b.key) == ["حماس"])
        #expect(try store.entity(key: "غزه", type: nil, filter: ReportFilter(source: "CNN"))?.entity.articles == 1)
        #expect(try store.entity(key: "لا أحد", type: nil, filter: ReportFilter()) == nil)
        #expect(try store.story(id: 999_999) == nil)
        #expect(try store.article(id: "missing") == nil)
    }
}
