import ArticleAnalysis

extension Mirsad_V1_Analysis {
    /// The wire form of `analysis`. Tokens are included only when `includeTokens` (the job's option) is set; the
    /// normalised text only when `includeNormalizedText` is: a reader derives it from the clean text
    /// (`Analysis(wire:)`), so a result need not carry the article's text twice.
    public init(_ analysis: Analysis, includeTokens: Bool, includeNormalizedText: Bool = true) {
        self.init()
        language = .with { $0.code = analysis.language.code; $0.confidence = analysis.language.confidence }
        if let t = analysis.title { title = t }
        headings = analysis.headings
        cleanText = analysis.cleanText
        removedLines = analysis.removedLines
        if includeNormalizedText { normalizedText = analysis.normalizedText }
        sentences = analysis.sentences.map(Mirsad_V1_TextSpan.init)
        if includeTokens {
            tokens = analysis.tokens.map { token in
                .with {
                    $0.text = token.text
                    $0.normalized = token.normalized
                    $0.base = token.base
                    $0.stem = token.stem
                    $0.span = Mirsad_V1_TextSpan(token.span)
                    $0.isStopword = token.isStopword
                }
            }
        }
        entities = analysis.entities.map { e in
            .with {
                $0.type = Mirsad_V1_EntityType(e.type)
                $0.text = e.text
                $0.canonical = e.canonical
                $0.span = Mirsad_V1_TextSpan(e.span)
            }
        }
        canonicalEntities = analysis.canonicalEntities.map { c in
            .with {
                $0.key = c.key
                $0.type = Mirsad_V1_EntityType(c.type)
                $0.mentions = UInt32(clamping: c.mentions)
                $0.variants = c.variants
                $0.name = c.name
            }
        }
        quotes = analysis.quotes.map { q in
            .with {
                $0.kind = q.kind == .direct ? .direct : .reported
                $0.text = q.text
                if let v = q.speaker { $0.speaker = v }
                if let v = q.speakerEntity { $0.speakerEntity = v }
                if let v = q.cue { $0.cue = v }
                $0.span = Mirsad_V1_TextSpan(q.span)
            }
        }
        sources = analysis.sources.map { s in
            .with {
                $0.kind = s.kind == .named ? .named : .anonymous
                $0.text = s.text
                $0.span = Mirsad_V1_TextSpan(s.span)
            }
        }
        anonymousSourceShare = analysis.anonymousSourceShare
        keywords = analysis.keywords.map { k in .with { $0.phrase = k.phrase; $0.score = k.score } }
        topics = analysis.topics.map { t in .with { $0.topic = t.topic; $0.score = t.score } }
        tone = analysis.tone
        summary = analysis.summary
        fingerprint = .with { $0.simhash = analysis.fingerprint.simhash; $0.minhash = analysis.fingerprint.minhash }
        flags = analysis.flags.map(\.rawValue)
    }
}

extension Mirsad_V1_TextSpan {
    public init(_ span: TextSpan) {
        self.init()
        start = Int64(span.start)
        end = Int64(span.end)
    }
}

extension Mirsad_V1_EntityType {
    public init(_ type: EntityType) {
        switch type {
        case .person: self = .person
        case .organization: self = .organization
        case .location: self = .location
        case .miscellaneous: self = .miscellaneous
        }
    }
}

