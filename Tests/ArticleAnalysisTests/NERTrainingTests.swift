import Foundation
import Testing
@testable import ArticleAnalysis
import TestSupport

@Suite(.offTheCooperativePool) struct NERTrainingTests {
    /// A small hand-made corpus: persons after "قال", places after "في", an organisation of two words.
    static let corpus: [TaggedSentence] = {
        let persons = [["محمد", "درويش"], ["حسن", "رشاد"], ["سامي", "نبيل"], ["خالد", "عماد"]]
        let places = ["القاهرة", "غزة", "باريس", "عمان", "بيروت"]
        var out: [TaggedSentence] = []
        for (i, person) in persons.enumerated() {
            for (j, place) in places.enumerated() {
                var tokens = ["وقال"] + person + ["في", place, "إن"]
                var tags: [NERTag] = [.outside, .begin(.person), .inside(.person), .outside, .begin(.location), .outside]
                if (i + j) % 2 == 0 {
                    tokens += ["وزارة", "الخارجية", "ستجتمع", "."]
                    tags += [.begin(.organization), .inside(.organization), .outside, .outside]
                } else {
                    tokens += ["الاجتماع", "انتهى", "."]
                    tags += [.outside, .outside, .outside]
                }
                out.append(TaggedSentence(tokens: tokens, tags: tags))
            }
        }
        return out
    }()

    static let settings = NERModel.TrainingSettings(epochs: 5, bucketBits: 12, minFeatureCount: 1, shuffleSeed: 7)

    @Test func trainingTwiceGivesIdenticalBytes() {
        let a = NERTrainer.train(Self.corpus, gazetteer: Gazetteer(), settings: Self.settings).serialized()
        let b = NERTrainer.train(Self.corpus, gazetteer: Gazetteer(), settings: Self.settings).serialized()
        #expect(a == b)
        var other = Self.settings
        other.shuffleSeed = 8
        #expect(NERTrainer.train(Self.corpus, gazetteer: Gazetteer(), settings: other).serialized() != a)
    }

    @Test(.needsSharedData) func trainingOnASliceOfANERcorpIsDeterministic() throws {
        guard let shared = NERTestData.sharedDirectory() else { return }
        let text = try String(contentsOf: shared.appendingPathComponent("data/anercorp/train.txt"), encoding: .utf8)
        let slice = Array(try ConllCorpus.parse(text).prefix(120))
        let settings = NERModel.TrainingSettings(epochs: 2, bucketBits: 14, minFeatureCount: 1, shuffleSeed: 1)
        let gazetteer = try EntityRecognizer.bundledGazetteer()
        let a = NERTrainer.train(slice, gazetteer: gazetteer, settings: settings).serialized()
        let b = NERTrainer.train(slice, gazetteer: gazetteer, settings: settings).serialized()
        #expect(a.count > 1000)
        #expect(a == b)
    }

    @Test func serialisationRoundTrips() throws {
        let model = NERTrainer.train(Self.corpus, gazetteer: Gazetteer(), settings: Self.settings)
        let bytes = model.serialized()
        let loaded = try NERModel(serialized: bytes)
        #expect(loaded == model)
        #expect(loaded.settings == Self.settings)
        #expect(loaded.serialized() == bytes)
    }

    /// A loaded model keeps only the rows training wrote (open addressing); it must decode exactly as the dense
    /// table it was written from, including for features that were never trained (empty slots).
    @Test func compactModelDecodesAsTheDenseOne() throws {
        let dense = NERTrainer.train(Self.corpus, gazetteer: Gazetteer(), settings: Self.settings)
        let compact = try NERModel(serialized: dense.serialized())
        #expect(compact.isCompact && !dense.isCompact)
        #expect(compact.slots.count < dense.weights.count)
        let unseen = ["فقال", "رئيس", "الوزراء", "في", "طرابلس", "أمس", "إن", "وزارة", "الداخلية", "ستجتمع", "."]
        for tokens in Self.corpus.map(\.tokens) + [unseen] {
            let a = EntityRecognizer(model: dense, gazetteer: Gazetteer()).recognize(tokens)
            let b = EntityRecognizer(model: compact, gazetteer: Gazetteer()).recognize(tokens)
            #expect(a == b)
        }
        #expect(dense.compacted().serialized() == dense.serialized())
    }

    @Test func damagedModelFilesAreRefusedWithAReason() {
        let bytes = NERTrainer.train(Self.corpus, gazetteer: Gazetteer(), settings: Self.settings).serialized()
        #expect(throws: NERModel.FormatError.self) { try NERModel(serialized: bytes.dropLast(3)) }
        #expect(throws: NERModel.FormatError.self) { try NERModel(serialized: Array("not a model".utf8)) }
        #expect(throws: NERModel.FormatError.self) { try NERModel(serialized: bytes + [0]) }
        var wrongTags = bytes
        wrongTags[8] = 5
        do {
            _ = try NERModel(serialized: wrongTags)
            Issue.record("a model with 5 tags was accepted")
        } catch {
            #expect(error.reason.contains("5 tags"))
        }
    }

    @Test func learnsTheCorpusAndGeneralisesByContext() {
        let model = NERTrainer.train(Self.corpus, gazetteer: Gazetteer(), settings: Self.settings)
        let recognizer = EntityRecognizer(model: model, gazetteer: Gazetteer())
        #expect(recognizer.evaluate(Self.corpus).microF1 == 1)
        // A new place after "في" in the same frame.
        let spans = recognizer.recognize(["وقال", "محمد", "درويش", "في", "القاهرة", "إن", "الاجتماع", "انتهى", "."])
        #expect(spans.contains(TokenEntitySpan(type: .person, start: 1, end: 3)))
        #expect(spans.contains(TokenEntitySpan(type: .location, start: 4, end: 5)))
    }

    @Test func decodingNeverStartsWithInside() {
        let model = NERTrainer.train(Self.corpus, gazetteer: Gazetteer(), settings: Self.settings)
        let recognizer = EntityRecognizer(model: model, gazetteer: Gazetteer())
        for sentence in Self.corpus {
            let tokens = Array(sentence.tokens.dropFirst(2))
            var features: [Int32] = []
            var featurizer = NERSentenceFeaturizer(gazetteer: Gazetteer(), lexicon: NERLexicon(), bucketBits: model.bucketBits)
            featurizer.featurize(tokens, into: &features)
            let tags = features.withUnsafeBufferPointer { model.decode(features: $0, tokenCount: tokens.count) }
            #expect(!(tags.first?.isInside ?? false))
            for (p, t) in zip(tags, tags.dropFirst()) where t.isInside { #expect(p.entityType == t.entityType) }
            #expect(recognizer.recognize(tokens).allSatisfy { $0.start >= 0 && $0.end <= tokens.count })
        }
        #expect(recognizer.recognize([]).isEmpty)
    }

    @Test func featureHashIsFNV1a() {
        // Reference values of 64-bit FNV-1a.
        #expect(FeatureHash.of("") == 0xcbf2_9ce4_8422_2325)
        #expect(FeatureHash.of("a") == 0xaf63_dc4c_8601_ec8c)
        var scratch: [Unicode.Scalar] = []
        let atoms = NERTokenAtoms(token: "مصر", scratch: &scratch)
        #expect(atoms.word == FeatureHash.of("مصر"))
    }
}

@Test func emptyRecognizerFindsNothing() {
    #expect(EntityRecognizer().recognize(["وقال", "محمد", "في", "القاهرة"]).isEmpty)
}
