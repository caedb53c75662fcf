/// Trains an `NERModel` with the averaged structured perceptron (Collins 2002) over Viterbi decoding.
///
/// Deterministic: sentences are visited in an order shuffled by SplitMix64 from `settings.shuffleSeed` and the
/// epoch number, all sums are taken in a fixed order, so the same sentences, gazetteer and settings give a
/// bit-identical model on every machine.
public enum NERTrainer {
    /// Called after each epoch with the epoch (1-based), the number of sentences decoded wrongly in it, and the
    /// averaged model so far.
    public typealias EpochObserver = (_ epoch: Int, _ mistakes: Int, _ model: () -> NERModel) -> Void

    public static func train(
        _ sentences: [TaggedSentence], gazetteer: Gazetteer, lexicon: NERLexicon = NERLexicon(),
        clusters: NERWordClusters = NERWordClusters(), nameLists: NERNameLists = NERNameLists(),
        settings: NERModel.TrainingSettings,
        onEpoch: EpochObserver? = nil
    ) -> NERModel {
        let k = NERTag.count
        let f = NERFeatures.perToken
        let rows = 1 << settings.bucketBits

        // Features of every sentence, computed once.
        var featurizer = NERSentenceFeaturizer(
            gazetteer: gazetteer, lexicon: lexicon, clusters: clusters, nameLists: nameLists,
            bucketBits: settings.bucketBits)
        var features: [Int32] = []
        var starts: [Int] = []
        for s in sentences {
            starts.append(features.count)
            featurizer.featurize(s.tokens, into: &features)
        }
        var active = [Bool](repeating: true, count: rows)
        if settings.minFeatureCount > 1 {
            var counts = [UInt32](repeating: 0, count: rows)
            for r in features { counts[Int(r)] &+= 1 }
            for r in 0..<rows { active[r] = counts[r] >= UInt32(settings.minFeatureCount) }
        }

        var model = NERModel(
            settings: settings, weights: [Float](repeating: 0, count: rows * k),
            transitions: [Float](repeating: 0, count: (k + 1) * k))
        var weightSums = [Double](repeating: 0, count: rows * k)
        var transitionSums = [Double](repeating: 0, count: (k + 1) * k)
        var step: Double = 1

        func averaged() -> NERModel {
            var avg = model
            for i in avg.weights.indices where avg.weights[i] != 0 || weightSums[i] != 0 {
                avg.weights[i] = Float(Double(model.weights[i]) - weightSums[i] / step)
            }
            for i in avg.transitions.indices {
                avg.transitions[i] = Float(Double(model.transitions[i]) - transitionSums[i] / step)
            }
            return avg
        }

        var order = Array(sentences.indices)
        for epoch in 1...max(1, settings.epochs) {
            var rng = SplitMix64(seed: settings.shuffleSeed &+ UInt64(epoch))
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
            }
            var mistakes = 0
            for si in order {
                let gold = sentences[si].tags
                let n = gold.count
                let start = starts[si]
                let predicted = features.withUnsafeBufferPointer {
                    model.decode(
                        features: UnsafeBufferPointer(rebasing: $0[start..<(start + n * f)]), tokenCount: n, entityBias: 0)
                }
                if predicted != gold {
                    mistakes += 1
                    for t in 0..<n {
                        let g = gold[t].index, p = predicted[t].index
                        if g != p {
                            for q in 0..<f {
                                let r = Int(features[start + t * f + q])
                                guard active[r] else { continue }
                                model.weights[r * k + g] += 1
                                weightSums[r * k + g] += step
                                model.weights[r * k + p] -= 1
                                weightSums[r * k + p] -= step
                            }
                        }
                        let pg = t == 0 ? k : gold[t - 1].index
                        let pp = t == 0 ? k : predicted[t - 1].index
                        if pg != pp || g != p {
                            model.transitions[pg * k + g] += 1
                            transitionSums[pg * k + g] += step
                            model.transitions[pp * k + p] -= 1
                            transitionSums[pp * k + p] -= step
                        }
                    }
                }
                step += 1
            }
            onEpoch?(epoch, mistakes, averaged)
        }
        return averaged()
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a small deterministic generator for shuffling.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        return FeatureHash.finalize(state)
    }
}
