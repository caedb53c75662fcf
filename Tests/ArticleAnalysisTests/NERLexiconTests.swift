import Testing
@testable import ArticleAnalysis

@Suite struct NERLexiconTests {
    @Test func countsBasesWithFrequencyAndArticleBuckets() throws {
        var builder = NERLexicon.Builder()
        // "كونفافرو" 4 times, never with the article; "المغرب" twice with the article and twice without.
        builder.add(text: "قال كونفافرو، وكونفافرو: كونفافرو (كونفافرو) في المغرب وبالمغرب ومغرب مغرب")
        builder.add(text: "رأى زيد")
        let text = builder.text()
        #expect(text == "كونفافرو\t8\nمغرب\t10\n")
        let lexicon = try NERLexicon(text: text)
        #expect(lexicon.count == 2)
        #expect(lexicon.code(ofBaseHash: FeatureHash.of("كونفافرو")) == 8)  // log2(4) = 2 → 2 * 4 + 0
        #expect(lexicon.code(ofBaseHash: FeatureHash.of("مغرب")) == 10)  // log2(4) = 2, half with ال → 2 * 4 + 2
        #expect(lexicon.code(ofBaseHash: FeatureHash.of("زيد")) == NERLexicon.unknown)
    }

    @Test func badLinesAreNamed() {
        do {
            _ = try NERLexicon(text: "مصر\t12\nغزة\t64\n")
            Issue.record("a code out of range was accepted")
        } catch {
            #expect(error.line == 2)
        }
        #expect(throws: NERLexicon.FormatError.self) { try NERLexicon(text: "\t3\n") }
    }

    @Test func bundledLexiconLoads() throws {
        let lexicon = try EntityRecognizer.bundledLexicon()
        #expect(lexicon.count > 10_000)
        #expect(lexicon.code(ofBaseHash: FeatureHash.of("قاهره")) != NERLexicon.unknown)
    }
}
