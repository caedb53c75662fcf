import Foundation
import Testing
@testable import ArticleAnalysis

@Suite struct NERDevScoreTests {
    /// Trains on 90 % of ANERcorp's train split with the shipped settings and scores the held-out 10 %.
    @Test func heldOutMicroF1IsAtLeastSeventyPercent() throws {
        guard let shared = NERTestData.sharedDirectory() else { return }
        let text = try String(contentsOf: shared.appendingPathComponent("data/anercorp/train.txt"), encoding: .utf8)
        let (train, dev) = ConllCorpus.split(try ConllCorpus.parse(text), devFraction: 0.1)
        let gazetteer = try EntityRecognizer.bundledGazetteer()
        let lexicon = try EntityRecognizer.bundledLexicon()
        let model = NERTrainer.train(train, gazetteer: gazetteer, lexicon: lexicon, settings: NERModel.TrainingSettings())
        let score = EntityRecognizer(model: model, gazetteer: gazetteer, lexicon: lexicon).evaluate(dev)
        #expect(score.microF1 >= 0.70, "dev micro-F1 \(score.microF1)")
    }
}
