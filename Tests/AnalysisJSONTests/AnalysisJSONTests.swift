import AnalysisJSON
import ArticleAnalysis
import Foundation
import Testing

/// The direct JSON writer against Foundation's encoder: the same bytes, on crafted values and real analyses.
@Suite struct AnalysisJSONTests {
    struct Line: Encodable {
        var id: String
        var source: String?
        var url: String?
        var analysis: Analysis
    }

    static func foundation(_ line: Line) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(line), as: UTF8.self)
    }

    static func direct(_ line: Line) -> String {
        var buffer = JSONBuffer()
        AnalysisJSON.appendArticleLine(id: line.id, source: line.source, url: line.url, analysis: line.analysis, to: &buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }

    static let analyzer = ArticleAnalyzer()

    @Test func craftedValuesMatchFoundation() throws {
        let odd = "a\"b\\c/d\n\r\t\u{08}\u{0C}\u{01}\u{1F}\u{7F} é \u{2028} 😀 «قال» \u{200F}"
        var a = Analysis(
            language: LanguageGuess(code: "ar", confidence: 0.875), title: odd, headings: [odd, ""], cleanText: odd,
            removedLines: ["x"], normalizedText: "",
            sentences: [TextSpan(start: 0, end: 12)],
            tokens: [Token(text: odd, normalized: "n", base: "b", stem: "s", span: TextSpan(start: 3, end: 9), isStopword: true)],
            entities: [EntityMention(type: .person, text: "بوتين", canonical: "بوتين", span: TextSpan(start: 1, end: 2))],
            canonicalEntities: [CanonicalEntity(key: "k", name: "n", type: .organization, mentions: 3, variants: ["a", "b"])],
            quotes: [Quote(kind: .direct, text: "t", speaker: nil, speakerEntity: "e", cue: nil, span: TextSpan(start: 0, end: 1)),
                     Quote(kind: .reported, text: "t", speaker: "s", speakerEntity: nil, cue: "قال", span: TextSpan(start: 0, end: 1))],
            sources: [SourceAttribution(kind: .anonymous, text: "مصادر", span: TextSpan(start: 5, end: 7))],
            anonymousSourceShare: 1.0 / 3.0,
            keywords: [Keyword(phrase: "p", score: 2), Keyword(phrase: "q", score: 1e-7), Keyword(phrase: "r", score: 123456.789)],
            topics: [TopicScore(topic: "ceasefire", score: 0.1)], tone: -0.25, summary: [odd],
            fingerprint: Fingerprint(simhash: UInt64.max, minhash: [0, 1, UInt32.max]),
            flags: [.bidiControls, .truncated])
        for line in [Line(id: "1", source: "s", url: "http://x/y", analysis: a), Line(id: odd, source: nil, url: nil, analysis: a)] {
            #expect(Self.direct(line) == (try Self.foundation(line)))
        }
        a.title = nil
        a.tone = 0
        a.anonymousSourceShare = -0.0
        #expect(Self.direct(Line(id: "2", analysis: a)) == (try Self.foundation(Line(id: "2", analysis: a))))
        #expect(Self.direct(Line(id: "3", analysis: Analysis())) == (try Self.foundation(Line(id: "3", analysis: Analysis()))))
    }

    @Test func realAnalysesMatchFoundation() throws {
        let texts = [
            "القاهرة تضغط على حماس\nوقال المتحدث باسم الخارجية، إن «المحادثات تسير بشكل إيجابي» بحسب وكالة رويترز. وذكرت مصادر مطلعة أن الوفد سيعود الأحد.",
            "Egypt presses Hamas\n\"We are working with all parties,\" said Ahmed Hafez, a spokesman, according to Reuters.",
            "<html><body><article><h1>Titre</h1><p>« Nous travaillons avec toutes les parties », a déclaré Pascal Confavreux, selon l'AFP.</p></article></body></html>",
        ]
        var articles = texts.enumerated().map { i, t in
            Article(id: "t\(i)", content: t.hasPrefix("<") ? .html(t) : .text(t))
        }
        // Real articles when the shared corpus is there (tests run without it too).
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/corpus/ant/sample-500.jsonl")
        if let data = try? String(contentsOf: sample, encoding: .utf8) {
            for (i, line) in data.split(separator: "\n").prefix(40).enumerated() {
                struct Row: Decodable { var text: String }
                if let row = try? JSONDecoder().decode(Row.self, from: Data(line.utf8)) {
                    articles.append(Article(id: "ant\(i)", content: .text(row.text)))
                }
            }
        }
        for article in articles {
            let line = Line(id: article.id, source: "src", url: nil, analysis: Self.analyzer.analyze(article))
            #expect(Self.direct(line) == (try Self.foundation(line)), "\(article.id)")
        }
    }
}
