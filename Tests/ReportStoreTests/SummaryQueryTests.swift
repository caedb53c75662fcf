import ArticleAnalysis
import Foundation
import GRDB
import Testing
@testable import ReportStore
import TestSupport

/// Filtered reports read from summary rows equal the same reports counted from the matching articles, on a store
/// of random articles with duplicates, resubmissions and new versions that move an article between days, outlets,
/// languages and topics.
@Suite(.offTheCooperativePool) struct SummaryQueryTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return StableHash.mix(state)
        }
    }

    static let names: [(String, EntityType)] = [
        ("غزه", .location), ("حماس", .organization), ("ترامب", .person), ("مصر", .location), ("الامم المتحده", .organization),
        ("نتنياهو", .person), ("القدس", .location), ("ايران", .location), ("بوتين", .person), ("الناتو", .organization),
    ]
    static let sources = ["BBC", "CNN", "alarabiya", "france24"]
    static let languages = ["ar", "ar", "en", "fr"]
    static let days = ["2018-04-01", "2018-04-02", "2018-04-03", "2018-04-09", "2018-05-20"]
    static let topics = ["war", "politics", "economy", "sport"]

    /// A store filled at random, and a second handle on its file that always counts articles.
    private func randomStore(seed: UInt64, in directory: URL) throws -> (summaries: SQLiteReportStore, scan: SQLiteReportStore) {
        let path = directory.appendingPathComponent("s.sqlite").path
        var options = SQLiteReportStore.Options()
        let store = try SQLiteReportStore(path: path, options: options)
        var random = Generator(state: seed)
        var sent: [StoredResult] = []
        var articles = 0
        var job = 0
        func randomArticle(_ id: String) -> StoredResult {
            job += 1
            var analysis = StoreTestArticles.analysis(
                text: "نص \(job)",
                entities: Self.names.shuffled(using: &random).prefix(Int.random(in: 0...8, using: &random))
                    .map { ($0.0, $0.1, Int.random(in: 1...5, using: &random)) },
                topics: Array(Self.topics.shuffled(using: &random).prefix(Int.random(in: 0...2, using: &random))),
                speakers: (0..<Int.random(in: 0...3, using: &random)).map { _ in ["هنية", "ترامب", "مسؤول"].randomElement(using: &random)! },
                named: Int.random(in: 0...2, using: &random), anonymous: Int.random(in: 0...2, using: &random),
                tone: Double(Int.random(in: -4...4, using: &random)) / 4,
                keywords: ["قصف", "اتفاق", "انتخابات", "نفط"].shuffled(using: &random).prefix(2).map { $0 })
            analysis.language = LanguageGuess(code: Self.languages.randomElement(using: &random)!, confidence: 0.9)
            return StoreTestArticles.result(
                job: "job-\(job)", article: id, source: Self.sources.randomElement(using: &random)!,
                published: Self.days.randomElement(using: &random)! + "T\(10 + Int.random(in: 0...9, using: &random)):00:00Z",
                analysis: analysis)
        }
        for _ in 0..<30 {
            var batch: [StoredResult] = []
            for _ in 0..<Int.random(in: 1...10, using: &random) {
                let choice = Int.random(in: 0..<10, using: &random)
                if choice < 5 || articles == 0 {
                    articles += 1
                    batch.append(randomArticle("article-\(articles)"))
                } else if choice < 6, let old = sent.randomElement(using: &random) {
                    batch.append(old)
                } else if choice < 8, let old = sent.randomElement(using: &random) {
                    job += 1
                    batch.append(StoredResult(jobID: "job-\(job)", batchID: "b", article: old.article, content: old.content,
                                              workerID: "w", analysedAt: old.analysedAt))
                } else {
                    batch.append(randomArticle("article-\(Int.random(in: 1...articles, using: &random))"))
                }
            }
            _ = try store.store(batch)
            sent += batch
        }
        options.readsSummaries = false
        return (store, try SQLiteReportStore(path: path, options: options))
    }

    static func day(_ text: String) -> Date { Date(timeIntervalSince1970: TimeInterval(PublishedTime.milliseconds(text)!) / 1000) }

    static let filters: [ReportFilter] = [
        ReportFilter(since: day("2018-04-02")),
        ReportFilter(until: day("2018-04-03")),
        ReportFilter(since: day("2018-04-02"), until: day("2018-04-10")),
        ReportFilter(source: "BBC"),
        ReportFilter(language: "en"),
        ReportFilter(topic: "war"),
        ReportFilter(since: day("2018-04-01"), until: day("2018-04-04"), source: "CNN"),
        ReportFilter(source: "BBC", language: "ar"),
        ReportFilter(topic: "politics", language: "ar"),
        ReportFilter(since: day("2018-04-02"), source: "alarabiya", topic: "economy", language: "ar"),
        ReportFilter(source: "nowhere"),
        // Not whole days, an entity, a story: counted from the articles on both handles.
        ReportFilter(since: day("2018-04-02").addingTimeInterval(3600 * 11)),
        ReportFilter(entity: "غزه"),
        ReportFilter(since: day("2018-04-02"), entity: "ترامب"),
    ]

    /// A tally as text, its mean tone rounded (sums taken in another order differ in the last bits).
    static func text(_ t: Tally) -> String {
        "\(t.value) \(t.articles) \(String(format: "%.6f", t.meanTone)) \(t.namedSources) \(t.anonymousSources) \(t.quotes)"
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func summaryRowsAnswerAsCountingArticlesDoes(seed: UInt64) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let (store, scan) = try randomStore(seed: seed, in: directory)
        try AggregateCheck.expectConsistent(store)
        let story = try #require(try store.stories(ReportFilter(), limit: 1).first).id
        var nonEmpty = 0
        for filter in Self.filters + [ReportFilter(story: story)] {
            let summary = try store.summary(filter)
            #expect(summary == (try scan.summary(filter)), "summary \(filter)")
            if summary.articles > 0 { nonEmpty += 1 }
            for type in [nil, EntityType.person] {
                #expect(try store.topEntities(filter, limit: 100, type: type) == scan.topEntities(filter, limit: 100, type: type),
                        "top entities \(filter) \(String(describing: type))")
            }
            #expect(try store.topEntities(filter, limit: 3, type: nil) == scan.topEntities(filter, limit: 3, type: nil))
            for dimension in TallyDimension.allCases {
                #expect(try store.counts(dimension, filter: filter).map(Self.text) == scan.counts(dimension, filter: filter).map(Self.text),
                        "counts by \(dimension) \(filter)")
            }
            #expect(try store.speakers(filter, limit: 100) == scan.speakers(filter, limit: 100), "speakers \(filter)")
            #expect(try store.speakers(filter, limit: 2) == scan.speakers(filter, limit: 2), "speakers \(filter)")
            #expect(try store.sourcing(filter) == scan.sourcing(filter), "sourcing \(filter)")
            for limit in [1, 3, 100] {
                #expect(try store.stories(filter, limit: limit) == scan.stories(filter, limit: limit), "stories \(limit) \(filter)")
            }
            for limit in [4, 20] {
                #expect(try store.cooccurrence(filter, limit: limit) == scan.cooccurrence(filter, limit: limit), "pairs \(filter)")
                // Recomputed apart: the pairs of the filter's top entities, by a self-join of the matching rows.
                let top = try store.topEntities(filter, limit: limit, type: nil)
                let expected = try Self.pairs(among: top, filter: filter, in: store)
                #expect(try store.cooccurrence(filter, limit: limit).map { "\($0.a.key)|\($0.b.key)|\($0.articles)" }.sorted() == expected,
                        "pairs recomputed \(filter)")
            }
            for (key, _) in Self.names.prefix(4) {
                let page = try store.entity(key: key, type: nil, filter: filter)
                let scanned = try scan.entity(key: key, type: nil, filter: filter)
                #expect(page?.entity == scanned?.entity, "entity \(key) \(filter)")
                #expect(page?.articles == scanned?.articles, "entity articles \(key) \(filter)")
                #expect(page?.timeline == scanned?.timeline, "entity timeline \(key) \(filter)")
                #expect(page?.sources.map(Self.text) == scanned?.sources.map(Self.text), "entity outlets \(key) \(filter)")
                #expect(page?.cooccurring == scanned?.cooccurring, "entity pairs \(key) \(filter)")
            }
        }
        // The filters are not all empty: the comparison has counts to disagree on.
        #expect(nonEmpty >= Self.filters.count - 2)
        for (key, _) in Self.names.prefix(4) {
            let page = try #require(try store.entity(key: key, type: nil, filter: ReportFilter()))
            let scanned = try #require(try scan.entity(key: key, type: nil, filter: ReportFilter()))
            #expect(page.timeline == scanned.timeline)
            #expect(page.sources.map(Self.text) == scanned.sources.map(Self.text))
            #expect(page.timeline.map(\.articles).reduce(0, +) == page.entity.articles)
        }
    }

    static func pairs(among top: [EntityTotal], filter: ReportFilter, in store: SQLiteReportStore) throws -> [String] {
        guard top.count > 1 else { return [] }
        let wanted = Set(top.map { $0.type.rawValue + "|" + $0.key })
        let (conditions, arguments) = SQLiteReportStore.conditions(filter)
        return try store.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT x.type AS at, x.key AS ak, y.type AS bt, y.key AS bk, COUNT(*) AS n FROM articles a
                JOIN \(SummaryCheck.articleEntities) x ON x.article_id = a.article_id AND x.paired = 1
                JOIN \(SummaryCheck.articleEntities) y ON y.article_id = a.article_id AND y.paired = 1
                    AND (x.type < y.type OR (x.type = y.type AND x.key < y.key))
                WHERE \(conditions) GROUP BY 1, 2, 3, 4
                """, arguments: arguments)
        }.filter { wanted.contains(($0["at"] as String) + "|" + ($0["ak"] as String)) && wanted.contains(($0["bt"] as String) + "|" + ($0["bk"] as String)) }
            .map { "\($0["ak"] as String)|\($0["bk"] as String)|\($0["n"] as Int)" }.sorted()
    }

    /// Whole-day filters are the only times summary rows answer: a time inside a day is not mistaken for its day.
    @Test func onlyWholeDaysAreSummaryFilters() {
        #expect(SummaryFilter(ReportFilter(since: Self.day("2018-04-02")))?.firstDay == "2018-04-02")
        #expect(SummaryFilter(ReportFilter(until: Self.day("2018-04-02")))?.endDay == "2018-04-02")
        #expect(SummaryFilter(ReportFilter(since: Self.day("2018-04-02").addingTimeInterval(1))) == nil)
        #expect(SummaryFilter(ReportFilter(entity: "غزه")) == nil)
        #expect(SummaryFilter(ReportFilter(story: 3)) == nil)
        #expect(SummaryFilter(ReportFilter(source: "BBC"))?.singleFacet?.value == "BBC")
        #expect(SummaryFilter(ReportFilter(since: Self.day("2018-04-02"), source: "BBC"))?.singleFacet == nil)
        #expect(SummaryFilter(ReportFilter(source: "BBC", language: "ar"))?.singleFacet == nil)
    }

}

/// A bounded computation: with more matching articles than the window limit, the parts summary rows do not
/// answer are those of the window's own filter, and the report says which and over what.
@Suite struct CountedWindowTests {
    @Test func boundedPartsAreTheReportOfTheNewestMatchingArticles() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("w.sqlite").path
        var options = SQLiteReportStore.Options()
        options.windowLimit = 5
        let store = try SQLiteReportStore(path: path, options: options)
        var random = SplitMix(state: 3)
        for batch in RandomBatches.make(count: 30, random: &random) { _ = try store.store(batch) }
        let whole = try SQLiteReportStore(path: path)
        for filter in [ReportFilter(source: "BBC"), ReportFilter(entity: "غزه"), ReportFilter(topic: "war", language: "ar"),
                       ReportFilter(source: "CNN", language: "ar")] {
            let overview = try store.overview(filter)
            let window = try #require(overview.window, "\(filter)")
            #expect(window.parts == CountedWindow.parts(for: filter))
            let narrowed = window.narrowing(filter)
            #expect(try whole.summary(narrowed).articles == window.articles)
            let all = try whole.summary(filter).articles
            #expect(window.articles >= 5 && window.articles < all)
            let exact = try whole.overview(narrowed)
            #expect(overview.cooccurrence == exact.cooccurrence)
            #expect(overview.stories == exact.stories)
            // Parts the summary rows answer stay exact.
            if !window.parts.contains(.timeline) { #expect(overview.timeline == (try whole.counts(.day, filter: filter))) }
            if window.parts.contains(.topEntities) { #expect(overview.topEntities == exact.topEntities) }
        }
        // Few enough articles: nothing is bounded.
        #expect(try whole.overview(ReportFilter(source: "BBC")).window == nil)
        let page = try #require(try store.entity(key: "غزه", type: nil, filter: ReportFilter(source: "CNN")))
        #expect(page.window?.parts == [.entityPage])
        #expect(try store.entity(key: "غزه", type: nil, filter: ReportFilter())?.window == nil)
    }
}
