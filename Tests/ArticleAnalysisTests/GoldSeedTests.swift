import Foundation
import Testing
@testable import ArticleAnalysis
import TestSupport

/// The two seed articles against their hand annotations in gold/seeds.json.
@Suite(.needsSharedData, .offTheCooperativePool) struct GoldSeedTests {
    struct Gold: Decodable {
        struct Quote: Decodable { var speaker: String; var starts_with: String }
        struct Item: Decodable {
            var file: String
            var language: String
            var headline: String?
            var section_headings: [String]?
            var boilerplate_lines: [String]
            var anonymous_sources: [String]
            var named_sources: [String]?
            var quotes: [Quote]?
            var topics: [String]
        }
        var articles: [Item]
    }

    static func load() throws -> [(Gold.Item, Analysis)]? {
        guard SharedData.require() != nil else { return nil }
        let gold = try JSONDecoder().decode(Gold.self, from: Data(SharedData.text("gold/seeds.json").utf8))
        return try gold.articles.map { item in
            let text = try SharedData.text(item.file)
            return (item, SharedData.analyzer.analyze(Article(id: item.file, content: .text(text))))
        }
    }

    @Test func languageIsArabic() throws {
        for (gold, a) in try Self.load() ?? [] {
            #expect(a.language.code == gold.language, "\(gold.file)")
            #expect(a.language.confidence > 0.9)
            #expect(!a.flags.contains(.languageUncertain))
        }
    }

    @Test func headlineAndSectionHeadings() throws {
        for (gold, a) in try Self.load() ?? [] {
            if let headline = gold.headline {
                #expect(a.title == headline)
                #expect(!a.cleanText.contains(headline), "the headline is not repeated in the body")
            }
            #expect(a.headings == (gold.section_headings ?? []), "\(gold.file)")
        }
    }

    @Test func boilerplateIsRemovedAndNothingElse() throws {
        for (gold, a) in try Self.load() ?? [] {
            #expect(a.removedLines == gold.boilerplate_lines, "\(gold.file)")
            let lines = Set(a.cleanText.split(separator: "\n").map(String.init))
            for line in gold.boilerplate_lines { #expect(!lines.contains(line)) }
            #expect(!a.cleanText.contains("بريدك الإلكتروني"))
        }
    }

    @Test func anonymousAndNamedSources() throws {
        for (gold, a) in try Self.load() ?? [] {
            let anonymous = Set(a.sources.filter { $0.kind == .anonymous }.map(\.text))
            let named = Set(a.sources.filter { $0.kind == .named }.map(\.text))
            for s in gold.anonymous_sources { #expect(anonymous.contains(s), "missing anonymous source \(s) in \(gold.file)") }
            for s in gold.named_sources ?? [] { #expect(named.contains(s), "missing named source \(s) in \(gold.file)") }
            let expectedShare = Double(anonymous.count) / Double(anonymous.count + named.count)
            #expect(a.anonymousSourceShare > 0 && a.anonymousSourceShare <= 1)
            if anonymous.count == a.sources.count { #expect(a.anonymousSourceShare == 1) } else { #expect(abs(a.anonymousSourceShare - expectedShare) < 0.35) }
            for s in a.sources {
                #expect(TestText.slice(a.cleanText, s.span) == s.text, "span of \(s.text)")
            }
        }
    }

    @Test func quotesAreAttributedToTheirSpeaker() throws {
        for (gold, a) in try Self.load() ?? [] {
            for q in gold.quotes ?? [] {
                let found = a.quotes.first { $0.kind == .direct && $0.text.hasPrefix(q.starts_with) }
                #expect(found != nil, "no quote starting with \(q.starts_with)")
                #expect(found?.speaker == q.speaker)
                if let found { #expect(TestText.slice(a.cleanText, found.span).contains(q.starts_with)) }
            }
        }
    }

    @Test func goldTopicsAreFound() throws {
        for (gold, a) in try Self.load() ?? [] {
            let topics = Set(a.topics.map(\.topic))
            for t in gold.topics { #expect(topics.contains(t), "missing topic \(t) in \(gold.file)") }
            let ids = Set(TopicTaxonomy.topics.map(\.id))
            #expect(topics.isSubset(of: ids))
        }
    }

    @Test func seedsAreCloserToEachOtherThanToAnUnrelatedArticle() throws {
        guard let seeds = try Self.load(), seeds.count == 2 else { return }
        let unrelated = try #require(SharedData.antArticle("CN-economy-349-20181003"), "the ANT sample has the economy article")
        let other = SharedData.analyzer.analyze(unrelated)
        let a = seeds[0].1.fingerprint, b = seeds[1].1.fingerprint
        #expect(a.minhashSimilarity(to: b) > a.minhashSimilarity(to: other.fingerprint))
        #expect(a.minhashSimilarity(to: b) > b.minhashSimilarity(to: other.fingerprint))
        #expect(a.simhashDistance(to: b) < a.simhashDistance(to: other.fingerprint))
        #expect(a.simhashDistance(to: b) < b.simhashDistance(to: other.fingerprint))
    }
}

enum TestText {
    /// The text of a UTF-8 span.
    static func slice(_ text: String, _ span: TextSpan) -> String {
        let bytes = Array(text.utf8)
        guard span.start >= 0, span.end <= bytes.count, span.start <= span.end else { return "<bad span>" }
        return String(decoding: bytes[span.start..<span.end], as: UTF8.self)
    }
}
