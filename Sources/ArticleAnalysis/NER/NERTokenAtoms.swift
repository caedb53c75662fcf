/// The hashed properties of one token from which the recognizer's features are built.
///
/// Computed once per token (one normalisation, one clitic split, no other allocation); features then combine
/// these 64-bit hashes with template numbers, so no feature string is ever built.
struct NERTokenAtoms {
    /// The normalised word, clitics attached.
    var word: UInt64
    /// The normalised word without proclitics, article and pronoun suffix.
    var base: UInt64
    /// The proclitics as written together ("وال", "ب", or nothing).
    var proclitics: UInt64
    /// Prefixes of the base of 1, 2 and 3 scalars.
    var prefix1: UInt64, prefix2: UInt64, prefix3: UInt64
    /// Suffixes of the normalised word of 1, 2 and 3 scalars.
    var suffix1: UInt64, suffix2: UInt64, suffix3: UInt64
    /// The character class pattern and length bucket.
    var shape: UInt64
    /// `Gazetteer.Match` bits of the token within the sentence, filled by the sentence pass.
    var gazetteer: UInt32 = 0
    /// The `NERLexicon` code of the base, filled by the sentence pass.
    var lexicon: UInt8 = NERLexicon.unknown
    /// The base without a first letter ب, ل or ك when at least 3 letters remain (0 otherwise): the preposition
    /// that `ArabicClitics` leaves on words without the article ("لسوريا", "ببغداد"). The sentence pass looks the
    /// word up under this form when the corpus knows it far better than the base (see `NERSentenceFeaturizer`).
    var strippedBase: UInt64 = 0
    /// The `NERWordClusters` path code of the base, filled by the sentence pass.
    var cluster: UInt16 = NERWordClusters.unknown
    /// The `NERNameLists` bits of the base, filled by the sentence pass.
    var nameLists: UInt8 = 0
    /// False when the clitic split removed a pronoun suffix (other than a final ه) or the preposition ك: the base may then be a
    /// different word from the name it equals ("إسرائيلي" → "اسرائيل", "كيري" → "يري"), so the rule layer does
    /// not use gazetteer matches over this token (the features still do).
    var isSafeForRules = true

    /// Atoms of the positions before the first and after the last token.
    static let sentenceStart = NERTokenAtoms(boundary: 0x5354_4152_54)
    static let sentenceEnd = NERTokenAtoms(boundary: 0x454e_44)

    private init(boundary: UInt64) {
        let h = FeatureHash.combine(FeatureHash.offsetBasis, boundary)
        word = h; base = h; proclitics = h
        prefix1 = h; prefix2 = h; prefix3 = h
        suffix1 = h; suffix2 = h; suffix3 = h
        shape = h
        gazetteer = 0xffff_ffff
        lexicon = 254
        cluster = 0x7fff
        nameLists = 0xff
        isSafeForRules = false
    }

