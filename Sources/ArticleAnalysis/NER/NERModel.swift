/// The weights of the recognizer: a hashed feature table and tag-to-tag transitions, with the Viterbi decoder.
///
/// Invariants: `weights.count == (1 << bucketBits) * NERTag.count`, the weights of feature row `r` and tag `t`
/// at `r * NERTag.count + t`; `transitions.count == (NERTag.count + 1) * NERTag.count`, row `NERTag.count` being
/// the sentence start. Decoding never produces `I-X` unless it follows `B-X` or `I-X`.
public struct NERModel: Sendable, Equatable {
    /// How the model was trained, recorded in the file.
    public struct TrainingSettings: Sendable, Hashable {
        public var epochs: Int
        public var bucketBits: Int
        /// Features seen fewer times than this in training keep zero weight.
        public var minFeatureCount: Int
        public var shuffleSeed: UInt64
        /// Added to the score of every entity tag (B-X, I-X) at each token when decoding, not while training: the
        /// perceptron learns to favour precision over recall, and this moves the balance back (chosen on dev).
        public var entityBias: Float
        public init(
            epochs: Int = 6, bucketBits: Int = 20, minFeatureCount: Int = 1, shuffleSeed: UInt64 = 20_070_101,
            entityBias: Float = 10
        ) {
            self.epochs = epochs
            self.bucketBits = bucketBits
            self.minFeatureCount = minFeatureCount
            self.shuffleSeed = shuffleSeed
            self.entityBias = entityBias
        }
    }

    public let settings: TrainingSettings
    var weights: [Float]
    var transitions: [Float]

    public var bucketBits: Int { settings.bucketBits }

    init(settings: TrainingSettings, weights: [Float], transitions: [Float]) {
        precondition(weights.count == (1 << settings.bucketBits) * NERTag.count)
        precondition(transitions.count == (NERTag.count + 1) * NERTag.count)
        self.settings = settings
        self.weights = weights
        self.transitions = transitions
    }

    /// The same weights decoded with another `TrainingSettings.entityBias`.
    public func withEntityBias(_ bias: Float) -> NERModel {
        var settings = settings
        settings.entityBias = bias
        return NERModel(settings: settings, weights: weights, transitions: transitions)
    }

    /// `allowed[prev * NERTag.count + tag]`, with `prev == NERTag.count` for the sentence start.
    static let allowed: [Bool] = {
        var table: [Bool] = []
        for prev in 0...NERTag.count {
            for tag in NERTag.all {
                if tag.isInside {
                    let p = prev < NERTag.count ? NERTag.all[prev] : nil
                    table.append(p?.entityType != nil && p?.entityType == tag.entityType)
                } else {
                    table.append(true)
                }
            }
        }
        return table
    }()

    /// The best tag sequence for a sentence of `tokenCount` tokens whose feature rows are
    /// `features[(t * NERFeatures.perToken)...]`.
    func decode(features: UnsafeBufferPointer<Int32>, tokenCount n: Int) -> [NERTag] {
        decode(features: features, tokenCount: n, entityBias: settings.entityBias)
    }

    /// `decode` with another entity bias (training decodes with none).
    func decode(features: UnsafeBufferPointer<Int32>, tokenCount n: Int, entityBias: Float) -> [NERTag] {
        guard n > 0 else { return [] }
        assert(NERTag.count == 9, "the emission sum below is written for 9 tags")
        let k = NERTag.count
        let f = NERFeatures.perToken
        var score = [Float](repeating: 0, count: n * k)
        var back = [UInt8](repeating: 0, count: n * k)
        // Transitions with the forbidden ones at -inf, so the inner loop has no branch.
        var constrained = transitions
        for i in constrained.indices where !NERModel.allowed[i] { constrained[i] = -Float.infinity }
        weights.withUnsafeBufferPointer { w in
            constrained.withUnsafeBufferPointer { tr in
                do {
                    score.withUnsafeMutableBufferPointer { s in
                        back.withUnsafeMutableBufferPointer { bp in
                            var emit = [Float](repeating: 0, count: k)
                            for t in 0..<n {
                                // Sum of the feature rows: tags 0..<8 as one SIMD vector, tag 8 alone.
                                var head = SIMD8<Float>()
                                var last: Float = 0
                                let base = t * f
                                let raw = UnsafeRawPointer(w.baseAddress!)
                                for q in 0..<f {
                                    let row = Int(features[base + q]) &* k
                                    head += raw.loadUnaligned(fromByteOffset: row &* 4, as: SIMD8<Float>.self)
                                    last += w[row + 8]
                                }
                                emit[0] = head[0]
                                for j in 1..<8 { emit[j] = head[j] + entityBias }
                                emit[8] = last + entityBias
                                if t == 0 {
                                    for j in 0..<k { s[j] = emit[j] + tr[k * k + j] }
                                    continue
                                }
                                let prevRow = (t - 1) * k
                                for j in 0..<k {
                                    var best = -Float.infinity
                                    var arg = 0
                                    for i in 0..<k {
                                        let v = s[prevRow + i] + tr[i * k + j]
                                        if v > best { best = v; arg = i }
                                    }
                                    s[t * k + j] = best + emit[j]
                                    bp[t * k + j] = UInt8(arg)
                                }
                            }
                        }
                    }
                }
            }
        }
        var tags = [NERTag](repeating: .outside, count: n)
        var bestLast = 0
        for j in 1..<k where score[(n - 1) * k + j] > score[(n - 1) * k + bestLast] { bestLast = j }
        var cur = bestLast
        for t in stride(from: n - 1, through: 0, by: -1) {
            tags[t] = NERTag.all[cur]
            if t > 0 { cur = Int(back[t * k + cur]) }
        }
        return tags
    }
}
