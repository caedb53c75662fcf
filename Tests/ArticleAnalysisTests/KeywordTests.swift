import Testing
@testable import ArticleAnalysis
import TestSupport

/// Keywords are scored against corpus document frequencies by default, and are never weekdays, months, numbers
/// or function words.
@Suite(.offTheCooperativePool) struct KeywordTests {
    @Test func theBundledDocumentFrequenciesLoad() throws {
        let df = try DocumentFrequencies.bundled()
        #expect(df.documents == 17_815)
        #expect(df.counts.count > 10_000)
        // A function of the corpus: a common word is in many more articles than a rare one.
        let stem = { AnalyzedText.analyzeWord($0, script: .arabic, language: "ar").stem }
        #expect(df.idf(stem("الحكومة")) < df.idf(stem("هليكوبتر")))
    }

    @Test func theTableReadsWhatItWrites() throws {
        let df = DocumentFrequencies(documents: 3, counts: ["سلام": 2, "غزه": 1])
        #expect(try DocumentFrequencies(text: df.text()) == df)
        #expect(throws: DocumentFrequencies.FormatError.self) { try DocumentFrequencies(text: "سلام\t2\n") }
        var counted = DocumentFrequencies()
        counted.add(text: "السلام في غزة. السلام")
        counted.add(text: "غزة")
        #expect(counted.documents == 2)
        #expect(counted.counts.values.max() == 2)
    }

    static let neverKeywords: Set<String> = Set("""
    الاحد الاثنين الثلاثاء الاربعاء الخميس الجمعه السبت يناير فبراير مارس ابريل مايو يونيو يوليو اغسطس سبتمبر اكتوبر \
    نوفمبر ديسمبر المئه مئه الف مليون مليار بات باتت اصبح قال قالت وقال وقالت اليوم امس
    """.split(separator: " ").map(String.init))

    @Test func weekdaysNumbersAndFunctionWordsAreNoKeywords() {
        let text = Array(repeating: "وقال وزير المالية الثلاثاء إن نسبة التضخم بات عشرة في المئة في مارس.", count: 4)
            .joined(separator: " ")
        let keywords = ArticleAnalyzer().analyze(Article(id: "k", content: .text(text))).keywords
        #expect(!keywords.isEmpty)
        for k in keywords {
            let words = ArabicNormalizer.normalize(k.phrase).split(separator: " ").map(String.init)
            #expect(!words.contains { Self.neverKeywords.contains($0) }, "\(k.phrase)")
        }
    }

    @Test(.needsSharedData) func noKeywordOfTheAntSampleIsADateNumberOrFunctionWord() {
        guard SharedData.require() != nil else { return }
        var keywords = 0
        var bad: [String] = []
        for article in SharedData.antSample.prefix(100) {
            for k in SharedData.analyzer.analyze(article.article).keywords {
                keywords += 1
                let words = ArabicNormalizer.normalize(k.phrase).split(separator: " ").map(String.init)
                if words.contains(where: { Self.neverKeywords.contains($0) || Stopwords.arabic.contains(word: $0) }) { bad.append(k.phrase) }
            }
        }
        #expect(keywords > 700)
        #expect(bad.isEmpty, "\(bad.prefix(10))")
    }
}
