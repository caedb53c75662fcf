/// Everything the analysis core finds in one article.
///
/// Invariants: every `TextSpan` indexes `cleanText` in UTF-8 bytes; `summary` is in text order;
/// `keywords` and `topics` are sorted by descending score; the value depends only on the article and the
/// analyzer's resources (the analysis is deterministic).
public struct Analysis: Sendable, Hashable, Codable {
    public var language: LanguageGuess
    /// The headline: the article's own title, or the one found in the text when none was given.
    public var title: String?
    /// Section headings found in the body, in text order.
    public var headings: [String]
    /// The main text, with markup and site chrome removed; paragraphs separated by "\n".
    public var cleanText: String
    /// Lines removed from the body as site chrome (breadcrumbs, share and comment prompts, copyright lines).
    public var removedLines: [String]
    /// `cleanText` normalised (for Arabic: diacritics, tatweel, alef/hamza forms, alef maksura, digits).
    public var normalizedText: String
    public var sentences: [TextSpan]
    public var tokens: [Token]
    public var entities: [EntityMention]
    public var canonicalEntities: [CanonicalEntity]
    public var quotes: [Quote]
    public var sources: [SourceAttribution]
    /// Anonymous attributions over all attributions, 0 when there are none.
    public var anonymousSourceShare: Double
    public var keywords: [Keyword]
    public var topics: [TopicScore]
    /// From -1 (negative) to 1 (positive).
    public var tone: Double
    /// The most central sentences (3 at most), in text order.
    public var summary: [String]
    public var fingerprint: Fingerprint
    /// What was odd about the input; sorted, without repeats.
    public var flags: [AnalysisFlag]

    public init(
        language: LanguageGuess = LanguageGuess(code: "und", confidence: 0),
        title: String? = nil,
        headings: [String] = [],
        cleanText: String = "",
        removedLines: [String] = [],
        normalizedText: String = "",
        sentences: [TextSpan] = [],
        tokens: [Token] = [],
        entities: [EntityMention] = [],
        canonicalEntities: [CanonicalEntity] = [],
        quotes: [Quote] = [],
        sources: [SourceAttribution] = [],
        anonymousSourceShare: Double = 0,
        keywords: [Keyword] = [],
        topics: [TopicScore] = [],
        tone: Double = 0,
        summary: [String] = [],
        fingerprint: Fingerprint = Fingerprint(simhash: 0, minhash: []),
        flags: [AnalysisFlag] = []
    ) {
        self.language = language
        self.title = title
        self.headings = headings
        self.cleanText = cleanText
        self.removedLines = removedLines
        self.normalizedText = normalizedText
        self.sentences = sentences
        self.tokens = tokens
        self.entities = entities
        self.canonicalEntities = canonicalEntities
        self.quotes = quotes
        self.sources = sources
        self.anonymousSourceShare = anonymousSourceShare
        self.keywords = keywords
        self.topics = topics
        self.tone = tone
        self.summary = summary
        self.fingerprint = fingerprint
        self.flags = flags
    }
}

