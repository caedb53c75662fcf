import Foundation
import Testing
@testable import ArticleAnalysis
import TestSupport

/// Odd inputs give an analysis with flags, never a crash. Time is bounded by the cut at `maxInputBytes`; what
/// large inputs cost is measured by `Benchmarks/analysis/large-input.sh`, not here.
@Suite(.offTheCooperativePool) struct BadInputTests {
    let analyzer = ArticleAnalyzer()

    @Test func emptyText() {
        let a = analyzer.analyze(Article(id: "e", content: .text("")))
        #expect(a.flags == [.empty])
        #expect(a.tokens.isEmpty && a.cleanText.isEmpty && a.summary.isEmpty)
    }

    @Test func whitespaceOnly() {
        let a = analyzer.analyze(Article(id: "w", content: .text(" \n\t\u{00A0}\u{2003} \r\n ")))
        #expect(a.flags.contains(.whitespaceOnly))
        #expect(a.tokens.isEmpty)
    }

    @Test func tenMegabytesIsCutAndFlagged() {
        let paragraph = "قال المتحدث باسم الوزارة إن المحادثات مستمرة في القاهرة لبحث وقف إطلاق النار. "
        let big = String(repeating: paragraph + "\n", count: 10_000_000 / paragraph.utf8.count + 1)
        #expect(big.utf8.count >= 10_000_000)
        let a = analyzer.analyze(Article(id: "big", content: .text(big)))
        #expect(a.flags.contains(.truncated))
        #expect(a.cleanText.utf8.count <= InputSanitizer.maxInputBytes)
        #expect(a.cleanText.utf8.count > InputSanitizer.maxInputBytes / 2)
        #expect(!a.tokens.isEmpty && a.summary.count == 3)
    }

    @Test func invalidUTF8FlagFromTheReaderPassesThrough() {
        let bytes: [UInt8] = Array("خبر عاجل ".utf8) + [0xFF, 0xFE] + Array(" من القاهرة".utf8)
        let text = String(decoding: bytes, as: UTF8.self)  // as a reader would: invalid bytes become U+FFFD
        let a = analyzer.analyze(Article(id: "u", content: .text(text), inputFlags: [.invalidUTF8Replaced]))
        #expect(a.flags.contains(.invalidUTF8Replaced))
        #expect(a.tokens.contains { $0.text == "القاهرة" })
    }

    @Test func bidiControlsAreRemovedAndFlagged() {
        let text = "\u{202B}قال الوزير\u{202C} إن \u{200F}الاجتماع\u{2067} انتهى\u{2069} بنجاح.\u{061C}"
        let a = analyzer.analyze(Article(id: "b", content: .text(text)))
        #expect(a.flags.contains(.bidiControls))
        for v: UInt32 in [0x202B, 0x202C, 0x200F, 0x2067, 0x2069, 0x061C] {
            #expect(!a.cleanText.unicodeScalars.contains { $0.value == v })
        }
        #expect(a.tokens.map(\.text).contains("الاجتماع"))
    }

    @Test func mixedScriptsInsideWordsAreFlagged() {
        let a = analyzer.analyze(Article(id: "m", content: .text("اجتمع الوفدabc في القاهرة مع Mинистр الخارجية لبحث الملف.")))
        #expect(a.flags.contains(.mixedScripts))
        let clean = analyzer.analyze(Article(id: "m2", content: .text("اجتمع الوفد في القاهرة مع وزير الخارجية وقال لـCNN إن شركتي وZTE وHPE بخير.")))
        #expect(!clean.flags.contains(.mixedScripts))
    }

    @Test func htmlWithoutBody() {
        let html = "<div class=\"content\"><p>وصل وفد قيادي من حركة حماس إلى القاهرة لبحث الملفات الأمنية.</p><script>var x = '<p>لا</p>';</script></div>"
        let a = analyzer.analyze(Article(id: "h", content: .html(html)))
        #expect(a.flags.contains(.htmlWithoutBody))
        #expect(a.cleanText == "وصل وفد قيادي من حركة حماس إلى القاهرة لبحث الملفات الأمنية.")
    }

    @Test func binaryContentIsFlagged() {
        let a = analyzer.analyze(Article(id: "n", content: .text("خبر\u{0}\u{1}\u{2} عاجل من غزة")))
        #expect(a.flags.contains(.binaryContent))
        #expect(!a.cleanText.unicodeScalars.contains { $0.value < 0x09 })
    }

    @Test func punctuationAndDigitsOnlyIsUndeterminedLanguage() {
        let a = analyzer.analyze(Article(id: "p", content: .text("... 123 !!! ١٢٣ ؟؟")))
        #expect(a.language.code == "und")
        #expect(a.flags.contains(.languageUncertain))
    }

    @Test func malformedHTMLNeverTraps() {
        let inputs = ["<", "<<<>>>", "<p", "</p></div>", "<!-- unclosed", "<script>never closed", "&#xFFFFFFFF; &#0; &;&amp",
                      "<a href=\"x>text", "<div class='share'><div>nested</div>", String(repeating: "<div>", count: 5000)]
        for html in inputs {
            let a = analyzer.analyze(Article(id: "x", content: .html(html)))
            #expect(a.cleanText.utf8.count <= html.utf8.count + 16)
        }
    }
}
