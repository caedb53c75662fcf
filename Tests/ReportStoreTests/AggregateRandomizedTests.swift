import ArticleAnalysis
import Foundation
import Testing
@testable import ReportStore
import TestSupport

/// Random sequences of new articles, duplicate jobs, resubmissions and new versions: after every commit the kept
/// aggregates equal both a recomputation from the store's per-article rows and a model of the latest versions.
@Suite(.offTheCooperativePool) struct AggregateRandomizedTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return StableHash.mix(state)
        }
    }

    struct Latest {
        var source: String
        var day: String
        var analysis: Analysis
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func aggregatesEqualARecomputationAfterEveryCommit(seed: UInt64) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("s.sqlite").path)
        var random = Generator(state: seed)
        let names: [(String, EntityType)] = [("غزه", .location), ("حماس", .organization), ("ترامب", .person), ("مصر", .location),
                                             ("الامم المتحده", .organization), ("نتنياهو", .person), ("القدس", .location),
                                             ("ايران", .location), ("بوتين", .person), ("الناتو", .organization), ("دبي", .location)]
        let sources = ["BBC", "CNN", "alarabia", "france24"]
        let days = ["2018-04-0\(1)", "2018-04-02", "2018-04-03", "2018-04-09", "2018-05-20"]
        let topics = ["war", "politics", "economy", "sport"]
        var sent: [StoredResult] = []
        var latest: [String: Latest] = [:]
        var job = 0
        var textCounter = 0

        func randomArticle(_ id: String) -> (StoredResult, Latest) {
            textCounter += 1
            let entityCount = Int.random(in: 0...10, using: &random)
            let entities = names.shuffled(using: &random).prefix(entityCount).map { ($0.0, $0.1, Int.random(in: 1...6, using: &random)) }
            let speakers = (0..<Int.random(in: 0...3, using: &random)).map { _ in ["هنية", "ترامب", nil, "مسؤول"].randomElement(using: &random)! }
            let analysis = StoreTestArticles.analysis(
                text: "نص \(textCounter)", entities: entities,
                topics: Array(topics.shuffled(using: &random).prefix(Int.random(in: 0...2, using: &random))),
                speakers: speakers, named: Int.random(in: 0...3, using: &random), anonymous: Int.random(in: 0...3, using: &random),
                tone: Double(Int.random(in: -4...4, using: &random)) / 4,
                keywords: ["قصف", "اتفاق", "انتخابات", "نفط"].shuffled(using: &random).prefix(2).map { $0 })
            let source = sources.randomElement(using: &random)!
            let day = days.randomElement(using: &random)!
            job += 1
            let result = StoreTestArticles.result(job: "job-\(job)", article: id, source: source, published: day + "T08:00:00Z", analysis: analysis)
            return (result, Latest(source: source, day: day, analysis: analysis))
        }

        for _ in 0..<40 {
            var batch: [StoredResult] = []
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let choice = Int.random(in: 0..<10, using: &random)
                if choice < 4 || latest.isEmpty {
                    let (result, state) = randomArticle("article-\(latest.count + 1)")
                    batch.append(result); latest[result.article.id] = state
                } else if choice < 6, let old = sent.randomElement(using: &random) {
                    batch.append(old)  // the same job again: a duplicate
                } else if choice < 8, let old = sent.randomElement(using: &random) {
                    job += 1  // the same article and text under a new job: seen again, or an old version resent
                    let again = StoredResult(jobID: "job-\(job)", batchID: "b", article: old.article, content: old.content, workerID: "w", analysedAt: old.analysedAt)
                    batch.append(again)
                    let text = old.analysis!.normalizedText
                    if latest[old.article.id]!.analysis.normalizedText != text {
                        latest[old.article.id] = Latest(source: old.article.source!, day: String(old.article.published!.prefix(10)), analysis: old.analysis!)
                    }
                } else {
                    let id = latest.keys.sorted().randomElement(using: &random)!
                    let (result, state) = randomArticle(id)
                    batch.append(result); latest[id] = state
                }
            }
            _ = try store.store(batch)
            sent += batch
            try AggregateCheck.expectConsistent(store)
            try expectModel(store, latest)
        }
    }

    private func expectModel(_ store: SQLiteReportStore, _ latest: [String: Latest]) throws {
        var entities: [String: (articles: Int, mentions: Int)] = [:]
        var bySource: [String: Int] = [:], byDay: [String: Int] = [:], byTopic: [String: Int] = [:]
        var speakers: [String: (quotes: Int, articles: Int)] = [:]
        for state in latest.values {
            for e in state.analysis.canonicalEntities {
                entities[e.type.rawValue + ":" + e.key, default: (0, 0)].articles += 1
                entities[e.type.rawValue + ":" + e.key, default: (0, 0)].mentions += e.mentions
            }
            bySource[state.source, default: 0] += 1
            byDay[state.day, default: 0] += 1
            for t in Set(state.analysis.topics.map(\.topic)) { byTopic[t, default: 0] += 1 }
            var quoted: [String: Int] = [:]
            for q in state.analysis.quotes { if let s = q.speaker { quoted[s, default: 0] += 1 } }
            for (s, n) in quoted { speakers[s, default: (0, 0)].quotes += n; speakers[s, default: (0, 0)].articles += 1 }
        }
        let kept = try store.topEntities(ReportFilter(), limit: 1000, type: nil)
        #expect(Dictionary(uniqueKeysWithValues: kept.map { ($0.type.rawValue + ":" + $0.key, "\($0.articles)/\($0.mentions)") })
                == entities.mapValues { "\($0.articles)/\($0.mentions)" })
        func tally(_ d: TallyDimension) throws -> [String: Int] {
            Dictionary(uniqueKeysWithValues: try store.counts(d, filter: ReportFilter()).map { ($0.value, $0.articles) })
        }
        #expect(try tally(.source) == bySource)
        #expect(try tally(.day) == byDay)
        #expect(try tally(.topic) == byTopic)
        #expect(try store.summary(ReportFilter()).articles == latest.count)
        let keptSpeakers = try store.speakers(ReportFilter(), limit: 1000)
        #expect(Dictionary(uniqueKeysWithValues: keptSpeakers.map { ($0.speaker, "\($0.quotes)/\($0.articles)") })
                == speakers.mapValues { "\($0.quotes)/\($0.articles)" })
        // The same counts through the filtered path (an always-true filter).
        let wide = ReportFilter(since: Date(timeIntervalSince1970: 0))
        #expect(try store.topEntities(wide, limit: 1000, type: nil).map { "\($0.key)/\($0.articles)/\($0.mentions)" }.sorted()
                == kept.map { "\($0.key)/\($0.articles)/\($0.mentions)" }.sorted())
        #expect(try store.counts(.source, filter: wide).map(\.articles) == store.counts(.source, filter: ReportFilter()).map(\.articles))
    }
}
