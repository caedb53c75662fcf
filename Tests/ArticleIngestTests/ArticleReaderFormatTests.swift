import ArticleAnalysis
import Foundation
import Testing
@testable import ArticleIngest

/// Each input format read the happy way.
@Suite struct ArticleReaderFormatTests {
    @Test func aTextFileIsOneArticleNamedByItsPath() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let path = try files.write("news.txt", "القاهرة - قال مسؤول\nسطر ثان")
        let (articles, problems, summary) = ArticleReader().readAll([path])
        #expect(problems.isEmpty)
        #expect(articles == [Article(id: path, content: .text("القاهرة - قال مسؤول\nسطر ثان"))])
        #expect(summary.articles == 1)
        #expect(summary.filesRead == 1)
    }

    @Test func anHTMLFileIsOneArticleKeptAsHTML() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let html = "<html><body><h1>Headline</h1><p>Body text.</p></body></html>"
        let path = try files.write("page.HTML", html)
        let (articles, problems, _) = ArticleReader().readAll([path])
        #expect(problems.isEmpty)
        #expect(articles.map(\.content) == [.html(html)])
    }

    @Test func jsonLinesGiveOneArticleALineWithMetadata() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let lines = [
            #"{"id": "AL-1", "url": "http://x/1", "source": "alarabia", "category": "culture", "title": "ت", "published": "2018-02-18T21:35:43+04:00", "author": null, "text": "نص أول"}"#,
            "",
            #"{"id": 42, "html": "<p>نص ثان</p>"}"#,
            #"{"source": "BBC", "text": "نص ثالث"}"#,
        ]
        let path = try files.write("corpus.jsonl", lines.joined(separator: "\r\n"))
        let (articles, problems, summary) = ArticleReader().readAll([path])
        #expect(problems.isEmpty)
        #expect(articles == [
            Article(id: "AL-1", url: "http://x/1", source: "alarabia", category: "culture", title: "ت",
                    published: "2018-02-18T21:35:43+04:00", author: nil, content: .text("نص أول")),
            Article(id: "42", content: .html("<p>نص ثان</p>")),
            Article(id: "\(path):4", source: "BBC", content: .text("نص ثالث")),
        ])
        #expect(summary.articles == 3)
    }

    @Test func gzipJSONLinesAreReadAcrossConcatenatedMembers() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let first = (1...300).map { TestFiles.jsonLine(id: "a\($0)", text: String(repeating: "خبر \($0) ", count: 200)) }
        let second = (1...5).map { TestFiles.jsonLine(id: "b\($0)", text: "نص \($0)") }
        let bytes = TestFiles.gzip(Array((first.joined(separator: "\n") + "\n").utf8))
            + TestFiles.gzip(Array(second.joined(separator: "\n").utf8))
        let path = try files.write("two-members.jsonl.gz", bytes)
        let (articles, problems, _) = ArticleReader().readAll([path])
        #expect(problems.isEmpty)
        #expect(articles.map(\.id) == (1...300).map { "a\($0)" } + (1...5).map { "b\($0)" })
    }

    @Test func aDirectoryIsWalkedInSortedOrderSkippingHiddenAndUnknownFiles() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try files.write("dir/b.txt", "ب")
        try files.write("dir/a/z.txt", "ز")
        try files.write("dir/a/y.html", "<p>ي</p>")
        try files.write("dir/c.jsonl", TestFiles.jsonLine(id: "c1", text: "ج"))
        try files.write("dir/.hidden.txt", "مخفي")
        try files.write("dir/.git/config.txt", "مخفي")
        try files.write("dir/notes.md", "# not an article")
        try files.write("dir/image.png", [0x89, 0x50, 0x4E, 0x47, 0])
        let (articles, problems, summary) = ArticleReader().readAll([files.path("dir")])
        #expect(problems.isEmpty)
        #expect(articles.map(\.id) == [files.path("dir/a/y.html"), files.path("dir/a/z.txt"), files.path("dir/b.txt"), "c1"])
        #expect(summary.filesSkipped == 4)
        #expect(summary.filesRead == 4)
    }

    @Test func anExplicitFileOfUnknownKindIsSniffed() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let jsonl = try files.write("export", TestFiles.jsonLine(id: "x", text: "نص"))
        let html = try files.write("page.php", "  <html><body>خبر</body></html>")
        let text = try files.write("README", "خبر عادي")
        let (articles, problems, _) = ArticleReader().readAll([jsonl, html, text])
        #expect(problems.isEmpty)
        #expect(articles.map(\.id) == ["x", html, text])
        #expect(articles.map { if case .html = $0.content { "html" } else { "text" } } == ["text", "html", "text"])
    }

    @Test func standardInputIsSniffedAsJSONLines() throws {
        let pipe = Pipe()
        let input = (1...3).map { TestFiles.jsonLine(id: "s\($0)", text: "نص \($0)") }.joined(separator: "\n")
        try pipe.fileHandleForWriting.write(contentsOf: Data(input.utf8))
        try pipe.fileHandleForWriting.close()
        let (articles, problems, summary) = ArticleReader(standardInput: pipe.fileHandleForReading).readAll(["-"])
        #expect(problems.isEmpty)
        #expect(articles.map(\.id) == ["s1", "s2", "s3"])
        #expect(summary.filesRead == 1)
    }

    @Test func standardInputIsSniffedAsGzipAndAsPlainText() throws {
        let gzipPipe = Pipe()
        try gzipPipe.fileHandleForWriting.write(contentsOf: Data(TestFiles.gzip(Array(TestFiles.jsonLine(id: "g", text: "نص").utf8))))
        try gzipPipe.fileHandleForWriting.close()
        #expect(ArticleReader(standardInput: gzipPipe.fileHandleForReading).readAll(["-"]).articles.map(\.id) == ["g"])

        let textPipe = Pipe()
        try textPipe.fileHandleForWriting.write(contentsOf: Data("خبر من الأنبوب\nسطر".utf8))
        try textPipe.fileHandleForWriting.close()
        let articles = ArticleReader(standardInput: textPipe.fileHandleForReading).readAll(["-"]).articles
        #expect(articles == [Article(id: ArticleReader.standardInputName, content: .text("خبر من الأنبوب\nسطر"))])
    }

    @Test func readingStopsWhenTheCallerThrows() throws {
        struct Enough: Error {}
        let files = try TestFiles()
        defer { files.remove() }
        let path = try files.write("many.jsonl", (1...10).map { TestFiles.jsonLine(id: "\($0)", text: "نص") }.joined(separator: "\n"))
        var seen = 0
        #expect(throws: Enough.self) {
            try ArticleReader().read([path]) { _ in
                seen += 1
                if seen == 3 { throw Enough() }
            }
        }
        #expect(seen == 3)
    }
}
