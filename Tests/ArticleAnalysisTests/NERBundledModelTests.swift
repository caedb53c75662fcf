import Foundation
import Testing
@testable import ArticleAnalysis
import TestSupport

@Suite(.offTheCooperativePool) struct NERBundledModelTests {
    @Test func bundledRecognizerLoads() throws {
        let recognizer = try EntityRecognizer.bundled()
        #expect(recognizer.model.settings.epochs >= 1)
        let spans = recognizer.recognize(["وقال", "الرئيس", "المصري", "عبد", "الفتاح", "السيسي", "في", "القاهرة", "."])
        #expect(spans.contains(TokenEntitySpan(type: .location, start: 7, end: 8)))
        #expect(spans.contains { $0.type == .person && $0.end == 6 })
    }

    /// Every entity of the gold annotation of the seed articles is found, as a mention or a canonical key.
    @Test(.needsSharedData) func findsTheGoldSeedEntities() throws {
        guard let shared = NERTestData.sharedDirectory() else { return }
        let gold = try JSONSerialization.jsonObject(with: Data(contentsOf: shared.appendingPathComponent("gold/seeds.json")))
        let articles = try #require((gold as? [String: Any])?["articles"] as? [[String: Any]])
        #expect(articles.count == 2)
        let recognizer = try EntityRecognizer.bundled()
        let canonicalizer = EntityCanonicalizer()
        for article in articles {
            let file = try #require(article["file"] as? String)
            let entities = try #require(article["entities"] as? [String: [String]])
            let text = try String(contentsOf: shared.appendingPathComponent(file), encoding: .utf8)
            var mentions: [EntityMention] = []
            for tokens in NERTestData.sentences(of: text) {
                for span in recognizer.recognize(tokens) {
                    let words = tokens[span.start..<span.end]
                    let stripped = ([ArabicClitics.stripOneLetterProclitics(words.first!)] + words.dropFirst())
                        .joined(separator: " ")
                    // The span as written too: the stripping may take a name's own first letter ("باسكال").
                    for text in Set([stripped, words.joined(separator: " ")]) {
                        mentions.append(EntityMention(type: span.type, text: text, canonical: "", span: TextSpan(start: 0, end: 0)))
                    }
                }
            }
            let (canonicalMentions, canonical) = canonicalizer.canonicalize(mentions)
            let found = Set(canonicalMentions.map { ArabicNormalizer.normalize($0.text) } + canonical.map(\.key))
            for (typeName, names) in entities {
                let type = try #require(EntityType(rawValue: typeName))
                for name in names {
                    let asMention = found.contains(ArabicNormalizer.normalize(name))
                    let asKey = found.contains(canonicalizer.key(for: name, type: type))
                    #expect(asMention || asKey, "\(file): \(typeName) \(name) not found")
                }
            }
        }
    }
}
