import Testing
@testable import ArticleAnalysis

@Suite struct NERScoringTests {
    func tags(_ s: String) -> [NERTag] { s.split(separator: " ").map { NERTag($0)! } }

    @Test func exactSpansAreCorrect() {
        var score = EntityScore()
        score.add(gold: tags("B-PERS I-PERS O B-LOC"), predicted: tags("B-PERS I-PERS O B-LOC"))
        #expect(score.total == EntityScore.Counts(truePositives: 2, predicted: 2, gold: 2))
        #expect(score.microF1 == 1)
    }

    @Test func partialSpanCountsAsWrongTwice() {
        var score = EntityScore()
        score.add(gold: tags("B-ORG I-ORG I-ORG O"), predicted: tags("B-ORG I-ORG O O"))
        #expect(score.total.truePositives == 0)
        #expect(score.total.predicted == 1)
        #expect(score.total.gold == 1)
        #expect(score.microF1 == 0)
    }

    @Test func wrongTypeIsWrong() {
        var score = EntityScore()
        score.add(gold: tags("B-LOC O"), predicted: tags("B-ORG O"))
        #expect(score.byType[.location] == EntityScore.Counts(truePositives: 0, predicted: 0, gold: 1))
        #expect(score.byType[.organization] == EntityScore.Counts(truePositives: 0, predicted: 1, gold: 0))
    }

    @Test func insideWithoutBeginStartsAChunk() {
        // As conlleval: "O I-LOC I-LOC" is one LOC chunk over tokens 1..<3.
        #expect(TokenEntitySpan.spans(of: tags("O I-LOC I-LOC")) == [TokenEntitySpan(type: .location, start: 1, end: 3)])
        // A type change inside starts a new chunk.
        #expect(TokenEntitySpan.spans(of: tags("B-PERS I-LOC")) == [
            TokenEntitySpan(type: .person, start: 0, end: 1), TokenEntitySpan(type: .location, start: 1, end: 2),
        ])
        var score = EntityScore()
        score.add(gold: tags("O B-LOC I-LOC"), predicted: tags("O I-LOC I-LOC"))
        #expect(score.microF1 == 1)
    }

    @Test func adjacentBeginsAreSeparateChunks() {
        #expect(TokenEntitySpan.spans(of: tags("B-LOC B-LOC I-LOC")) == [
            TokenEntitySpan(type: .location, start: 0, end: 1), TokenEntitySpan(type: .location, start: 1, end: 3),
        ])
    }

    @Test func spansAndTagsRoundTrip() {
        let t = tags("B-MISC I-MISC O B-PERS B-LOC I-LOC I-LOC O")
        #expect(TokenEntitySpan.tags(of: TokenEntitySpan.spans(of: t), count: t.count) == t)
    }

    @Test func microAverageAndReport() {
        var score = EntityScore()
        score.add(gold: tags("B-PERS O B-LOC O B-ORG"), predicted: tags("B-PERS O B-LOC B-LOC O"))
        // 2 correct of 3 predicted, 2 of 3 gold.
        #expect(abs(score.total.precision - 2.0 / 3) < 1e-12)
        #expect(abs(score.microF1 - 2.0 / 3) < 1e-12)
        let lines = score.report.split(separator: "\n")
        #expect(lines.last == "micro-F1: 0.6667")
        #expect(lines.contains { $0.hasPrefix("ORG: precision 0.0000 recall 0.0000 F1 0.0000") })
        #expect(abs(score.tagAccuracy - 0.6) < 1e-12)
    }
}
