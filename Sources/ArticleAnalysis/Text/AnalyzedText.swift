/// The analysed forms of one written word, computed once per distinct word of a text and shared by reference.
final class WordForms: Sendable {
    /// Normalised (Arabic) or lowercased (Latin), clitics attached.
    let normalized: String
    /// Without proclitics, article and pronoun suffix (Arabic); the lowercased word otherwise.
    let base: String
    let stem: String
    let isStopword: Bool
    /// The article ال (or ل of لل) was removed: the word is definite.
    let hasArticle: Bool
    /// How many one-letter proclitics (و ف ب ل ك) the split found before the article or base.
    let procliticLetters: Int
    /// Keys of `normalized` and `stem`, and of `normalized` without a leading و/ف (for cue words).
    let normalizedKey: WordKey
    let stemKey: WordKey
    let cueKey: WordKey
    /// Key of `normalized` without a leading one-letter proclitic letter (و ف ب ل ك), when 3 letters remain.
    let strippedKey: WordKey?
    /// Stable hash of `base` (the fingerprint's word feature).
    let baseHash: UInt64
    /// Never a keyword (`Stopwords.nonKeywords`): a weekday, month, number word, time or verb of saying.
    let isNonKeyword: Bool
    /// A speech verb or participle (see `SpeechCues`), with a leading و/ف allowed.
    let isSpeechVerb: Bool
    let isSpeechParticiple: Bool
    /// The word (or the word without a one-letter proclitic) can start a source (see `SourceFinder.firstWords`).
    let mayStartSource: Bool

    /// `excludedAsKeyword`: the word is a function word or non-keyword once the proclitics key-making reads in it
    /// are removed ("فأصبح", "والذين").
    init(normalized: String, base: String, stem: String, isStopword: Bool, hasArticle: Bool, procliticLetters: Int = 0,
         excludedAsKeyword: Bool = false) {
        self.normalized = normalized
        self.base = base
        self.stem = stem
        self.isStopword = isStopword
        self.hasArticle = hasArticle
        self.procliticLetters = procliticLetters
        normalizedKey = WordKey(normalized)
        stemKey = WordKey(stem)
        let scalars = normalized.unicodeScalars
        let first = scalars.first
        let long = scalars.count >= 3
        if long, first == "\u{0648}" || first == "\u{0641}" {
            cueKey = WordKey(String(scalars.dropFirst()))
        } else {
            cueKey = normalizedKey
        }
        if long, let first, "وفبلك".unicodeScalars.contains(first) {
            strippedKey = first == "\u{0648}" || first == "\u{0641}" ? cueKey : WordKey(String(scalars.dropFirst()))
        } else {
            strippedKey = nil
        }
        baseHash = StableHash.mix(StableHash.fnv1a64(base))
        isNonKeyword = excludedAsKeyword || Stopwords.isNonKeyword(normalized: normalized, base: base)
        isSpeechVerb = SpeechCues.arabicVerbs.contains(cueKey)
        isSpeechParticiple = !isSpeechVerb && SpeechCues.arabicParticiples.contains(cueKey)
        mayStartSource = SourceFinder.firstWords.contains(normalizedKey) || strippedKey.map { SourceFinder.firstWords.contains($0) } ?? false
    }
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
    /// Per lexeme, a small integer naming its stem within this text (equal stems, equal ids); -1 for punctuation.
    let stemIDs: [Int]
    /// The number of distinct stems (ids are `0..<stemCount`).
    let stemCount: Int
    /// The stem key of each stem id.
    let stemKeys: [WordKey]
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
            if lx.mixesScripts && !AnalyzedText.isProcliticBeforeLatin(s) { mixed = true }
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

