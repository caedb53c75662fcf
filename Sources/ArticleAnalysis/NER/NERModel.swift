import CMemoryHints

/// The weights of the recognizer: a hashed feature table and tag-to-tag transitions, with the Viterbi decoder.
///
/// The feature table has `1 << bucketBits` rows of `NERTag.count` weights, of which training touches only a few
/// percent. It is held in one of two forms: dense while training (`weights`, row `r` and tag `t` at
/// `r * NERTag.count + t`), or, for a model loaded from a file, only the rows with a weight in an open-addressing
/// table (`slots`), where a row not stored resolves to an empty slot whose weights are zero. So a large hashed
/// space (few collisions between features) costs memory only for the rows training wrote.
///
/// Invariants: dense: `weights.count == (1 << bucketBits) * NERTag.count` and `slots` empty; compact: `weights`
/// empty, `slots` made of a power of two (at least twice the stored rows) of `slotStride` floats: the
/// `NERTag.count` weights, then the row number's bit pattern (`emptySlot` for none), so that a probe and its
/// weights share a cache line. `transitions.count == (NERTag.count + 1) *
/// NERTag.count`, row `NERTag.count` being the sentence start. Decoding never produces `I-X` unless it follows
/// `B-X` or `I-X`. Equality is equality of the serialised bytes, whatever the form.
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
            epochs: Int = 6, bucketBits: Int = 22, minFeatureCount: Int = 3, shuffleSeed: UInt64 = 20_070_101,
            entityBias: Float = 10
        ) {
            self.epochs = epochs
            self.bucketBits = bucketBits
            self.minFeatureCount = minFeatureCount
            self.shuffleSeed = shuffleSeed
            self.entityBias = entityBias
        }
    }

    public private(set) var settings: TrainingSettings
    /// Dense form (training); empty in the compact form.
    var weights: [Float]
    var transitions: [Float]
    /// Compact form: `slotStride` floats per slot, weights then row (see the type's invariants); empty when dense.
    private(set) var slots: [Float] = []

    static let emptySlot = UInt32.max
    /// How many tokens ahead of the one being scored the decoder asks for feature rows.
    static let prefetchDistance = 4
    static let slotStride = NERTag.count + 1

    public var bucketBits: Int { settings.bucketBits }
    var isCompact: Bool { !slots.isEmpty }

    /// A dense model (for training).
    init(settings: TrainingSettings, weights: [Float], transitions: [Float]) {
        precondition(weights.count == (1 << settings.bucketBits) * NERTag.count)
        precondition(transitions.count == (NERTag.count + 1) * NERTag.count)
        self.settings = settings
        self.weights = weights
        self.transitions = transitions
    }

    /// A compact model from its stored rows: `rows` strictly increasing, `rowWeights` `NERTag.count` per row.
    init(settings: TrainingSettings, rows: [UInt32], rowWeights: [Float], transitions: [Float]) {
        precondition(rowWeights.count == rows.count * NERTag.count)
        precondition(transitions.count == (NERTag.count + 1) * NERTag.count)
        let k = NERTag.count
        var slots = 16
        while slots < 2 * rows.count { slots <<= 1 }
        let stride = NERModel.slotStride
        var table = [Float](repeating: 0, count: slots * stride)
        for slot in 0..<slots { table[slot * stride + k] = Float(bitPattern: NERModel.emptySlot) }
        let mask = slots - 1
        for (i, r) in rows.enumerated() {
            var slot = Int(r) & mask
            while table[slot * stride + k].bitPattern != NERModel.emptySlot { slot = (slot + 1) & mask }
            table[slot * stride + k] = Float(bitPattern: r)
            for j in 0..<k { table[slot * stride + j] = rowWeights[i * k + j] }
        }
        self.settings = settings
        self.weights = []
        self.transitions = transitions
        self.slots = table
    }

    /// The stored rows in increasing order with their weights (rows with a non-zero weight only).
    func storedRows() -> (rows: [UInt32], weights: [Float]) {
        let k = NERTag.count
        var rows: [UInt32] = []
        var out: [Float] = []
        if isCompact {
            var order: [(UInt32, Int)] = []
            let stride = NERModel.slotStride
            for slot in 0..<(slots.count / stride) where slots[slot * stride + k].bitPattern != NERModel.emptySlot {
                order.append((slots[slot * stride + k].bitPattern, slot * stride))
            }
            order.sort { $0.0 < $1.0 }
            for (r, start) in order where (0..<k).contains(where: { slots[start + $0] != 0 }) {
                rows.append(r)
                out.append(contentsOf: slots[start..<(start + k)])
            }
        } else {
            for r in 0..<(1 << settings.bucketBits) where (0..<k).contains(where: { weights[r * k + $0] != 0 }) {
                rows.append(UInt32(r))
                out.append(contentsOf: weights[(r * k)..<(r * k + k)])
            }
        }
        return (rows, out)
    }

    /// The same model in the compact form (unchanged if it is already compact).
    public func compacted() -> NERModel {
        guard !isCompact else { return self }
        let (rows, w) = storedRows()
        return NERModel(settings: settings, rows: rows, rowWeights: w, transitions: transitions)
    }

    public static func == (a: NERModel, b: NERModel) -> Bool { a.serialized() == b.serialized() }

    /// The same weights decoded with another `TrainingSettings.entityBias`.
    public func withEntityBias(_ bias: Float) -> NERModel {
        var copy = self
        copy.settings.entityBias = bias
        return copy
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
        let compact = isCompact
        let slotMask = slots.count / NERModel.slotStride &- 1
        let rowStride = compact ? NERModel.slotStride : k
        let table = compact ? slots : weights
        table.withUnsafeBufferPointer { w in
            constrained.withUnsafeBufferPointer { tr in
                do {
                    score.withUnsafeMutableBufferPointer { s in
                        back.withUnsafeMutableBufferPointer { bp in
                            var emit = [Float](repeating: 0, count: k)
                            let raw = UnsafeRawPointer(w.baseAddress!)
                            // The rows of a token a few places ahead are asked for before this token's are read:
                            // the reads of a token's features depend on nothing else, and waiting on them one
                            // after the other was most of the decoder's time.
                            @inline(__always) func prefetch(token: Int) {
                                guard compact, token < n else { return }
                                let start = token &* f
                                for q in 0..<f {
                                    // The home slot's first and last floats: a slot of 40 bytes may
                                    // straddle two cache lines, and its key is last.
                                    let slot = Int(features[start &+ q]) & slotMask
                                    mirsad_prefetch_for_read(raw + slot &* rowStride &* 4)
                                    mirsad_prefetch_for_read(raw + (slot &* rowStride &+ k) &* 4)
                                }
                            }
                            for t in 0..<NERModel.prefetchDistance { prefetch(token: t) }
                            for t in 0..<n {
                                prefetch(token: t &+ NERModel.prefetchDistance)
                                // Sum of the feature rows: tags 0..<8 as one SIMD vector, tag 8 alone.
                                var head = SIMD8<Float>()
                                var last: Float = 0
                                let base = t * f
                                for q in 0..<f {
                                    var index = Int(features[base + q])
                                    if compact {
                                        // Linear probing; a row that is not stored ends on an empty (zero) slot.
                                        let r = UInt32(truncatingIfNeeded: index)
                                        index = index & slotMask
                                        while true {
                                            let s = w[index &* rowStride &+ k].bitPattern
                                            if s == r || s == NERModel.emptySlot { break }
                                            index = (index &+ 1) & slotMask
                                        }
                                    }
                                    let row = index &* rowStride
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
