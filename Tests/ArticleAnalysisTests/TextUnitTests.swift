import Testing
@testable import ArticleAnalysis

@Suite struct TextUnitTests {
    @Test(arguments: [
        ("المعلمون", "معلم"), ("والمدرسة", "مدرس"), ("بالسيارات", "سيار"), ("كتابها", "كتاب"), ("قواتهم", "قو"),  // light10 removes ات too: a grouping key, not a word
    ])
    func arabicTokensGetBaseAndLightStem(word: String, stem: String) {
        let f = AnalyzedText.analyzeWord(word, script: .arabic, language: "ar")
        #expect(f.stem == stem, "\(word) -> \(f.stem)")
        #expect(!f.stem.isEmpty && f.normalized == ArabicNormalizer.normalize(word))
    }

    @Test func arabicStopwordsWithClitics() {
        for w in ["في", "وفي", "التي", "والتي", "إن", "أنه", "هذه"] {
            #expect(AnalyzedText.analyzeWord(w, script: .arabic, language: "ar").isStopword, "\(w)")
        }
        #expect(!AnalyzedText.analyzeWord("القاهرة", script: .arabic, language: "ar").isStopword)
    }

    @Test func tokenizerKeepsNumbersAndPunctuationApart() {
        let t = AnalyzedText(cleanText: "ارتفع التضخم إلى 24.5% في سبتمبر/أيلول، وقال: «نعم».")
        #expect(t.texts == ["ارتفع", "التضخم", "إلى", "24.5", "%", "في", "سبتمبر", "/", "أيلول", "،", "وقال", ":", "«", "نعم", "»", "."])
        #expect(t.lexemes[3].kind == .number)
    }

    @Test func sentencesSplitOnEndersButNotOnDecimalsOrAbbreviations() {
        let t = AnalyzedText(cleanText: "Mr. Smith paid 3.5 dollars. Then he left! هل انتهى؟ نعم\nسطر جديد")
        let sentences = t.sentences.map { t.slice($0) }
        #expect(sentences == ["Mr. Smith paid 3.5 dollars.", "Then he left!", "هل انتهى؟", "نعم", "سطر جديد"])
    }

    @Test func breadcrumbsAndChromeLines() {
        #expect(Boilerplate.isChrome("العالم العربيفلسطينمصر", nearTop: true))
        #expect(Boilerplate.isChrome("Home > World > Middle East", nearTop: false))
        #expect(Boilerplate.isChrome("Laisser un commentaire", nearTop: false))
        #expect(Boilerplate.isChrome("© 2024 جميع الحقوق محفوظة", nearTop: false))
        #expect(!Boilerplate.isChrome("مصر", nearTop: false))
        #expect(!Boilerplate.isChrome("وصل وفد قيادي من حركة حماس إلى القاهرة", nearTop: true))
    }

    @Test func htmlEntities() {
        let decoded = HTMLEntities.decode(ArraySlice(Array("a &amp; b &#1605; &#x645; &laquo;x&raquo; &bogus; &".utf8)))
        #expect(String(decoding: decoded, as: UTF8.self) == "a & b م م «x» &bogus; &")
    }

    @Test func languageOfShortTexts() {
        #expect(AnalyzedText(cleanText: "هذا نص عربي قصير").language.code == "ar")
        #expect(AnalyzedText(cleanText: "This is the text of the report that was released").language.code == "en")
        #expect(AnalyzedText(cleanText: "Le texte est dans la langue des rapports qui sont publiés").language.code == "fr")
    }
}