        // Per distinct written word: its forms and stem id; per distinct stem: its id.
        var cache = WordKeyTable<(WordForms, Int)>(capacity: lexemes.count)
        var ids = WordKeyTable<Int>(capacity: lexemes.count)
        var forms: [WordForms?] = []
        var stemIDs: [Int] = []
        var stemKeys: [WordKey] = []
        forms.reserveCapacity(lexemes.count)
        stemIDs.reserveCapacity(lexemes.count)
        for (i, lx) in lexemes.enumerated() {
            if lx.kind == .punctuation {
                forms.append(nil)
                stemIDs.append(-1)
                continue
            }
            let key = WordKey(texts[i])
            if let (f, id) = cache[key] {
                forms.append(f)
                stemIDs.append(id)
                continue
            }
            let f: WordForms
            if lx.kind == .number {
                let n = ArabicNormalizer.normalize(texts[i])
                f = WordForms(normalized: n, base: n, stem: n, isStopword: false, hasArticle: false)
            } else {
                f = WordFormsCache.shared.forms(of: key, script: lx.script, language: language.code)
            }
            let id: Int
            if let known = ids[f.stemKey] {
                id = known
            } else {
                id = ids.count
                ids.set(id, for: f.stemKey)
                stemKeys.append(f.stemKey)
            }
            cache.set((f, id), for: key)
            forms.append(f)
            stemIDs.append(id)
        }
        self.forms = forms
        self.stemIDs = stemIDs
        self.stemCount = ids.count
        self.stemKeys = stemKeys
    }

    /// An Arabic one-letter proclitic written on a Latin word ("وZTE", "لـCNN"): ordinary, not mixed scripts.
    static func isProcliticBeforeLatin(_ word: String) -> Bool {
        var scalars = word.unicodeScalars.makeIterator()
        guard let first = scalars.next(), "وفبلك".unicodeScalars.contains(first) else { return false }
        while let s = scalars.next() {
            if s.value == 0x0640 { continue }
            if Script.of(s) != .latin && Script.of(s) != .none { return false }
        }
        return true
    }

    /// Normalises, splits and stems one word.
    static func analyzeWord(_ word: String, script: Script, language: String) -> WordForms {
        if script == .arabic {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(word.utf8.count)
            for s in word.unicodeScalars { ArabicNormalizer.appendNormalizedUTF8(s, to: &bytes) }
            let normalizedString = String(decoding: bytes, as: UTF8.self)
            let scalars = Array(normalizedString.unicodeScalars)
            let split = ArabicClitics.splitRanges(scalars)
            // A split only happens on words of Arabic letters, which take 2 bytes each.
            let twoByte = bytes.count == 2 * scalars.count
            var base = Array(scalars[split.base])
            let baseString = split.base.count == scalars.count || !twoByte
                ? normalizedString : String(decoding: bytes[(2 * split.base.lowerBound)..<(2 * split.base.upperBound)], as: UTF8.self)
            let isStop = Stopwords.arabic.contains(word: normalizedString) || (split.proclitics.count <= 1 && Stopwords.arabic.contains(word: baseString))
            let baseCount = base.count
            LightStemmer.stemArabic(&base)
            let stemString = base.count == baseCount ? baseString
                : twoByte ? String(decoding: bytes[(2 * split.base.lowerBound)..<(2 * (split.base.lowerBound + base.count))], as: UTF8.self)
                : String(String.UnicodeScalarView(base))
            // What a keyword shows of the word (see `KeywordExtractor.display`) must not be a function word either.
            let shownLetters = EntityKeyLexicon.bundledOrEmpty.procliticLetters(ofNormalizedWord: normalizedString)
            var excluded = false
            if shownLetters > 0 {
                let shown = String(String.UnicodeScalarView(scalars.dropFirst(shownLetters)))
                excluded = Stopwords.arabic.contains(word: shown) || Stopwords.isNonKeyword(normalized: shown, base: shown)
            }
            return WordForms(
                normalized: normalizedString, base: baseString, stem: stemString,
                isStopword: isStop, hasArticle: split.hasArticle,
                procliticLetters: split.proclitics.filter { $0.count == 1 }.count - (split.hasArticle && split.proclitics.last?.count == 1 ? 1 : 0),
                excludedAsKeyword: excluded)
        }
        let lower = word.lowercased()
        let isStop = Stopwords.latin.contains(word: lower)
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
