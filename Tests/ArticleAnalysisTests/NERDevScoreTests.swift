import Foundation
import Testing
@testable import ArticleAnalysis
import TestSupport

@Suite(.needsSharedData, .offTheCooperativePool) struct NERDevScoreTests {
    /// Trains with the shipped settings and resources on the first 4/6 of ANERcorp's train split and scores the
    /// 5th sixth: other documents, as the real test split is cut (the last sixth is left alone). The shipped
    /// recipe scores 0.7612 here (`mirsad train ner ... --held-out-tail 0.1667 --dev-tail 0.1667`); training is
    /// deterministic, so the margin below only absorbs deliberate small changes.
    @Test func documentPositionDevMicroF1IsAtLeastSeventyFourPercent() throws {
        guard let shared = NERTestData.sharedDirectory() else { return }
        let text = try String(contentsOf: shared.appendingPathComponent("data/anercorp/train.txt"), encoding: .utf8)
        let (train, dev) = ConllCorpus.split(try ConllCorpus.parse(text), devTail: 0.1667, heldOutTail: 0.1667)
        #expect(dev.count == 662)
        let bundled = try EntityRecognizer.bundled()
        let model = NERTrainer.train(
            train, gazetteer: bundled.gazetteer, lexicon: bundled.lexicon, clusters: bundled.clusters,
            nameLists: bundled.nameLists, settings: NERModel.TrainingSettings())
        let score = EntityRecognizer(
            model: model, gazetteer: bundled.gazetteer, lexicon: bundled.lexicon, clusters: bundled.clusters,
            nameLists: bundled.nameLists
        ).evaluate(dev)
        #expect(score.microF1 >= 0.74, "dev micro-F1 \(score.microF1)")
    }
}