    /// The atoms of `token` (as written); `scratch` is reused storage for its normalised scalars.
    init(token: String, scratch: inout [Unicode.Scalar]) {
        scratch.removeAll(keepingCapacity: true)
        var shapeCode: UInt64 = 0
        var lastClass: UInt64 = 99
        for scalar in token.unicodeScalars {
            let cls = NERTokenAtoms.characterClass(scalar)
            if cls != lastClass {
                shapeCode = shapeCode &* 7 &+ cls
                lastClass = cls
            }
            let v = scalar.value
            if v < 0x0600 {
                scratch.append(scalar)
            } else {
                switch ArabicNormalizer.mapping(of: v) {
                case .keep: scratch.append(scalar)
                case .drop: break
                case .one(let s): scratch.append(s)
                case .many(let list): scratch.append(contentsOf: list)
                }
            }
        }
        let w = scratch
        let ranges = ArabicClitics.splitRanges(w)
        let count = w.count
        let lengthBucket = UInt64(min(count, 12))
        word = NERTokenAtoms.hash(w, 0..<count)
        base = NERTokenAtoms.hash(w, ranges.base)
        proclitics = NERTokenAtoms.hash(w, 0..<ranges.base.lowerBound)
        let b = ranges.base
        // FNV-1a runs front to back, so each longer prefix continues the hash of the shorter one.
        prefix1 = NERTokenAtoms.hash(w, b.lowerBound..<min(b.upperBound, b.lowerBound + 1))
        prefix2 = NERTokenAtoms.hash(
            w, min(b.upperBound, b.lowerBound + 1)..<min(b.upperBound, b.lowerBound + 2), start: prefix1)
        prefix3 = NERTokenAtoms.hash(
            w, min(b.upperBound, b.lowerBound + 2)..<min(b.upperBound, b.lowerBound + 3), start: prefix2)
        suffix1 = NERTokenAtoms.hash(w, max(0, count - 1)..<count)
        suffix2 = NERTokenAtoms.hash(w, max(0, count - 2)..<count)
        suffix3 = NERTokenAtoms.hash(w, max(0, count - 3)..<count)
        shape = FeatureHash.combine(shapeCode, lengthBucket)
        if b.count >= 4, ArabicNormalizer.isArabicLetter(w[b.lowerBound + 1]) {
            switch w[b.lowerBound].value {
            case 0x0628, 0x0644, 0x0643:  // ب ل ك
                strippedBase = NERTokenAtoms.hash(w, (b.lowerBound + 1)..<b.upperBound)
            default:
                break
            }
        }
        // A removed final ه is most often ta marbuta (normalised to ه), not a pronoun: still safe.
        isSafeForRules = (ranges.base.upperBound == count || (ranges.base.upperBound == count - 1 && w[count - 1] == "\u{0647}"))
            && !ranges.proclitics.contains { w[$0.lowerBound] == ArabicClitics.kaf && $0.count == 1 }
    }

    /// FNV-1a over the UTF-8 encoding of `w[range]`, continuing from `start`; from the default start it equals
    /// `FeatureHash.of(String(w[range]))`.
    static func hash(_ w: [Unicode.Scalar], _ range: Range<Int>, start: UInt64 = FeatureHash.offsetBasis) -> UInt64 {
        var h = start
        for i in range { h = fold(w[i], into: h) }
        return h
    }

    /// One FNV-1a step per UTF-8 byte of `scalar` (encoded here, so no per-scalar `UTF8.encode` buffer).
    @inline(__always)
    static func fold(_ scalar: Unicode.Scalar, into hash: UInt64) -> UInt64 {
        @inline(__always) func step(_ h: UInt64, _ byte: UInt32) -> UInt64 { (h ^ UInt64(byte)) &* FeatureHash.prime }
        let v = scalar.value
        switch v {
        case ..<0x80:
            return step(hash, v)
        case ..<0x800:
            return step(step(hash, 0xC0 | v >> 6), 0x80 | v & 0x3F)
        case ..<0x1_0000:
            return step(step(step(hash, 0xE0 | v >> 12), 0x80 | v >> 6 & 0x3F), 0x80 | v & 0x3F)
        default:
            return step(step(step(step(hash, 0xF0 | v >> 18), 0x80 | v >> 12 & 0x3F), 0x80 | v >> 6 & 0x3F),
                0x80 | v & 0x3F)
        }
    }

    /// 1 Arabic letter, 2 ASCII digit, 3 Latin letter, 4 punctuation or symbol, 5 anything else.
    static func characterClass(_ s: Unicode.Scalar) -> UInt64 {
        let v = s.value
        if (0x0621...0x064A).contains(v) || (0x0671...0x06D3).contains(v) { return 1 }
        if (0x30...0x39).contains(v) || (0x0660...0x0669).contains(v) { return 2 }
        if (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) { return 3 }
        if v < 0x80 || (0x060C...0x061F).contains(v) || (0x2000...0x206F).contains(v) || v == 0xAB || v == 0xBB {
            return 4
        }
        return 5
    }
}
