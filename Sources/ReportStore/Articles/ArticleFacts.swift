import ArticleAnalysis
import Foundation

/// What one version of an article adds to the report store's aggregates and story index; subtracting the same
/// value takes it back out.
///
/// Invariant: a function of the result alone (metadata, analysis, analysed time), so the contributions of a
/// version that is replaced can be recomputed from its stored job row and subtracted exactly.
struct ArticleFacts: Sendable, Hashable {
    struct Entity: Sendable, Hashable {
        var key: String
        var type: EntityType
        var name: String
        var mentions: Int
        /// Among the article's `ArticleFacts.pairedEntities` most mentioned, whose pairs are counted.
        var paired: Bool
    }

    struct Speaker: Sendable, Hashable {
        /// The speaker's canonical entity key when recognised, else the name as written, white space collapsed.
        var key: String
        var name: String
        var quotes: Int
    }

    var key: String
    var contentHash: Int64
    var source: String
    var language: String
    /// `published` when it reads as a date, else the analysed time, else the time stored.
    var timeMilliseconds: Int64
    var day: String
    var title: String?
    var tone: Double
    var namedSources: Int
    var anonymousSources: Int
    var quotes: Int
    var entities: [Entity]
    var topics: [String]
    var speakers: [Speaker]
    var simhash: UInt64
    var minhash: [UInt32]
    /// What the story clustering matches on: `e:` entity terms and `k:` keyword terms, most weighty first.
    var storyTerms: [StoryTerm]

    /// Entities whose pairs count as co-occurring: the most mentioned ones of the article, so the pairs an
    /// article adds are bounded (`n(n-1)/2`).
    static let pairedEntities = 8
    /// Entities and keywords an article offers to story matching.
    static let storyEntityTerms = 8
    static let storyKeywordTerms = 6
    /// What a source without a name is counted under.
    static let unknownSource = "(unknown)"

    /// The facts of a stored result's article: its time is the one published, else the analysed time, else
    /// `storedAt`.
    init(_ result: StoredResult, analysis: Analysis, storedAt: Int64) {
        let fallback = result.analysedAt.map(StoredTime.milliseconds) ?? storedAt
        self.init(metadata: result.article, analysis: analysis, fallbackTime: fallback)
    }

    init(metadata: ArticleMetadata, analysis: Analysis, fallbackTime: Int64) {
        key = ArticleIdentity.key(metadata: metadata, normalizedText: analysis.normalizedText)
        contentHash = Int64(bitPattern: ArticleIdentity.textHash(analysis.normalizedText))
        let trimmedSource = metadata.source?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        source = trimmedSource.isEmpty ? Self.unknownSource : CanonicalText.nfc(trimmedSource)
        language = analysis.language.code.isEmpty ? "und" : analysis.language.code
        timeMilliseconds = metadata.published.flatMap(PublishedTime.milliseconds) ?? fallbackTime
        day = PublishedTime.day(milliseconds: timeMilliseconds)
        title = metadata.title ?? analysis.title
        tone = analysis.tone
        namedSources = analysis.sources.count { $0.kind == .named }
        anonymousSources = analysis.sources.count { $0.kind == .anonymous }
        quotes = analysis.quotes.count

        // Keyed by bytes, as the aggregates sum entities: every key here is NFC.
        var merged: [AggregateDeltas.EntityKey: Entity] = [:]
        for entity in analysis.canonicalEntities where !entity.key.isEmpty {
            let key = CanonicalText.nfc(entity.key)
            let id = AggregateDeltas.EntityKey(key: key, type: entity.type.rawValue)
            if var existing = merged[id] {
                existing.mentions += entity.mentions
                merged[id] = existing
            } else {
                merged[id] = Entity(
                    key: key, type: entity.type, name: CanonicalText.nfc(entity.name), mentions: entity.mentions,
                    paired: false)
            }
        }
        var ranked = merged.values.sorted { ($1.mentions, $0.key, $0.type.rawValue) < ($0.mentions, $1.key, $1.type.rawValue) }
        for i in ranked.indices where i < Self.pairedEntities { ranked[i].paired = true }
        entities = ranked
        topics = Array(Set(analysis.topics.map { CanonicalText.nfc($0.topic) }.filter { !$0.isEmpty })).sorted()

        var bySpeaker: [BinaryKey: Speaker] = [:]
        for quote in analysis.quotes {
            let written = CanonicalText.nfc(quote.speaker?.split(whereSeparator: \.isWhitespace).joined(separator: " ") ?? "")
            let key = quote.speakerEntity.flatMap { $0.isEmpty ? nil : CanonicalText.nfc($0) } ?? written
            guard !key.isEmpty else { continue }
            bySpeaker[BinaryKey(key), default: Speaker(key: key, name: written.isEmpty ? key : written, quotes: 0)].quotes += 1
        }
        speakers = bySpeaker.values.sorted { $0.key < $1.key }
        simhash = analysis.fingerprint.simhash
        // Analyses made before signatures had 32 values carry 64, of which the first 32 are the same minima.
        minhash = Array(analysis.fingerprint.minhash.prefix(Fingerprinter.signatureLength))

        var terms: [StoryTerm] = []
        for entity in ranked.prefix(Self.storyEntityTerms) {
            terms.append(StoryTerm(term: "e:" + entity.type.rawValue + ":" + entity.key, name: entity.name))
        }
        var seenKeywords = Set<BinaryKey>()
        for keyword in analysis.keywords {
            let phrase = CanonicalText.nfc(keyword.phrase.split(whereSeparator: \.isWhitespace).joined(separator: " "))
            guard !phrase.isEmpty, seenKeywords.insert(BinaryKey(phrase)).inserted else { continue }
            terms.append(StoryTerm(term: "k:" + phrase, name: phrase))
            if seenKeywords.count == Self.storyKeywordTerms { break }
        }
        storyTerms = terms
    }

    /// The pairs of paired entities, each ordered (type, key) ascending.
    var entityPairs: [(Entity, Entity)] {
        entityPairIndices.map { (entities[$0], entities[$1]) }
    }

    /// `entityPairs` as indices in `entities`.
    var entityPairIndices: [(Int, Int)] {
        let paired = entities.indices.filter { entities[$0].paired }.sorted {
            (entities[$0].type.rawValue, entities[$0].key) < (entities[$1].type.rawValue, entities[$1].key)
        }
        var pairs: [(Int, Int)] = []
        for i in paired.indices { for j in paired.indices where j > i { pairs.append((paired[i], paired[j])) } }
        return pairs
    }
}

/// A term an article is matched on for stories, and how it is shown in a story's label.
struct StoryTerm: Sendable, Hashable {
    var term: String
    var name: String
}
