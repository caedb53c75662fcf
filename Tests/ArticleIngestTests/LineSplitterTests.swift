import Testing
@testable import ArticleIngest

@Suite struct LineSplitterTests {
    /// Feeds `chunks` and returns what came out: "N:text" for lines, "N:overlong(B)" for long ones.
    private func split(_ chunks: [String], max: Int = 100) -> [String] {
        var splitter = LineSplitter(maxLineBytes: max)
        var out: [String] = []
        let collect: (LineSplitter.Line) -> Void = { line in
            switch line {
            case .bytes(let bytes, let number): out.append("\(number):\(String(decoding: bytes, as: UTF8.self))")
            case .overlong(let number, let count): out.append("\(number):overlong(\(count))")
            }
        }
        for chunk in chunks { splitter.feed(Array(chunk.utf8), collect) }
        splitter.finish(collect)
        return out
    }

    @Test func linesAcrossChunkBoundariesAreJoined() {
        #expect(split(["ab", "c\nde", "f\n\ng"]) == ["1:abc", "2:def", "3:", "4:g"])
    }

    @Test func carriageReturnsBeforeNewlinesAreDropped() {
        #expect(split(["a\r\nb\r", "\nc\r\n"]) == ["1:a", "2:b", "3:c"])
    }

    @Test func aFinalNewlineAddsNoEmptyLine() {
        #expect(split(["a\nb\n"]) == ["1:a", "2:b"])
        #expect(split([]) == [])
    }

    @Test func overlongLinesAreCountedNotKept() {
        let long = String(repeating: "x", count: 150)
        #expect(split(["a\n" + long + "\nb"], max: 100) == ["1:a", "2:overlong(150)", "3:b"])
        #expect(split(["a\n", String(repeating: "y", count: 60), String(repeating: "y", count: 60), "\nb"], max: 100)
            == ["1:a", "2:overlong(120)", "3:b"])
        #expect(split([String(repeating: "z", count: 101)], max: 100) == ["1:overlong(101)"])
    }

    @Test func aPartialLineCanBeDiscarded() {
        var splitter = LineSplitter(maxLineBytes: 100)
        var lines = 0
        splitter.feed(Array("a\nb\npart".utf8)) { _ in lines += 1 }
        splitter.discardPartialLine()
        splitter.finish { _ in lines += 1 }
        #expect(lines == 2)
        #expect(splitter.lineNumber == 2)
    }
}

@Suite struct InputFormatTests {
    @Test func namesDecideTheFormat() {
        #expect(InputFormat(path: "a/B.JSONL.GZ") == .gzipJSONLines)
        #expect(InputFormat(path: "x.jsonl") == .jsonLines)
        #expect(InputFormat(path: "x.txt") == .text)
        #expect(InputFormat(path: "x.htm") == .html)
        #expect(InputFormat(path: "x.gz") == nil)
        #expect(InputFormat(path: "x.md") == nil)
    }

    @Test func sniffingLooksAtTheFirstCharacter() {
        #expect(InputFormat(sniffing: [0x1F, 0x8B, 8]) == .gzipJSONLines)
        #expect(InputFormat(sniffing: Array("\u{FEFF}\n  {\"id\":1}".utf8)) == .jsonLines)
        #expect(InputFormat(sniffing: Array(" <!doctype html>".utf8)) == .html)
        #expect(InputFormat(sniffing: Array("خبر".utf8)) == .text)
        #expect(InputFormat(sniffing: []) == .text)
    }
}

@Suite struct TextCheckTests {
    @Test func ordinaryTextPasses() {
        #expect(TextCheck.problem(with: "خبر\tعادي\r\n", repaired: false, maxBytes: 100) == nil)
    }

    @Test func aFewControlCharactersAreTolerated() {
        let text = String(repeating: "كلمة ", count: 20) + "\u{1}"
        #expect(TextCheck.problem(with: text, repaired: false, maxBytes: 1000) == nil)
    }

    @Test func manyReplacementCharactersMeanBinaryOnlyAfterARepair() {
        let text = String(repeating: "\u{FFFD}", count: 20) + "ab"
        #expect(TextCheck.problem(with: text, repaired: true, maxBytes: 1000)?.0 == .binary)
        #expect(TextCheck.problem(with: text, repaired: false, maxBytes: 1000) == nil)
    }

    @Test func theLimitIsInBytes() {
        #expect(TextCheck.problem(with: "اب", repaired: false, maxBytes: 4) == nil)
        #expect(TextCheck.problem(with: "ابت", repaired: false, maxBytes: 4)?.0 == .tooLarge)
    }
}