extension Analysis {
    /// The analysis a RESULT carries.
    ///
    /// Throws, naming the field, when a span is not `0 <= start <= end <= clean_text bytes`, an enum value is
    /// unspecified or unknown, or a flag is not one of `AnalysisFlag`'s raw values.
    public init(wire: Mirsad_V1_Analysis, field: String = "analysis") throws(WireConversionError) {
        let textBytes = Int64(wire.cleanText.utf8.count)
        func span(_ s: Mirsad_V1_TextSpan, _ path: String) throws(WireConversionError) -> TextSpan {
            guard s.start >= 0, s.start <= s.end, s.end <= textBytes else {
                throw WireConversionError(
                    field: "\(field).\(path).span",
                    problem: "[\(s.start), \(s.end)) is not within clean_text (\(textBytes) bytes)")
            }
            return TextSpan(start: Int(s.start), end: Int(s.end))
        }
        func entityType(_ t: Mirsad_V1_EntityType, _ path: String) throws(WireConversionError) -> EntityType {
            switch t {
            case .person: return .person
            case .organization: return .organization
            case .location: return .location
            case .miscellaneous: return .miscellaneous
            case .unspecified, .UNRECOGNIZED:
                throw WireConversionError(field: "\(field).\(path).type", problem: "unspecified or unknown entity type \(t.rawValue)")
            }
        }

        var sentences: [TextSpan] = []
        for (i, s) in wire.sentences.enumerated() { sentences.append(try span(s, "sentences[\(i)]")) }
        var tokens: [Token] = []
        for (i, t) in wire.tokens.enumerated() {
            tokens.append(Token(
                text: t.text, normalized: t.normalized, base: t.base, stem: t.stem,
                span: try span(t.span, "tokens[\(i)]"), isStopword: t.isStopword))
        }
        var entities: [EntityMention] = []
        for (i, e) in wire.entities.enumerated() {
            entities.append(EntityMention(
                type: try entityType(e.type, "entities[\(i)]"), text: e.text, canonical: e.canonical,
                span: try span(e.span, "entities[\(i)]")))
        }
        var canonical: [CanonicalEntity] = []
        for (i, c) in wire.canonicalEntities.enumerated() {
            canonical.append(CanonicalEntity(
                key: c.key, name: c.name.isEmpty ? nil : c.name, type: try entityType(c.type, "canonical_entities[\(i)]"), mentions: Int(c.mentions),
                variants: c.variants))
        }
        var quotes: [Quote] = []
        for (i, q) in wire.quotes.enumerated() {
            let kind: Quote.Kind
            switch q.kind {
            case .direct: kind = .direct
            case .reported: kind = .reported
            case .unspecified, .UNRECOGNIZED:
                throw WireConversionError(field: "\(field).quotes[\(i)].kind", problem: "unspecified or unknown quote kind \(q.kind.rawValue)")
            }
            quotes.append(Quote(
                kind: kind, text: q.text,
                speaker: q.hasSpeaker ? q.speaker : nil,
                speakerEntity: q.hasSpeakerEntity ? q.speakerEntity : nil,
                cue: q.hasCue ? q.cue : nil,
                span: try span(q.span, "quotes[\(i)]")))
        }
        var sources: [SourceAttribution] = []
        for (i, s) in wire.sources.enumerated() {
            let kind: SourceAttribution.Kind
            switch s.kind {
            case .named: kind = .named
            case .anonymous: kind = .anonymous
            case .unspecified, .UNRECOGNIZED:
                throw WireConversionError(field: "\(field).sources[\(i)].kind", problem: "unspecified or unknown source kind \(s.kind.rawValue)")
            }
            sources.append(SourceAttribution(kind: kind, text: s.text, span: try span(s.span, "sources[\(i)]")))
        }
        self.init(
            language: LanguageGuess(code: wire.language.code, confidence: wire.language.confidence),
            title: wire.hasTitle ? wire.title : nil,
            headings: wire.headings,
            cleanText: wire.cleanText,
            removedLines: wire.removedLines,
            // Left out of results unless asked for: it is the clean text normalised, derived here.
            normalizedText: wire.normalizedText.isEmpty && !wire.cleanText.isEmpty
                ? ArabicNormalizer.normalize(wire.cleanText) : wire.normalizedText,
            sentences: sentences,
            tokens: tokens,
            entities: entities,
            canonicalEntities: canonical,
            quotes: quotes,
            sources: sources,
            anonymousSourceShare: wire.anonymousSourceShare,
            keywords: wire.keywords.map { Keyword(phrase: $0.phrase, score: $0.score) },
            topics: wire.topics.map { TopicScore(topic: $0.topic, score: $0.score) },
            tone: wire.tone,
            summary: wire.summary,
            fingerprint: Fingerprint(simhash: wire.fingerprint.simhash, minhash: wire.fingerprint.minhash),
            flags: try decodeFlags(wire.flags, field: "\(field).flags")
        )
    }
}
