import Foundation
import Testing
@testable import ArticleAnalysis

/// The byte-level line and field splitting of the bundled tables gives what splitting on `Character`s gave.
@Suite struct TableLinesTests {
    /// The splitting the tables used before: on `Character`s, as `String.split` does.
    private static func referenceLines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    private static func referenceFields(_ line: Substring) -> [Substring] {
        line.split(separator: "\t", omittingEmptySubsequences: false)
    }

    @Test(arguments: [
        "", "\n", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\n#c\n", "a\tb\n\tc\t\n", "\r\n\r\n", "x\r", "فرانس\t0\nبسوريا\t1\r\n",
        "كلمة\u{0651}\tقيمة\u{064B}\n",
    ])
    func splitsAsCharacterSplittingDid(text: String) {
        let lines = TableLines.lines(of: text)
        #expect(lines == Self.referenceLines(text))
        for line in lines { #expect(TableLines.fields(of: line) == Self.referenceFields(line)) }
    }

    /// Every bundled table splits into the same lines and fields both ways.
    @Test(arguments: ["entity-keys", "keyword-df", "ner-clusters", "ner-lexicon", "ner-name-lists", "gazetteer-entities"])
    func bundledTablesSplitAsCharacterSplittingDid(name: String) throws {
        let text = String(decoding: try EntityRecognizer.bundledResource(name, "txt"), as: UTF8.self)
        let lines = TableLines.lines(of: text)
        let reference = Self.referenceLines(text)
        #expect(lines.count == reference.count && lines.count > 100)
        #expect(lines == reference)
        var fields = 0, referenceFields = 0
        for (line, other) in zip(lines, reference) {
            let split = TableLines.fields(of: line)
            #expect(split == Self.referenceFields(other), "\(name): \(line)")
            fields += split.count
            referenceFields += Self.referenceFields(other).count
        }
        #expect(fields == referenceFields && fields > lines.count)
    }

    @Test func hashesASubstringAsTheStringItHolds() {
        let line: Substring = "فلاديمير\tبوتين"
        let base = TableLines.fields(of: line)[1]
        #expect(FeatureHash.of(base) == FeatureHash.of("بوتين"))
        #expect(FeatureHash.of(base) != FeatureHash.of("بوتن"))
    }

    @Test func aTableLineNumberCountsCommentsAndBlankLines() throws {
        let text = "# comment\n\nwell\t3\nbroken line\n"
        var line: Int?
        do {
            _ = try NERLexicon(text: text)
        } catch {
            line = error.line
        }
        #expect(line == 4)
        #expect(try NERLexicon(text: "# comment\r\n\r\nwell\t3\r\n").count == 1)
    }
}
