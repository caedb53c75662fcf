import Testing
@testable import ArticleAnalysis

@Suite struct DeterminismAndFingerprintTests {
    static let text = """
    وقال باسكال كونفافرو، المتحدث باسم وزارة الخارجية الفرنسية، إن هذه القوة “تحتاج إلى تفويض من الأمم المتحدة”.
    وأوضح أن “المناقشات لا تزال جارية مع الأميركيين والبريطانيين”، وفق ما نقلت وكالة فرانس برس عن مصادر مطلعة.
    """

    @Test func twoRunsAndTwoAnalyzersAgree() {
        let article = Article(id: "d", content: .text(Self.text))
        let one = ArticleAnalyzer().analyze(article)
        let two = ArticleAnalyzer().analyze(article)
        #expect(one == two)
        #expect(one == ArticleAnalyzer().analyze(article))
    }

    @Test func concurrentAnalysesAgree() async {
        let analyzer = ArticleAnalyzer()
        let article = Article(id: "c", content: .text(Self.text))
        let expected = analyzer.analyze(article)
        let results = await withTaskGroup(of: Analysis.self) { group in
            for _ in 0..<8 { group.addTask { analyzer.analyze(article) } }
            var out: [Analysis] = []
            for await a in group { out.append(a) }
            return out
        }
        #expect(results.count == 8 && results.allSatisfy { $0 == expected })
    }

    @Test func fingerprintValuesAreFixedAcrossProcesses() {
        // FNV-1a 64 reference values.
        #expect(StableHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(StableHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        var shingles = Fingerprinter.Shingles()
        Fingerprinter.addShingles(of: ["قاهره", "حماس"], into: &shingles)
        let f = Fingerprinter.fingerprint(shingles)
        #expect(shingles.all.count == 3 && shingles.words.count == 2)
        #expect(f.minhash.count == Fingerprinter.signatureLength && !f.minhash.contains(UInt32.max))
        #expect(f.minhashSimilarity(to: f) == 1 && f.simhashDistance(to: f) == 0)
    }

    @Test func nearDuplicatesAreClose() {
        let a = ArticleAnalyzer().analyze(Article(id: "a", content: .text(Self.text)))
        let b = ArticleAnalyzer().analyze(Article(id: "b", content: .text(Self.text + "\nوأضاف أن الاجتماع المقبل سيعقد في باريس.")))
        #expect(a.fingerprint.simhashDistance(to: b.fingerprint) <= 12)
        #expect(a.fingerprint.minhashSimilarity(to: b.fingerprint) >= 0.5)
    }

    @Test func emptyTextHasTheEmptyFingerprint() {
        let a = ArticleAnalyzer().analyze(Article(id: "p", content: .text("!!! ...")))
        #expect(a.fingerprint.simhash == 0)
        #expect(a.fingerprint.minhash.allSatisfy { $0 == UInt32.max })
    }
}
