import ArticleAnalysis
import Foundation
import Testing
@testable import ReportStore

@Suite struct ArticleIdentityTests {
    @Test func theInputsOwnIdComesFirst() {
        let metadata = ArticleMetadata(id: "CN-economy-349-20181003", url: "http://arabic.cnn.com/a")
        #expect(ArticleIdentity.key(metadata: metadata, normalizedText: "x") == "id:CN-economy-349-20181003")
    }

    @Test func idsTheReaderMadeUpFallBackToTheURLThenTheText() {
        for made in ["Samples/cairo-pressure-webpage.txt", "/tmp/page.HTML", "feed.jsonl:17", "feed.jsonl.gz:3", "<stdin>:2", ""] {
            #expect(!ArticleIdentity.isInputID(made), "\(made)")
            let withURL = ArticleMetadata(id: made, url: "https://www.Example.com/news/1/?utm_source=x&b=2&a=1#top")
            #expect(ArticleIdentity.key(metadata: withURL, normalizedText: "x") == "url:example.com/news/1?a=1&b=2")
            let bare = ArticleMetadata(id: made)
            #expect(ArticleIdentity.key(metadata: bare, normalizedText: "نص  الخبر\n") == ArticleIdentity.key(metadata: bare, normalizedText: " نص الخبر"))
            #expect(ArticleIdentity.key(metadata: bare, normalizedText: "نص الخبر").hasPrefix("text:"))
        }
        #expect(ArticleIdentity.isInputID("article-17"))
        #expect(ArticleIdentity.isInputID("https://example.com/a"))
    }

    @Test func urlsThatDifferOnlyInFormAreOne() {
        let forms = ["http://example.com/a/b", "https://www.example.com/a/b/", "HTTPS://EXAMPLE.COM/a/b#x", "https://example.com:443/a/b?fbclid=1"]
        #expect(Set(forms.compactMap(ArticleIdentity.normalizedURL)) == ["example.com/a/b"])
        #expect(ArticleIdentity.normalizedURL("not a url") == nil)
        #expect(ArticleIdentity.normalizedURL("ftp://example.com/x") == nil)
    }

    @Test func publishedTimesReadAsUTC() {
        #expect(PublishedTime.milliseconds("2018-10-03T10:12:11+00:00") == 1_538_561_531_000)
        #expect(PublishedTime.milliseconds("2018-10-03T12:12:11+02:00") == 1_538_561_531_000)
        #expect(PublishedTime.milliseconds("2018-10-03") == 1_538_524_800_000)
        #expect(PublishedTime.milliseconds("03/10/2018") == nil)
        #expect(PublishedTime.day(milliseconds: 1_538_561_531_000) == "2018-10-03")
        #expect(PublishedTime.day(milliseconds: -1) == "1969-12-31")
        // As `%04d-%02d-%02d` writes them: the sign takes a digit's place, a fifth digit widens the year.
        #expect(PublishedTime.day(milliseconds: -719_528 * 86_400_000) == "0000-01-01")
        #expect(PublishedTime.day(milliseconds: -719_529 * 86_400_000) == "-001-12-31")
        #expect(PublishedTime.day(milliseconds: 2_932_897 * 86_400_000) == "10000-01-01")
        for day in stride(from: Int64(-719_528), to: 2_932_897, by: 997) {
            let text = PublishedTime.day(milliseconds: day * 86_400_000 + 3_600_000)
            #expect(PublishedTime.startOfDay(text) == day * 86_400_000, "\(day): \(text)")
        }
    }

    /// Scalars that white space may or may not join into one grapheme cluster, beside plain Arabic and Latin text.
    private static let alphabet: [String] = [
        "a", "Z", "1", ".", "ن", "ص", "ال", "خبر", "\u{064E}", "\u{0651}", "\u{0301}", "\u{200C}", "\u{200D}",
        "\u{0600}", "\u{06DD}", "\u{0D4E}", "\u{1F3FB}", "\u{FE0F}", "\u{0903}", "é", "e\u{0301}", "👍",
        " ", "  ", "\t", "\n", "\r\n", "\r", "\u{00A0}", "\u{2003}", "\u{3000}", "\u{2028}", "\u{0085}", "\u{202F}",
    ]

    @Test func theScalarHashEqualsItsDefinitionOnEveryKindOfWhiteSpace() {
        var generator = SystemRandomNumberGenerator()
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...12, using: &generator)
            let text = (0..<length).map { _ in Self.alphabet.randomElement(using: &generator)! }.joined()
            if ArticleIdentity.textHash(text) != ArticleIdentity.characterTextHash(text) { disagreements.append(text) }
        }
        #expect(disagreements.isEmpty, "first: \(disagreements.prefix(5).map { Array($0.unicodeScalars) })")
    }

    @Test func theScalarHashEqualsItsDefinitionOnTheSampleArticles() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Samples/ant-sample.jsonl").standardizedFileURL
        var texts = 0
        for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard let text = object?["text"] as? String else { continue }
            texts += 1
            #expect(ArticleIdentity.textHash(text) == ArticleIdentity.characterTextHash(text), "\(text.prefix(40))")
        }
        #expect(texts > 50)
    }
}

extension ArticleIdentityTests {
    /// The written-out White_Space set agrees with the property lookup on every scalar.
    @Test func whiteSpaceIsUnicodesWhiteSpace() {
        var disagreements: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if ArticleIdentity.isWhiteSpace(scalar) != scalar.properties.isWhitespace { disagreements.append(value) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.map { String($0, radix: 16) })")
    }
}