/// A half-open range `[start, end)` of UTF-8 byte offsets into `Analysis.cleanText`.
public struct TextSpan: Sendable, Hashable, Codable {
    public var start: Int
    public var end: Int
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// An ISO 639-1 code ("ar", "en", "fr", ...; "und" when undetermined) and a confidence in [0, 1].
public struct LanguageGuess: Sendable, Hashable, Codable {
    public var code: String
    public var confidence: Double
    public init(code: String, confidence: Double) {
        self.code = code
        self.confidence = confidence
    }
}

/// A word of the clean text, as written and as analysed.
public struct Token: Sendable, Hashable, Codable {
    /// The word as written in `cleanText`.
    public var text: String
    /// The normalised form, clitics still attached.
    public var normalized: String
    /// The normalised form with proclitics, the article and pronoun suffixes removed.
    public var base: String
    /// A light stem of `base`.
    public var stem: String
    public var span: TextSpan
    public var isStopword: Bool
    public init(text: String, normalized: String, base: String, stem: String, span: TextSpan, isStopword: Bool) {
        self.text = text
        self.normalized = normalized
        self.base = base
        self.stem = stem
        self.span = span
        self.isStopword = isStopword
    }
}

/// The entity types of ANERcorp.
public enum EntityType: String, Sendable, Hashable, Codable, CaseIterable {
    case person = "PERS"
    case organization = "ORG"
    case location = "LOC"
    case miscellaneous = "MISC"
}

/// One mention of a named entity in the text.
public struct EntityMention: Sendable, Hashable, Codable {
    public var type: EntityType
    /// The mention as written, one-letter clitics (و ف ب ل ك) removed.
    public var text: String
    /// The key of the `CanonicalEntity` this mention belongs to.
    public var canonical: String
    public var span: TextSpan
    public init(type: EntityType, text: String, canonical: String, span: TextSpan) {
        self.type = type
        self.text = text
        self.canonical = canonical
        self.span = span
    }
}

/// The variants of one entity merged under one key ("حركة حماس" and "حماس" under "حماس").
///
/// The key is stable across articles, so it can be counted across a corpus.
public struct CanonicalEntity: Sendable, Hashable, Codable {
    /// Normalised, for matching across articles ("القاهره"); not meant to be shown.
    public var key: String
    /// The entity as a reader would write it: the variant written most often whose normalised form is the key
    /// ("القاهرة"), the first of those on a tie; the key itself when no variant is.
    public var name: String
    public var type: EntityType
    public var mentions: Int
    /// The distinct surface forms seen, in order of first appearance.
    public var variants: [String]
    public init(key: String, name: String? = nil, type: EntityType, mentions: Int, variants: [String]) {
        self.key = key
        self.name = name ?? key
        self.type = type
        self.mentions = mentions
        self.variants = variants
    }
}

/// A quotation and, where the text says, who said it.
public struct Quote: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Words in quotation marks.
        case direct
        /// Reported speech: قال/أكد/أوضح ... إن/أن.
        case reported
    }
    public var kind: Kind
    /// The quoted words, without the quotation marks.
    public var text: String
    /// The speaker as written, when found.
    public var speaker: String?
    /// The canonical key of the speaker's entity, when the speaker is a recognised entity.
    public var speakerEntity: String?
    /// The speech verb that introduced the quote, when there is one.
    public var cue: String?
    public var span: TextSpan
    public init(kind: Kind, text: String, speaker: String?, speakerEntity: String?, cue: String?, span: TextSpan) {
        self.kind = kind
        self.text = text
        self.speaker = speaker
        self.speakerEntity = speakerEntity
        self.cue = cue
        self.span = span
    }
}

/// Something the article attributes information to: a named agency or outlet, or an anonymous source.
public struct SourceAttribution: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case named
        case anonymous
    }
    public var kind: Kind
    /// As written ("شينخوا", "مصادر مطلعة").
    public var text: String
    public var span: TextSpan
    public init(kind: Kind, text: String, span: TextSpan) {
        self.kind = kind
        self.text = text
        self.span = span
    }
}

public struct Keyword: Sendable, Hashable, Codable {
    public var phrase: String
    /// Higher is more relevant.
    public var score: Double
    public init(phrase: String, score: Double) {
        self.phrase = phrase
        self.score = score
    }
}

/// A topic of the documented taxonomy (see `Protocols/analysis.md`) with a score in [0, 1].
public struct TopicScore: Sendable, Hashable, Codable {
    public var topic: String
    public var score: Double
    public init(topic: String, score: Double) {
        self.topic = topic
        self.score = score
    }
}

/// Signatures for near-duplicate detection and story clustering, over shingles of normalised tokens.
public struct Fingerprint: Sendable, Hashable, Codable {
    public var simhash: UInt64
    /// One minimum per hash function; two signatures agree in a share of places that estimates Jaccard similarity.
    public var minhash: [UInt32]
    public init(simhash: UInt64, minhash: [UInt32]) {
        self.simhash = simhash
        self.minhash = minhash
    }
}

/// What was odd about an input. Raw values are part of the wire protocol: never renumber or rename.
public enum AnalysisFlag: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// No text at all.
    case empty
    /// Only white space.
    case whitespaceOnly = "whitespace_only"
    /// Invalid UTF-8 was replaced with U+FFFD before analysis.
    case invalidUTF8Replaced = "invalid_utf8_replaced"
    /// Bidirectional control characters were found (and removed from the clean text).
    case bidiControls = "bidi_controls"
    /// Several scripts are mixed inside words.
    case mixedScripts = "mixed_scripts"
    /// HTML that had no body element; the whole document was used.
    case htmlWithoutBody = "html_without_body"
    /// The text was longer than the analysis limit and only its start was analysed.
    case truncated
    /// The language could not be determined with confidence.
    case languageUncertain = "language_uncertain"
    /// Binary data (NUL or many control characters) was found in the text.
    case binaryContent = "binary_content"

    public static func < (lhs: AnalysisFlag, rhs: AnalysisFlag) -> Bool { lhs.rawValue < rhs.rawValue }
}
