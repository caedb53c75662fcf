import Testing
@testable import ArticleAnalysis
import TestSupport

/// Real articles of the ANT sample, annotated by reading them.
@Suite(.needsSharedData, .offTheCooperativePool) struct AntArticleTests {
    func analysis(_ id: String) throws -> Analysis? {
        guard SharedData.require() != nil else { return nil }
        let article = try #require(SharedData.antArticle(id), "\(id) is in sample-500.jsonl")
        return SharedData.analyzer.analyze(article)
    }

    /// Nepal plane crash: the airport spokesman is quoted; a witness spoke to Reuters.
    @Test func nepalCrash() throws {
        guard let a = try analysis("AL-internationalNews-438-20180312") else { return }
        let first = a.quotes.first { $0.kind == .direct && $0.text.hasPrefix("نحاول إخماد الحريق") }
        #expect(first?.speaker == "المتحدث باسم المطار")
        #expect(first?.cue == "وقال")
        let witness = a.quotes.first { $0.kind == .reported && $0.text.hasPrefix("عمال الإنقاذ ينتشلون") }
        #expect(witness?.speaker == "شاهد عيان")
        #expect(a.sources.contains { $0.kind == .named && $0.text == "رويترز" })
        #expect(a.language.code == "ar")
    }

    /// South Sudan: the White House spokeswoman and the statement are quoted.
    @Test func southSudan() throws {
        guard let a = try analysis("AL-internationalNews-2023-20180722") else { return }
        let spokeswoman = a.quotes.first { $0.kind == .direct && $0.text.hasPrefix("الاتفاق المحدود بين النخب") }
        #expect(spokeswoman?.speaker == "المتحدثة باسم البيت الأبيض")
        let statement = a.quotes.first { $0.kind == .direct && $0.text.hasPrefix("في الحقيقة") }
        #expect(statement?.speaker == "البيان")
        #expect(a.topics.contains { $0.topic == "politics" })
    }

    /// Knife attack in a South African mosque: security sources, a police spokeswoman, negative tone.
    @Test func mosqueAttack() throws {
        guard let a = try analysis("FR-internationalNews-1803-20180614") else { return }
        #expect(a.sources.contains { $0.kind == .anonymous && $0.text == "مصادر أمنية" })
        let quote = a.quotes.first { $0.kind == .direct && $0.text.hasPrefix("عثرت على شخصين") }
        #expect(quote?.speaker == "المتحدثة نوليوسو رويكسانا")
        let next = a.quotes.first { $0.text.hasPrefix("المشتبه به") }
        #expect(next?.speaker == "المتحدثة نوليوسو رويكسانا", "متابعة أن: same speaker")
        #expect(a.topics.contains { $0.topic == "security" })
        #expect(a.tone < 0)
    }

    /// Turkish inflation: an economy story from CNN.
    @Test func turkishInflation() throws {
        guard let a = try analysis("CN-economy-349-20181003") else { return }
        #expect(a.topics.first?.topic == "economy")
        #expect(a.sources.contains { $0.kind == .named && $0.text == "CNN" })
        #expect(a.keywords.contains { $0.phrase.contains("التضخم") })
    }

    /// A sport programme summary.
    @Test func sportProgramme() throws {
        guard let a = try analysis("FR-sport-279-20180723") else { return }
        #expect(a.topics.first?.topic == "sport")
    }

    /// Every article of the sample: spans index the clean text, invariants hold.
    @Test func invariantsOverTheSample() throws {
        guard SharedData.require() != nil else { return }
        #expect(SharedData.antSample.count == 500)
        var arabic = 0
        for item in SharedData.antSample.prefix(200) {
            let a = SharedData.analyzer.analyze(item.article)
            let bytes = Array(a.cleanText.utf8)
            for t in a.tokens.prefix(50) {
                #expect(String(decoding: bytes[t.span.start..<t.span.end], as: UTF8.self) == t.text)
            }
            for s in a.sentences { #expect(s.start < s.end && s.end <= bytes.count) }
            #expect(zip(a.sentences, a.sentences.dropFirst()).allSatisfy { $0.end <= $1.start })
            #expect(a.summary.count <= 3 && a.keywords.count <= 10)
            #expect(zip(a.keywords, a.keywords.dropFirst()).allSatisfy { $0.score >= $1.score })
            #expect(zip(a.topics, a.topics.dropFirst()).allSatisfy { $0.score >= $1.score })
            #expect(a.tone >= -1 && a.tone <= 1)
            #expect(a.fingerprint.minhash.count == Fingerprinter.signatureLength)
            #expect(a.flags == a.flags.sorted() && Set(a.flags).count == a.flags.count)
            if a.language.code == "ar" { arabic += 1 }
        }
        #expect(arabic == 200)
    }
}
