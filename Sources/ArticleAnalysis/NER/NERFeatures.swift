/// The feature templates of the recognizer and their hashing to weight-table rows.
///
/// A feature is a template number combined with one or two token atoms (`NERTokenAtoms`) of the token or its
/// neighbours, hashed (`FeatureHash`) and masked to `bucketBits` bits. Every token yields exactly
/// `perToken` features, in template order. Changing a template changes the meaning of every shipped weight:
/// retrain the model after any change here.
enum NERFeatures {
    /// Features per token.
    static let perToken = 42
    /// Sentinel atoms on each side of a sentence in the atom buffer.
    static let padding = 2

    /// Appends the feature rows of every token of the padded atom buffer `atoms`
    /// (`padding` sentinels, the tokens, `padding` sentinels) to `out`.
    static func extract(_ atoms: [NERTokenAtoms], bucketBits: Int, into out: inout [Int32]) {
        let mask = (UInt64(1) << UInt64(bucketBits)) - 1
        let n = atoms.count - 2 * padding
        // Grown geometrically: training appends every sentence of a corpus to one buffer, and reserving the exact
        // size each time would copy the whole buffer once per sentence.
        let needed = out.count + n * perToken
        if out.capacity < needed { out.reserveCapacity(max(needed, 2 * out.capacity)) }
        atoms.withUnsafeBufferPointer { a in
            for i in padding..<(padding + n) {
                let cur = a[i], prev = a[i - 1], prev2 = a[i - 2], next = a[i + 1], next2 = a[i + 2]
                @inline(__always) func emit(_ template: UInt64, _ x: UInt64) {
                    let h = FeatureHash.combine(FeatureHash.combine(FeatureHash.offsetBasis, template), x)
                    out.append(Int32(truncatingIfNeeded: FeatureHash.finalize(h) & mask))
                }
                @inline(__always) func emit(_ template: UInt64, _ x: UInt64, _ y: UInt64) {
                    let h = FeatureHash.combine(
                        FeatureHash.combine(FeatureHash.combine(FeatureHash.offsetBasis, template), x), y)
                    out.append(Int32(truncatingIfNeeded: FeatureHash.finalize(h) & mask))
                }
                emit(0, 0)  // bias
                emit(1, cur.word)
                emit(2, prev.word)
                emit(3, next.word)
                emit(4, prev2.word)
                emit(5, next2.word)
                emit(6, cur.base)
                emit(7, prev.base)
                emit(8, next.base)
                emit(9, prev.base, cur.base)
                emit(10, cur.base, next.base)
                emit(11, prev2.base, prev.base)
                emit(12, cur.prefix1)
                emit(13, cur.prefix2)
                emit(14, cur.prefix3)
                emit(15, cur.suffix1)
                emit(16, cur.suffix2)
                emit(17, cur.suffix3)
                emit(18, cur.proclitics)
                emit(19, cur.proclitics, cur.suffix2)
                emit(20, cur.shape)
                emit(21, prev.shape, cur.shape)
                emit(22, cur.shape, next.shape)
                emit(23, UInt64(cur.gazetteer))
                emit(24, UInt64(prev.gazetteer))
                emit(25, UInt64(next.gazetteer))
                emit(26, UInt64(prev.gazetteer), UInt64(cur.gazetteer))
                emit(27, next.suffix2, next.proclitics)
                emit(28, UInt64(cur.lexicon))
                emit(29, UInt64(prev.lexicon), UInt64(cur.lexicon))
                emit(30, UInt64(cur.lexicon), UInt64(next.lexicon))
                let c1 = NERWordClusters.prefix(cur.cluster, depth: 1)
                let c2 = NERWordClusters.prefix(cur.cluster, depth: 2)
                let p2 = NERWordClusters.prefix(prev.cluster, depth: 2)
                let n2 = NERWordClusters.prefix(next.cluster, depth: 2)
                emit(31, c1)
                emit(32, c2)
                emit(33, UInt64(cur.cluster))
                emit(34, UInt64(prev.cluster))
                emit(35, UInt64(next.cluster))
                emit(36, p2, c2)
                emit(37, c2, n2)
                emit(38, cur.proclitics, c2)
                emit(39, UInt64(cur.nameLists))
                emit(40, UInt64(prev.nameLists), UInt64(cur.nameLists))
                emit(41, UInt64(cur.nameLists), UInt64(next.nameLists))
            }
        }
    }
}

/// The per-sentence pass shared by training and recognition: atoms, gazetteer marks, features.
struct NERSentenceFeaturizer {
    let gazetteer: Gazetteer
    let baseFacts: NERBaseFacts
    let bucketBits: Int
    private var scratch: [Unicode.Scalar] = []
    private var atoms: [NERTokenAtoms] = []
    private var bases: [UInt64] = []
    /// The gazetteer matches of the last sentence.
    private(set) var matches: [Gazetteer.Match] = []
    /// The gazetteer matches of the last sentence that the rule layer may use (see `NERTokenAtoms.isSafeForRules`).
    var ruleMatches: [Gazetteer.Match] {
        matches.filter { m in (m.start..<m.end).allSatisfy { atoms[NERFeatures.padding + $0].isSafeForRules } }
    }

    init(gazetteer: Gazetteer, baseFacts: NERBaseFacts, bucketBits: Int) {
        self.gazetteer = gazetteer
        self.baseFacts = baseFacts
        self.bucketBits = bucketBits
    }

    init(
        gazetteer: Gazetteer, lexicon: NERLexicon, clusters: NERWordClusters = NERWordClusters(),
        nameLists: NERNameLists = NERNameLists(), bucketBits: Int
    ) {
        self.init(
            gazetteer: gazetteer, baseFacts: NERBaseFacts(lexicon: lexicon, clusters: clusters, nameLists: nameLists),
            bucketBits: bucketBits)
    }

    /// Appends `NERFeatures.perToken` rows per token of `tokens` to `out`.
    mutating func featurize(_ tokens: [String], into out: inout [Int32]) {
        atoms.removeAll(keepingCapacity: true)
        bases.removeAll(keepingCapacity: true)
        atoms.reserveCapacity(tokens.count + 2 * NERFeatures.padding)
        bases.reserveCapacity(tokens.count)
        for _ in 0..<NERFeatures.padding { atoms.append(.sentenceStart) }
        for token in tokens {
            var a = NERTokenAtoms(token: token, scratch: &scratch)
            // The corpus knowledge is looked up under the base, or under the base without a leading preposition
            // when that form is at least 8 times as frequent in the corpus (2^3: three lexicon frequency buckets).
            var facts = baseFacts.facts(ofBaseHash: a.base)
            if a.strippedBase != 0 {
                let stripped = baseFacts.facts(ofBaseHash: a.strippedBase)
                if stripped.lexicon != NERLexicon.unknown
                    && (facts.lexicon == NERLexicon.unknown
                        || Int(stripped.lexicon >> 2) >= Int(facts.lexicon >> 2) + 3)
                {
                    facts = stripped
                }
            }
            a.lexicon = facts.lexicon
            a.cluster = facts.cluster
            a.nameLists = facts.nameLists
            atoms.append(a)
            bases.append(a.base)
        }
        for _ in 0..<NERFeatures.padding { atoms.append(.sentenceEnd) }
        gazetteer.matches(bases: bases, into: &matches)
        Gazetteer.mark(matches, on: &atoms, offset: NERFeatures.padding)
        NERFeatures.extract(atoms, bucketBits: bucketBits, into: &out)
    }
}
