import Foundation
import Testing
@testable import ArticleAnalysis
import TestSupport

/// Quotes, speakers and named sources against the hand-annotated gold set of `Benchmarks/quotes/` (ANT articles
/// of sample-500; `Benchmarks/quotes/run.sh` prints the same figures through `mirsad analyze --json`). The floors
/// sit a little under the figures measured when the set was made, so a regression fails.
@Suite(.needsSharedData, .offTheCooperativePool) struct QuoteGoldTests {
    struct GoldQuote: Decodable {
        var id: String
        var split: String
        var quote: String
        var speaker: [String]
    }

    struct GoldSource: Decodable {
        var id: String
        var split: String
        var source: [String]
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Benchmarks/quotes")

    static func lines<T: Decodable>(_ name: String, as: T.Type) throws -> [T] {
        let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }

    /// As `Benchmarks/quotes/score.py`: normalised, without marks or punctuation, single spaces.
    static func norm(_ s: String?) -> String {
        let n = ArabicNormalizer.normalize(s ?? "")
        let cleaned = String(String.UnicodeScalarView(n.unicodeScalars.map {
            $0.properties.isAlphabetic || $0.properties.numericType != nil ? $0 : " "
        }))
        return cleaned.split(separator: " ").joined(separator: " ")
    }

    struct Figures {
        var quotes = 0, found = 0, rightSpeaker = 0, sources = 0, sourcesFound = 0
        var recall: Double { Double(found) / Double(max(quotes, 1)) }
        var accuracy: Double { Double(rightSpeaker) / Double(max(found, 1)) }
    }

    @Test func quotesAndSpeakersOfTheGoldSet() throws {
        guard SharedData.require() != nil else { return }
        let gold = try Self.lines("gold.jsonl", as: GoldQuote.self)
        let named = try Self.lines("named-sources.jsonl", as: GoldSource.self)
        #expect(gold.count >= 150)
        var analyses: [String: Analysis] = [:]
        for id in Set(gold.map(\.id)) {
            let article = try #require(SharedData.antArticle(id), "\(id) is in sample-500.jsonl")
            analyses[id] = SharedData.analyzer.analyze(article)
        }
        var figures: [String: Figures] = [:]
        var used: [String: Set<Int>] = [:]
        for g in gold {
            figures[g.split, default: Figures()].quotes += 1
            let quotes = analyses[g.id]?.quotes ?? []
            let snippet = Self.norm(g.quote)
            guard let i = quotes.indices.first(where: { !(used[g.id]?.contains($0) ?? false) && Self.norm(quotes[$0].text).contains(snippet) })
            else { continue }
            used[g.id, default: []].insert(i)
            figures[g.split]!.found += 1
            let said = Self.norm(quotes[i].speaker) + " | " + Self.norm(quotes[i].speakerEntity)
            if g.speaker.contains(where: { said.contains(Self.norm($0)) }) { figures[g.split]!.rightSpeaker += 1 }
        }
        for n in named {
            figures[n.split, default: Figures()].sources += 1
            let found = (analyses[n.id]?.sources ?? []).filter { $0.kind == .named }.map { Self.norm($0.text) }
            if found.contains(where: { f in n.source.contains { f.contains(Self.norm($0)) || Self.norm($0).contains(f) } }) {
                figures[n.split]!.sourcesFound += 1
            }
        }
        let tune = figures["tune"] ?? Figures()
        let test = figures["test"] ?? Figures()
        let test2 = figures["test2"] ?? Figures()
        let test3 = figures["test3"] ?? Figures()
        let test4 = figures["test4"] ?? Figures()
        let test5 = figures["test5"] ?? Figures()
        #expect(tune.quotes >= 100 && test.quotes >= 50 && test2.quotes >= 100 && test3.quotes >= 100 && test4.quotes >= 150)
        #expect(test5.quotes >= 150)
        #expect(tune.recall >= 0.93, "tune recall \(tune.recall)")
        #expect(tune.accuracy >= 0.92, "tune speaker accuracy \(tune.accuracy)")
        #expect(test.recall >= 0.93, "test recall \(test.recall)")
        #expect(test.accuracy >= 0.90, "test speaker accuracy \(test.accuracy)")
        #expect(test2.recall >= 0.95, "test2 recall \(test2.recall)")
        #expect(test2.accuracy >= 0.88, "test2 speaker accuracy \(test2.accuracy)")
        #expect(test3.recall >= 0.92, "test3 recall \(test3.recall)")
        #expect(test3.accuracy >= 0.82, "test3 speaker accuracy \(test3.accuracy)")
        #expect(test4.recall >= 0.93, "test4 recall \(test4.recall)")
        #expect(test4.accuracy >= 0.91, "test4 speaker accuracy \(test4.accuracy)")
        // The held-out split: never read while the rules were adjusted.
        #expect(test5.recall >= 0.90, "test5 recall \(test5.recall)")
        #expect(test5.accuracy >= 0.78, "test5 speaker accuracy \(test5.accuracy)")
        #expect(tune.sourcesFound + test.sourcesFound >= 12, "named sources \(tune.sourcesFound + test.sourcesFound)")
    }
}
