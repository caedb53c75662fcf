import Foundation
@testable import ReportViews
import Testing
@testable import ReportStore
import TestSupport

/// A bounded computation is said in every format: text and CSV carry a `bounded` table first, JSON the window,
/// HTML a note above the charts; a report counting every article says nothing of the kind.
@Suite(.offTheCooperativePool) struct BoundedReportTests {
    @Test func everyFormatSaysWhatWasCountedOverTheNewestArticles() throws {
        let path = try ReportCommandTests.store.get()
        var options = SQLiteReportStore.Options()
        options.windowLimit = 10
        let store = try SQLiteReportStore(path: path, options: options)
        let filter = ReportFilter(since: Date(timeIntervalSince1970: 86_400))
        let overview = try store.overview(filter)
        let window = try #require(overview.window)
        #expect(window.parts == [.storyCount, .stories, .cooccurrence])
        #expect(window.matching == overview.summary.articles && window.articles < overview.summary.articles)
        #expect(window.text.hasPrefix("Bounded: the count of stories, stories, co-occurrence counted over the newest \(window.articles) matching articles of the \(overview.summary.articles) that match"))
        let tables = ReportTable.tables(overview)
        #expect(tables.first?.name == "bounded" && tables.first?.rows.first?.first == window.text)
        let encoder = JSONEncoder()
        let json = try JSONSerialization.jsonObject(with: encoder.encode(overview)) as? [String: Any]
        #expect((json?["window"] as? [String: Any])?["articles"] as? Int == window.articles)
        let html = ReportPages.overview(overview)
        #expect(html.contains(HTMLDocument.escape(window.text)))
        let page = try #require(try store.entity(key: overview.topEntities[0].key, type: nil, filter: filter))
        if let pageWindow = page.window {
            #expect(ReportPages.entity(page, filter: filter).contains(HTMLDocument.escape(pageWindow.text)))
            #expect(ReportTable.tables(page).first?.name == "bounded")
        }

        let whole = try SQLiteReportStore(path: path)
        let exact = try whole.overview(filter)
        #expect(exact.window == nil)
        #expect(ReportTable.tables(exact).first?.name == "summary")
        #expect(!ReportPages.overview(exact).contains("Bounded:"))
    }
}
