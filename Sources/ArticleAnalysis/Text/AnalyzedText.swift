/// The analysed forms of one written word.
struct WordForms: Sendable, Hashable {
    /// Normalised (Arabic) or lowercased (Latin), clitics attached.
    var normalized: String
    /// Without proclitics, article and pronoun suffix (Arabic); the lowercased word otherwise.
    var base: String
    var stem: String
    var isStopword: Bool
    /// The article ال (or ل of لل) was removed: the word is definite.
    var hasArticle: Bool
    /// How many one-letter proclitics (و ف ب ل ك) the split found before the article or base.
    var procliticLetters: Int = 0
}

/// The clean text cut into lexemes and sentences, with every word analysed: the shared input of the
/// discourse, content and fingerprint stages.
///
/// Invariants: `texts`, `forms` and `lexemes` are parallel; `sentences` cover the lexemes in order;
/// `forms[i]` is nil exactly for punctuation.
struct AnalyzedText: Sendable {
    let cleanText: String
    /// The clean text's UTF-8 bytes (spans index these).
    let utf8: [UInt8]
    let lexemes: [Lexeme]
    /// Each lexeme as written.
    let texts: [String]
    let forms: [WordForms?]
    let sentences: [Range<Int>]
    let language: LanguageGuess
    let mixesScripts: Bool

    init(cleanText: String) {
        self.cleanText = cleanText
        var text = cleanText
        let (lexemes, sentences): ([Lexeme], [Range<Int>]) = text.withUTF8 { bytes in
            let lx = Tokenizer.lexemes(of: cleanText)
            return (lx, SentenceSplitter.split(lx, bytes: bytes))
        }
        self.lexemes = lexemes
        self.sentences = sentences
        let utf8 = Array(cleanText.utf8)
        self.utf8 = utf8
        var texts: [String] = []
        texts.reserveCapacity(lexemes.count)
        var arabic = 0, latin = 0, other = 0, accented = 0
        var latinWords: [String] = []
        var mixed = false
        for lx in lexemes {
            let s = String(decoding: utf8[lx.start..<lx.end], as: UTF8.self)
            texts.append(s)
            guard lx.kind == .word else { continue }
            if lx.mixesScripts { mixed = true }
            switch lx.script {
            case .arabic: arabic += lx.end - lx.start
            case .latin:
                latin += lx.end - lx.start
                if latinWords.count < 2000 {
                    latinWords.append(s.lowercased())
                }
                if lx.end - lx.start != s.unicodeScalars.count { accented += 1 }
            default: other += lx.end - lx.start
            }
        }
        // Arabic letters take 2 bytes; count letters, not bytes.
        let language = LanguageIdentifier.identify(
            arabicLetters: arabic / 2, latinLetters: latin, otherLetters: other / 2, latinWords: latinWords, accentedLatin: accented)
        self.language = language
        self.mixesScripts = mixed
        self.texts = texts

        var cache: [String: WordForms] = [:]
        var forms: [WordForms?] = []
        forms.reserveCapacity(lexemes.count)
        for (i, lx) in lexemes.enumerated() {
            switch lx.kind {
            case .punctuation:
                forms.append(nil)
            case .number:
                let n = ArabicNormalizer.normalize(texts[i])
                forms.append(WordForms(normalized: n, base: n, stem: n, isStopword: false, hasArticle: false))
            case .word:
                if let f = cache[texts[i]] {
                    forms.append(f)
                } else {
                    let f = AnalyzedText.analyzeWord(texts[i], script: lx.script, language: language.code)
                    cache[texts[i]] = f
                    forms.append(f)
                }
            }
        }
        self.forms = forms
    }

    /// Normalises, splits and stems one word.
    static func analyzeWord(_ word: String, script: Script, language: String) -> WordForms {
        if script == .arabic {
            var scalars: [Unicode.Scalar] = []
            scalars.reserveCapacity(word.unicodeScalars.count + 2)
            var normalized = String.UnicodeScalarView()
            for s in word.unicodeScalars {
                ArabicNormalizer.appendNormalized(s, to: &normalized)
            }
            scalars.append(contentsOf: normalized)
            let normalizedString = String(normalized)
            let split = ArabicClitics.splitRanges(scalars)
            var base = Array(scalars[split.base])
            let baseString = String(String.UnicodeScalarView(base))
            let isStop = Stopwords.arabic.contains(normalizedString) || (split.proclitics.count <= 1 && Stopwords.arabic.contains(baseString))
            LightStemmer.stemArabic(&base)
            return WordForms(
                normalized: normalizedString, base: baseString, stem: String(String.UnicodeScalarView(base)),
                isStopword: isStop, hasArticle: split.hasArticle,
                procliticLetters: split.proclitics.filter { $0.count == 1 }.count - (split.hasArticle && split.proclitics.last?.count == 1 ? 1 : 0))
        }
        let lower = word.lowercased()
        let isStop = Stopwords.english.contains(lower) || Stopwords.french.contains(lower)
        let stem: String
        switch language {
        case "fr": stem = LightStemmer.stemFrench(lower)
        case "en": stem = LightStemmer.stemEnglish(lower)
        default: stem = lower
        }
        return WordForms(normalized: lower, base: lower, stem: isStop ? lower : stem, isStopword: isStop, hasArticle: false)
    }

    /// The written text of lexemes `range`, as it stands in the clean text (spaces included).
    func slice(_ range: Range<Int>) -> String {
        guard let first = range.first, let last = range.last else { return "" }
        return substring(start: lexemes[first].start, end: lexemes[last].end)
    }

    /// The clean text between two UTF-8 offsets.
    func substring(start: Int, end: Int) -> String {
        String(decoding: utf8[start..<end], as: UTF8.self)
    }

    func span(_ range: Range<Int>) -> TextSpan {
        TextSpan(start: lexemes[range.lowerBound].start, end: lexemes[range.upperBound - 1].end)
    }

    /// The single scalar of a punctuation lexeme (0 for words and numbers).
    func punctuation(_ i: Int) -> UInt32 {
        guard lexemes[i].kind == .punctuation else { return 0 }
        return texts[i].unicodeScalars.first?.value ?? 0
    }

    /// The written lexeme `i` without the one-letter proclitics its analysis found ("بالقاهرة" -> "القاهرة").
    func withoutProclitics(_ i: Int) -> String {
        ArabicClitics.dropLeadingLetters(texts[i], count: forms[i]?.procliticLetters ?? 0)
    }

    /// Normalised form of lexeme `i` with a leading و or ف removed (for matching cue words).
    func withoutConjunction(_ i: Int) -> String {
        guard let f = forms[i] else { return "" }
        let n = f.normalized
        if let first = n.unicodeScalars.first, first == "\u{0648}" || first == "\u{0641}", n.unicodeScalars.count >= 3 {
            return String(n.unicodeScalars.dropFirst())
        }
        return n
    }
}
