import ArticleAnalysis
import Foundation
import Testing
@testable import ArticleIngest

/// Bad input: each case is reported with its file (and line), counted, and costs nothing else.
@Suite struct ArticleReaderProblemTests {
    @Test func aMissingFileIsReportedAndTheOtherInputsAreRead() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let good = try files.write("good.txt", "خبر")
        let missing = files.path("nope.txt")
        let (articles, problems, summary) = ArticleReader().readAll([missing, good])
        #expect(articles.map(\.id) == [good])
        #expect(problems.map(\.kind) == [.missing])
        #expect(problems.first?.description == "\(missing): no such file or directory")
        #expect(summary.count(.missing) == 1)
    }

    @Test func aDirectoryWithoutArticlesIsAProblem() throws {
        let files = try TestFiles()
        defer { files.remove() }
        try files.write("empty/notes.md", "nothing")
        try files.write("empty/.hidden.txt", "مخفي")
        let (articles, problems, summary) = ArticleReader().readAll([files.path("empty")])
        #expect(articles.isEmpty)
        #expect(problems.map(\.kind) == [.noArticles])
        #expect(problems.first?.description.hasPrefix(files.path("empty") + ": ") == true)
        #expect(problems.first?.message.contains("2 hidden or unknown files") == true)
        #expect(summary.count(.noArticles) == 1)
    }

    @Test func aMalformedJSONLineNamesFileAndLineAndTheRestIsKept() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let path = try files.write("broken.jsonl", [
            TestFiles.jsonLine(id: "1", text: "نص"),
            #"{"id": "2", "text": "unterminated"#,
            #"["an", "array"]"#,
            #"{"id": "4", "text": 17}"#,
            #"{"id": "5", "title": {"nested": true}, "text": "نص"}"#,
            TestFiles.jsonLine(id: "6", text: "نص"),
        ].joined(separator: "\n"))
        let (articles, problems, summary) = ArticleReader().readAll([path])
        #expect(articles.map(\.id) == ["1", "6"])
        #expect(problems.map(\.kind) == [.malformedJSON, .malformedJSON, .malformedJSON, .malformedJSON])
        #expect(problems.map(\.line) == [2, 3, 4, 5])
        #expect(problems[0].description.hasPrefix("\(path):2: malformed JSON"))
        #expect(problems[2].message.contains("text"))
        #expect(problems[3].message.contains("title"))
        #expect(summary.count(.malformedJSON) == 4)
        #expect(summary.articles == 2)
    }

    @Test func binaryGarbageIsSkipped() throws {
        let files = try TestFiles()
        defer { files.remove() }
        var generator = SystemRandomNumberGenerator()
        let garbage = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let binary = try files.write("garbage.txt", garbage)
        let controls = try files.write("controls.txt", Array(repeating: "\u{1}\u{2}ab\u{3}", count: 50).joined())
        let json = try files.write("nul.jsonl", TestFiles.jsonLine(id: "n", text: "نص\u{0}نص"))
        let (articles, problems, summary) = ArticleReader().readAll([binary, controls, json])
        #expect(articles.isEmpty)
        #expect(problems.map(\.kind) == [.binary, .binary, .binary])
        #expect(problems.map(\.file) == [binary, controls, json])
        #expect(problems[2].line == 1)
        #expect(summary.count(.binary) == 3)
    }

    @Test func invalidUTF8IsRepairedFlaggedAndKept() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let text = try files.write("latin1.txt", Array("نص طويل بما يكفي ".utf8) + [0xE9, 0x74, 0xE9] + Array(" صحيح".utf8))
        let line = Array(#"{"id": "bad", "text": "نص طويل بما يكفي "#.utf8) + [0xFF, 0xFE] + Array(#" آخر"}"#.utf8)
        let jsonl = try files.write("bad.jsonl", Array((TestFiles.jsonLine(id: "ok", text: "سليم") + "\n").utf8) + line)
        let (articles, problems, summary) = ArticleReader().readAll([text, jsonl])
        #expect(articles.map(\.id) == [text, "ok", "bad"])
        #expect(articles.map(\.inputFlags) == [[.invalidUTF8Replaced], [], [.invalidUTF8Replaced]])
        #expect(articles[0].content.raw == "نص طويل بما يكفي \u{FFFD}t\u{FFFD} صحيح")
        #expect(articles[2].content.raw == "نص طويل بما يكفي \u{FFFD}\u{FFFD} آخر")
        #expect(problems.map(\.kind) == [.invalidUTF8, .invalidUTF8])
        #expect(problems[1].description.hasPrefix("\(jsonl):2: "))
        #expect(summary.count(.invalidUTF8) == 2)
        #expect(summary.articles == 3)
    }

    @Test func emptyArticlesAreSkipped() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let empty = try files.write("empty.txt", "")
        let blank = try files.write("blank.txt", " \n\t\u{00A0}\u{2003}\n")
        let jsonl = try files.write("e.jsonl", [
            TestFiles.jsonLine(id: "1", text: "   "),
            TestFiles.jsonLine(id: "2"),
            TestFiles.jsonLine(id: "3", text: "نص"),
        ].joined(separator: "\n"))
        let (articles, problems, summary) = ArticleReader().readAll([empty, blank, jsonl])
        #expect(articles.map(\.id) == ["3"])
        #expect(problems.map(\.kind) == [.empty, .empty, .empty, .empty])
        #expect(problems.map(\.line) == [nil, nil, 1, 2])
        #expect(problems[3].message.contains("no \"text\" or \"html\" field"))
        #expect(summary.count(.empty) == 4)
    }

    @Test func articlesOverTheSizeLimitAreSkipped() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let reader = ArticleReader(maxArticleBytes: 1000)
        let big = try files.write("big.txt", String(repeating: "ا", count: 501))
        let fits = try files.write("fits.txt", String(repeating: "ا", count: 500))
        let jsonl = try files.write("big.jsonl", [
            TestFiles.jsonLine(id: "small", text: "نص"),
            TestFiles.jsonLine(id: "large", text: String(repeating: "ب", count: 600)),
            TestFiles.jsonLine(id: "huge", text: String(repeating: "x", count: 100_000)),
            TestFiles.jsonLine(id: "after", text: "نص"),
        ].joined(separator: "\n"))
        let (articles, problems, summary) = reader.readAll([big, fits, jsonl])
        #expect(articles.map(\.id) == [fits, "small", "after"])
        #expect(problems.map(\.kind) == [.tooLarge, .tooLarge, .tooLarge])
        #expect(problems.map(\.file) == [big, jsonl, jsonl])
        #expect(problems.map(\.line) == [nil, 2, 3])
        #expect(problems[1].message.contains("1200 bytes"))
        #expect(summary.count(.tooLarge) == 3)
    }

    @Test func aTruncatedGzipKeepsTheArticlesBeforeTheBreak() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let lines = (1...2000).map { TestFiles.jsonLine(id: "t\($0)", text: "خبر رقم \($0) " + String(repeating: "كلمة ", count: 50)) }
        let whole = TestFiles.gzip(Array(lines.joined(separator: "\n").utf8))
        let path = try files.write("cut.jsonl.gz", Array(whole.prefix(whole.count * 2 / 3)))
        let (articles, problems, summary) = ArticleReader().readAll([path])
        #expect(articles.count > 100)
        #expect(articles.count < 2000)
        #expect(articles.map(\.id) == (1...articles.count).map { "t\($0)" })
        #expect(problems.map(\.kind) == [.corruptGzip])
        #expect(problems[0].description.hasPrefix("\(path): "))
        #expect(problems[0].message.contains("truncated"))
        #expect(problems[0].message.contains("after line \(articles.count)"))
        #expect(summary.count(.corruptGzip) == 1)
    }

    @Test func damagedGzipIsReported() throws {
        let files = try TestFiles()
        defer { files.remove() }
        var bytes = TestFiles.gzip(Array((1...50).map { TestFiles.jsonLine(id: "\($0)", text: "نص") }.joined(separator: "\n").utf8))
        for index in 40..<bytes.count - 8 { bytes[index] ^= 0x5A }
        let damaged = try files.write("damaged.jsonl.gz", bytes)
        let notGzip = try files.write("plain.jsonl.gz", TestFiles.jsonLine(id: "p", text: "نص"))
        let good = try files.write("good.txt", "خبر")
        let (articles, problems, _) = ArticleReader().readAll([damaged, notGzip, good])
        #expect(articles.last?.id == good)
        let gzipProblems = problems.filter { $0.kind == .corruptGzip }
        #expect(gzipProblems.map(\.file) == [damaged, notGzip])
        #expect(gzipProblems[1].message.contains("damaged gzip data"))
    }

    @Test func aFileWithoutAnyLineIsReported() throws {
        let files = try TestFiles()
        defer { files.remove() }
        let path = try files.write("nothing.jsonl", "\n\n  \n")
        let (articles, problems, _) = ArticleReader().readAll([path])
        #expect(articles.isEmpty)
        #expect(problems.map(\.kind) == [.noArticles])
        #expect(problems.first?.file == path)
    }

    @Test func theSummaryCountsEveryKind() throws {
        var summary = IngestSummary()
        summary.articles = 3
        summary.filesRead = 2
        summary.problems = [.empty: 1, .malformedJSON: 2]
        #expect(summary.description == "3 articles from 2 files; problems: 1 empty, 2 malformed_json")
        #expect(summary.problemCount == 3)
    }
}
