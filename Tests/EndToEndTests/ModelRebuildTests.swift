import Foundation
import Testing

/// The shipped named-entity model is what `mirsad train ner` makes from the ANERcorp train split, byte for byte.
struct ModelRebuildTests {
    @Test(.timeLimit(.minutes(10)), .enabled(if: SharedData.isExpected, SharedData.reason))
    func trainingRebuildsTheShippedModelBitForBit() async throws {
        let shared = try #require(TestPaths.shared, "training needs ANERcorp from ../shared")
        let output = try TestPaths.temporaryDirectory().appendingPathComponent("ner-model.bin")
        let trained = try await runMirsad([
            "train", "ner", shared.appendingPathComponent("data/anercorp/train.txt").path, "--output", output.path,
        ])
        #expect(trained.status == 0, "train failed: \(trained.stderr)")
        let shipped = TestPaths.repositoryRoot.appendingPathComponent("Sources/ArticleAnalysis/Resources/ner-model.bin")
        let rebuilt = try Data(contentsOf: output)
        #expect(!rebuilt.isEmpty)
        #expect(rebuilt == (try Data(contentsOf: shipped)), "the shipped model differs from a fresh training run")
    }
}

/// The shipped zstd dictionary is what `mirsad train compression-dictionary` makes from the BBC and CNN articles of
/// the ANT corpus, byte for byte (the same analysis core and libzstd).
struct CompressionDictionaryRebuildTests {
    @Test(.timeLimit(.minutes(10)), .enabled(if: SharedData.isExpected, SharedData.reason))
    func trainingRebuildsTheShippedDictionaryBitForBit() async throws {
        let shared = try #require(TestPaths.shared, "training needs the ANT corpus from ../shared")
        let output = try TestPaths.temporaryDirectory().appendingPathComponent("analysis.zdict")
        let trained = try await runMirsad([
            "train", "compression-dictionary", shared.appendingPathComponent("corpus/ant/articles.jsonl.gz").path,
            "--source", "BBC", "--source", "CNN", "--per-source", "2000", "--output", output.path,
        ])
        #expect(trained.status == 0, "train failed: \(trained.stderr)")
        let shipped = TestPaths.repositoryRoot.appendingPathComponent("Sources/MirsadWire/Resources/analysis.zdict")
        let rebuilt = try Data(contentsOf: output)
        #expect(!rebuilt.isEmpty)
        #expect(rebuilt == (try Data(contentsOf: shipped)), "the shipped dictionary differs from a fresh training run")
    }
}
