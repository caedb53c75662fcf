import Foundation
import Testing
@testable import ArticleAnalysis
import TestSupport

/// The committed gold pages of Benchmarks/pages/gold (built from ANT articles by Benchmarks/pages/make_pages.py):
/// the analyzer must keep the article and drop the chrome. `Benchmarks/pages/run.sh` scores the same pages by
/// word alignment against trafilatura; this test scores by whole lines (the clean text is made of whole lines of
/// the page), which is exact for Mirsad's output and fast.
@Suite(.offTheCooperativePool) struct PageCleaningTests {
    struct Segment: Decodable {
        var label: String
        var text: String
    }

    struct GoldPage: Decodable {
        var template: String
        var title: String
        var article_text: String
        var segments: [Segment]
    }

    static let goldDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Benchmarks/pages/gold")

    static func pages() throws -> [(name: String, gold: GoldPage, html: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: goldDirectory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            let base = String(name.dropLast(5))
            let gold = try JSONDecoder().decode(GoldPage.self, from: Data(contentsOf: goldDirectory.appendingPathComponent(name)))
            let html = try String(contentsOf: goldDirectory.appendingPathComponent(base + ".html"), encoding: .utf8)
            return (base, gold, html)
        }
    }

    /// Characters other than white space.
    static func weight(_ s: some StringProtocol) -> Int { s.unicodeScalars.filter { !$0.properties.isWhitespace }.count }

    struct Score {
        var articleKept = 0, articleTotal = 0, chromeKept = 0, chromeTotal = 0
        var kept: Double { Double(articleKept) / Double(max(articleTotal, 1)) }
        var removed: Double { 1 - Double(chromeKept) / Double(max(chromeTotal, 1)) }
        static func + (a: Score, b: Score) -> Score {
            Score(articleKept: a.articleKept + b.articleKept, articleTotal: a.articleTotal + b.articleTotal,
                  chromeKept: a.chromeKept + b.chromeKept, chromeTotal: a.chromeTotal + b.chromeTotal)
        }
    }

    /// Article lines found whole in the clean text; every other clean line counts as chrome kept, unless it is
    /// a neutral text (headline, caption).
    static func score(_ gold: GoldPage, cleanText: String) -> Score {
        let articleLines = Set(gold.article_text.split(separator: "\n").map(String.init))
        let neutral = Set(gold.segments.filter { $0.label == "neutral" }.map(\.text))
        var s = Score()
        s.articleTotal = weight(gold.article_text)
        s.chromeTotal = gold.segments.filter { $0.label == "chrome" }.reduce(0) { $0 + weight($1.text) }
        for line in cleanText.split(separator: "\n").map(String.init) {
            if articleLines.contains(line) { s.articleKept += weight(line) } else if !neutral.contains(line) { s.chromeKept += weight(line) }
        }
        return s
    }

    @Test func goldPagesKeepTheArticleAndDropTheChrome() throws {
        let pages = try Self.pages()
        #expect(pages.count >= 20)
        #expect(Set(pages.map(\.gold.template)).count >= 5)
        let analyzer = SharedData.analyzer
        var total = Score()
        for page in pages {
            let a = analyzer.analyze(Article(id: page.name, content: .html(page.html)))
            let s = Self.score(page.gold, cleanText: a.cleanText)
            total = total + s
            // No layout may cost a page its article, whatever the wrapper's class names say.
            #expect(s.kept >= 0.9, "\(page.name): \(Int(s.kept * 100))% of the article kept")
            #expect(s.removed >= 0.75, "\(page.name): \(Int(s.removed * 100))% of the chrome removed")
            #expect(a.title == page.gold.title, "\(page.name): title \(a.title ?? "nil")")
        }
        #expect(total.kept >= 0.98, "article kept \(total.kept)")
        #expect(total.removed >= 0.9, "chrome removed \(total.removed)")
    }

    @Test func chromeWordsInTheArticleWrapperDoNotLoseTheArticle() {
        let paragraph = "وصل وفد قيادي من حركة حماس إلى العاصمة المصرية القاهرة، لبحث عدد من الملفات المتعلقة بإدارة قطاع غزة."
        let html = """
        <html><body><div class="layout has-sidebar"><div class="post tag-social-media share-enabled">
        <h1>القاهرة تضغط على حماس</h1><div class="entry">
        <p>\(paragraph)</p><p>\(paragraph)</p><p>\(paragraph)</p></div></div>
        <div class="sidebar"><h3>الأكثر قراءة</h3><ul><li><a href="/1">عنوان خبر آخر في الشريط الجانبي للموقع</a></li></ul></div>
        </div></body></html>
        """
        let a = SharedData.analyzer.analyze(Article(id: "w", content: .html(html)))
        #expect(a.cleanText.split(separator: "\n").count == 3)
        #expect(!a.cleanText.contains("الأكثر قراءة"))
        #expect(a.title == "القاهرة تضغط على حماس")
    }

    @Test func bylineAfterTheTitleDoesNotHideTheHeadline() {
        let text = """
        القاهرة تضغط على حماس لاحتواء الانفلات الأمني
        بقلم: محمد عبد الرحمن
        الأحد 12 مارس 2018 - 10:45
        وصل وفد قيادي من حركة حماس إلى العاصمة المصرية القاهرة، لبحث عدد من الملفات المتعلقة بإدارة قطاع غزة، في وقت تكثف فيه القاهرة جهودها السياسية والأمنية لاحتواء الوضع الميداني في القطاع.
        وكتب المتحدث على حسابه أن المحادثات مستمرة.
        """
        let a = SharedData.analyzer.analyze(Article(id: "b", content: .text(text)))
        #expect(a.title == "القاهرة تضغط على حماس لاحتواء الانفلات الأمني")
        #expect(a.removedLines == ["بقلم: محمد عبد الرحمن", "الأحد 12 مارس 2018 - 10:45"])
        #expect(a.cleanText.hasPrefix("وصل وفد"))
        #expect(a.cleanText.contains("وكتب المتحدث"))
    }
}
