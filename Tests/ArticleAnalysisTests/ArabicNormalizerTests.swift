import Testing
@testable import ArticleAnalysis

@Suite struct ArabicNormalizerTests {
    @Test(arguments: [
        ("مُحَمَّدٌ", "محمد"),
        ("الـــقاهرة", "القاهره"),
        ("أحمد إبراهيم آل ٱلله", "احمد ابراهيم ال الله"),
        ("مصطفى", "مصطفي"),
        ("٢٠١٨ و۱۲۳", "2018 و123"),
        ("\u{FEFB}", "لا"),
        ("\u{FE8D}\u{FEDF}\u{FEE4}\u{FEAE}\u{FE8E}", "المرا"),
        ("Hello, World 42", "Hello, World 42"),
        ("مسؤول رئيس", "مسؤول رئيس"),
    ])
    func normalizes(input: String, expected: String) {
        #expect(ArabicNormalizer.normalize(input) == expected)
    }

    @Test func normalizingTwiceChangesNothing() {
        let text = "وَقَالَ الرَّئِيسُ إِنَّ ٣ مُسْتَشْفَيَاتٍ \u{FEFB}"
        let once = ArabicNormalizer.normalize(text)
        #expect(ArabicNormalizer.normalize(once) == once)
    }
}

@Suite struct ArabicCliticsTests {
    @Test(arguments: [
        ("وبالقاهره", ["و", "ب", "ال"], "قاهره", nil as String?),
        ("والمدينه", ["و", "ال"], "مدينه", nil),
        ("للحكومه", ["ل", "ل"], "حكومه", nil),
        ("قواتهم", [], "قوات", "هم"),
        ("وسيارتنا", ["و"], "سيارت", "نا"),
        ("في", [], "في", nil),
        ("الي", [], "الي", nil),
        ("بها", [], "بها", nil),
        ("Paris", [], "Paris", nil),
    ])
    func splits(word: String, proclitics: [String], base: String, suffix: String?) {
        let split = ArabicClitics.split(word)
        #expect(split.proclitics == proclitics)
        #expect(split.base == base)
        #expect(split.suffix == suffix)
        #expect(split.proclitics.joined() + split.base + (split.suffix ?? "") == word)
    }

    @Test func baseIsNeverShorterThanTwoLetters() {
        for word in ["وبه", "فال", "بال", "لله", "كما", "ولها", "والي", "ولكم"] {
            #expect(ArabicClitics.split(word).base.unicodeScalars.count >= 2, "\(word)")
        }
    }

    @Test(arguments: [
        ("بباريس", "باريس"),
        ("والقاهرة", "القاهرة"),
        ("وبيروت", "بيروت"),
        ("فلسطين", "فلسطين"),
        ("لبنان", "لبنان"),
        ("ولبنان", "لبنان"),
        ("بالقاهرة", "القاهرة"),
        ("وواشنطن", "واشنطن"),
        ("للأمم", "للأمم"),
        ("Reuters", "Reuters"),
    ])
    func stripsOneLetterProclitics(word: String, expected: String) {
        #expect(ArabicClitics.stripOneLetterProclitics(word) == expected)
    }
}
