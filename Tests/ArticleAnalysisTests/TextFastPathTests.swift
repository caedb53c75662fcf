import Testing
@testable import ArticleAnalysis

/// The byte-level fast paths of the text stage agree with their scalar-by-scalar definitions.
@Suite struct TextFastPathTests {
    /// The scalar-by-scalar definition of `ArabicNormalizer.normalize`.
    static func normalizeByScalars(_ text: String) -> String {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars { ArabicNormalizer.appendNormalizedUTF8(scalar, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func normalizerOverBytesEqualsNormalizerOverScalars() {
        // Every scalar of the Basic Multilingual Plane (surrogates excluded) and a few beyond, in runs of 64.
        var scalars: [Unicode.Scalar] = (0x0001...0xFFFF).compactMap { Unicode.Scalar($0) }
        scalars += [Unicode.Scalar(0x1F600)!, Unicode.Scalar(0x10FFFF)!, Unicode.Scalar(0x1EE00)!]
        for start in stride(from: 0, to: scalars.count, by: 64) {
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars[start..<min(start + 64, scalars.count)])
            let text = String(s)
            #expect(ArabicNormalizer.normalize(text) == Self.normalizeByScalars(text), "scalars from \(start)")
        }
        for text in ["", "a", "الإمارات العربيّة المتّحدة ـــ ٢٠٢٤", "ﻻ ﷲ ﻹ", "é\u{301}", "😀قال"] {
            #expect(ArabicNormalizer.normalize(text) == Self.normalizeByScalars(text))
        }
    }

    @Test func wordKeyTableAgreesWithADictionary() {
        var state: UInt64 = 7
        func next() -> UInt64 {  // a linear congruential generator: fixed words, every run
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let letters = Array("ابتثجحخدذرزسشصضطظعغفقكلمنهويةى".unicodeScalars)
        var words: [String] = []
        for _ in 0..<3000 {
            var s = String.UnicodeScalarView()
            for _ in 0..<Int(1 + next() % 5) { s.append(letters[Int(next() % UInt64(letters.count))]) }
            words.append(String(s))
        }
        var table = WordKeyTable<Int>(capacity: words.count)
        var reference: [String: Int] = [:]
        for (i, w) in words.enumerated() {
            if let known = reference[w] {
                #expect(table[WordKey(w)] == known)
            } else {
                #expect(table[WordKey(w)] == nil)
                reference[w] = i
                table.set(i, for: WordKey(w))
            }
        }
        #expect(table.count == reference.count)
        for (w, v) in reference { #expect(table[WordKey(w)] == v) }
        #expect(table[WordKey("absent")] == nil)
    }
}
