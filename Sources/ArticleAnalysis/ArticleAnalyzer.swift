/// The one entry point of the analysis core: an article in, its analysis out.
///
/// An analyzer is immutable once made, so one instance serves any number of threads at once. The analysis is a
/// pure function of the article and the analyzer's resources; time and memory are linear in the input's length,
/// which is bounded by `InputSanitizer.maxInputBytes` (longer input is cut and flagged `truncated`).
public struct ArticleAnalyzer: Sendable {
    let recognizer: EntityRecognizer
    let canonicalizer: EntityCanonicalizer
    let keywords: KeywordExtractor

    /// Word lists compiled once per process (cheap to share: immutable).
    static let topicScorer = TopicScorer()
    static let toneScorer = ToneScorer()

    /// An analyzer with the bundled entity recognizer; when the recognizer's model cannot be loaded, one that
    /// finds no entities (use `bundled(documentFrequencies:)` to get the error instead).
    public init() {
        self.init(recognizer: (try? EntityRecognizer.bundled()) ?? EntityRecognizer())
    }

    /// An analyzer with the given recognizer and, for TF-IDF keywords, corpus document frequencies (the bundled
    /// ANT table when nil; see `DocumentFrequencies`).
    public init(recognizer: EntityRecognizer, documentFrequencies: DocumentFrequencies? = nil) {
        self.recognizer = recognizer
        self.canonicalizer = EntityCanonicalizer()
        self.keywords = KeywordExtractor(documentFrequencies: documentFrequencies ?? DocumentFrequencies.bundledOrNil)
    }

    /// An analyzer with the bundled entity recognizer, failing when its model cannot be loaded.
    public static func bundled(documentFrequencies: DocumentFrequencies? = nil) throws -> ArticleAnalyzer {
        ArticleAnalyzer(recognizer: try EntityRecognizer.bundled(), documentFrequencies: documentFrequencies)
    }

    /// Analyses one article. Never traps, whatever the input; oddities are reported in `Analysis.flags`.
    public func analyze(_ article: Article) -> Analysis {
        var flags = Set(article.inputFlags)
        let raw = article.content.raw
        if raw.isEmpty {
            flags.insert(.empty)
            return Analysis(title: article.title, flags: flags.sorted())
        }
        let (sanitized, sanitizerFlags) = InputSanitizer.sanitize(raw)
        flags.formUnion(sanitizerFlags)

        // Lines of the body, and what markup says about titles and headings.
        var lines: [String]
        var markupTitle: String? = nil
        var markupHeadings: [String] = []
        switch article.content {
        case .text:
            lines = PageStructureFinder.lines(of: sanitized)
        case .html:
            let html = HTMLTextExtractor.extract(sanitized)
            if !html.hadBody { flags.insert(.htmlWithoutBody) }
            lines = html.lines
            markupTitle = html.headline
            markupHeadings = html.headings
            if let h = markupTitle, let i = lines.firstIndex(of: h), i < 3 { lines.remove(at: i) }
        }
        if !lines.contains(where: { $0.unicodeScalars.contains { !$0.properties.isWhitespace } }) {
            flags.insert(.whitespaceOnly)
            return Analysis(title: article.title ?? markupTitle, flags: flags.sorted())
        }

        let page = PageStructureFinder.find(
            lines: lines, findHeadline: article.title == nil && markupTitle == nil, knownHeadings: markupHeadings)
        // Character references in HTML may have produced controls again.
        let (cleanText, cleanFlags) = InputSanitizer.sanitize(page.paragraphs.joined(separator: "\n"), maxBytes: Int.max)
        flags.formUnion(cleanFlags.subtracting([.truncated]))
        let title = article.title ?? markupTitle ?? page.headline

        let text = AnalyzedText(cleanText: cleanText)
        if text.mixesScripts { flags.insert(.mixedScripts) }
        if text.language.confidence < LanguageIdentifier.uncertainBelow { flags.insert(.languageUncertain) }

        var tokens: [Token] = []
        tokens.reserveCapacity(text.lexemes.count)
        for (i, lx) in text.lexemes.enumerated() {
            guard let f = text.forms[i] else { continue }
            tokens.append(Token(
                text: text.texts[i], normalized: f.normalized, base: f.base, stem: f.stem,
                span: TextSpan(start: lx.start, end: lx.end), isStopword: f.isStopword))
        }

        let (entities, canonical) = recognizeEntities(text)
        let quotes = QuoteFinder.find(in: text, entities: entities)
        let sources = SourceFinder.find(in: text)
        let anonymous = sources.filter { $0.kind == .anonymous }.count

        return Analysis(
            language: text.language,
            title: title,
            headings: page.headings,
            cleanText: cleanText,
            removedLines: page.removedLines,
            normalizedText: ArabicNormalizer.normalize(cleanText),
            sentences: text.sentences.map { text.span($0) },
            tokens: tokens,
            entities: entities,
            canonicalEntities: canonical,
            quotes: quotes,
            sources: sources,
            anonymousSourceShare: sources.isEmpty ? 0 : Double(anonymous) / Double(sources.count),
            keywords: keywords.extract(text),
            topics: ArticleAnalyzer.topicScorer.score(text),
            tone: ArticleAnalyzer.toneScorer.score(text),
            summary: Summarizer.summarize(text),
            fingerprint: fingerprint(text),
            flags: flags.sorted()
        )
    }

    /// Runs the recognizer sentence by sentence and turns its token spans into mentions of the clean text.
    func recognizeEntities(_ t: AnalyzedText) -> ([EntityMention], [CanonicalEntity]) {
        var mentions: [EntityMention] = []
        for sentence in t.sentences {
            let words = Array(t.texts[sentence])
            for span in recognizer.recognize(words) {
                guard span.start >= 0, span.end <= words.count, span.start < span.end else { continue }
                let range = (sentence.lowerBound + span.start)..<(sentence.lowerBound + span.end)
                let first = t.texts[range.lowerBound]
                let cut = first.utf8.count - canonicalizer.nameWithoutProclitics(first).utf8.count
                let start = t.lexemes[range.lowerBound].start + cut
                let end = t.lexemes[range.upperBound - 1].end
                guard start < end else { continue }
                mentions.append(EntityMention(
                    type: span.type, text: t.substring(start: start, end: end), canonical: "",
                    span: TextSpan(start: start, end: end)))
            }
        }
        let result = canonicalizer.canonicalize(mentions)
        return (result.mentions, result.entities)
    }

    func fingerprint(_ t: AnalyzedText) -> Fingerprint {
        var shingles = Fingerprinter.Shingles()
        var words: [UInt64] = []
        for sentence in t.sentences {
            words.removeAll(keepingCapacity: true)
            for i in sentence {
                guard let f = t.forms[i], t.lexemes[i].kind == .word, !f.isStopword else { continue }
                words.append(f.baseHash)
            }
            Fingerprinter.addShingles(ofWordHashes: words, into: &shingles)
        }
        return Fingerprinter.fingerprint(shingles)
    }
}
