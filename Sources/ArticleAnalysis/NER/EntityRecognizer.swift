import Foundation

/// A named-entity span over the tokens of one sentence: tokens `[start, end)`.
public struct TokenEntitySpan: Sendable, Hashable {
    public var type: EntityType
    public var start: Int
    public var end: Int
    public init(type: EntityType, start: Int, end: Int) {
        self.type = type
        self.start = start
        self.end = end
    }
}

/// Finds named entities in tokenised sentences with the averaged-perceptron sequence model (`NERModel`), whose
/// features include the gazetteer, the corpus lexicon, the word clusters and the name lists; then a rule layer
/// adds names of the small hand-written gazetteer that the model left untagged (the large public name lists are
/// features only).
///
/// Input tokens are ANERcorp-style: words, numbers and punctuation marks as separate tokens, clitics still
/// attached, as written (not normalised). Immutable, so one instance serves many threads.
public struct EntityRecognizer: Sendable {
    public let model: NERModel
    public let gazetteer: Gazetteer
    public let lexicon: NERLexicon
    public let clusters: NERWordClusters
    public let nameLists: NERNameLists
    /// The lexicon, clusters and name lists merged for the featurizer (built once, not per sentence).
    let baseFacts: NERBaseFacts
    /// Whether gazetteer entries of the four entity categories that no predicted span overlaps are added as
    /// entities, and organisations extended over a following place adjective (the rule layer). Applied to the
    /// longest matches only, after the model. On ANERcorp documents held out from training the layer costs about
    /// 0.5 points of micro-F1, but it finds organisations such as «فتح» and «وزارة الخارجية الفرنسية» that the model
    /// misses in news text.
    public var addsUnrecognizedGazetteerNames: Bool

    /// Place adjectives for the second rule: an organisation the model ended just before a feminine place
    /// adjective ("وزارة الخارجية" + "الفرنسية") is extended over it, as in "المخابرات العامة المصرية".
    public var placeAdjectives: EntityCanonicalizer

    public init(
        model: NERModel, gazetteer: Gazetteer, lexicon: NERLexicon = NERLexicon(),
        clusters: NERWordClusters = NERWordClusters(), nameLists: NERNameLists = NERNameLists(),
        addsUnrecognizedGazetteerNames: Bool = true, placeAdjectives: EntityCanonicalizer = EntityCanonicalizer()
    ) {
        self.model = model
        self.gazetteer = gazetteer
        self.lexicon = lexicon
        self.clusters = clusters
        self.nameLists = nameLists
        self.baseFacts = NERBaseFacts(lexicon: lexicon, clusters: clusters, nameLists: nameLists)
        self.addsUnrecognizedGazetteerNames = addsUnrecognizedGazetteerNames
        self.placeAdjectives = placeAdjectives
    }

    /// A recognizer that finds nothing: all weights zero, empty gazetteer (a fallback when resources are missing).
    public init() {
        let settings = NERModel.TrainingSettings(
            epochs: 0, bucketBits: 8, minFeatureCount: 1, shuffleSeed: 0, entityBias: 0)
        self.init(
            model: NERModel(
                settings: settings, weights: [Float](repeating: 0, count: (1 << 8) * NERTag.count),
                transitions: [Float](repeating: 0, count: (NERTag.count + 1) * NERTag.count)),
            gazetteer: Gazetteer(), addsUnrecognizedGazetteerNames: false,
            placeAdjectives: EntityCanonicalizer(placeAdjectives: [:]))
    }

    /// An error loading the bundled resources, naming the file.
    public struct ResourceError: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var reason: String
        public var description: String { "\(file): \(reason)" }
    }

    /// The recognizer with the model, gazetteer, lexicon, word clusters and name lists that ship in the package's
    /// resources (loaded once). How each file is rebuilt bit for bit by `mirsad train` is in the README's
    /// "The named-entity model" and in `Benchmarks/ner/rebuild.sh`.
    public static func bundled() throws -> EntityRecognizer { try bundledResult.get() }

    private static let bundledResult: Result<EntityRecognizer, ResourceError> = Result {
        () throws(ResourceError) -> EntityRecognizer in
        let gazetteer = try bundledGazetteer()
        let lexicon = try bundledLexicon()
        let clusters = try bundledClusters()
        let nameLists = try bundledNameLists()
        let bytes = try bundledResource("ner-model", "bin")
        do {
            return EntityRecognizer(
                model: try NERModel(serialized: bytes), gazetteer: gazetteer, lexicon: lexicon, clusters: clusters,
                nameLists: nameLists)
        } catch {
            throw ResourceError(file: "ner-model.bin", reason: "\(error)")
        }
    }

    /// The word clusters that ship in the package's resources (the ones the bundled model was trained with).
    public static func bundledClusters() throws(ResourceError) -> NERWordClusters {
        let bytes = try bundledResource("ner-clusters", "txt")
        do {
            return try NERWordClusters(text: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw ResourceError(file: "ner-clusters.txt", reason: "\(error)")
        }
    }

    /// The name lists that ship in the package's resources (the ones the bundled model was trained with).
    public static func bundledNameLists() throws(ResourceError) -> NERNameLists {
        let bytes = try bundledResource("ner-name-lists", "txt")
        do {
            return try NERNameLists(text: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw ResourceError(file: "ner-name-lists.txt", reason: "\(error)")
        }
    }

    /// The gazetteer that ships in the package's resources (the one the bundled model was trained with).
    public static func bundledGazetteer() throws(ResourceError) -> Gazetteer {
        let bytes = try bundledResource("gazetteer-entities", "txt")
        do {
            return try Gazetteer(text: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw ResourceError(file: "gazetteer-entities.txt", reason: "\(error)")
        }
    }

    /// The corpus lexicon that ships in the package's resources (the one the bundled model was trained with).
    public static func bundledLexicon() throws(ResourceError) -> NERLexicon {
        let bytes = try bundledResource("ner-lexicon", "txt")
        do {
            return try NERLexicon(text: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw ResourceError(file: "ner-lexicon.txt", reason: "\(error)")
        }
    }

    static func bundledResource(_ name: String, _ ext: String) throws(ResourceError) -> Data {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources")
            ?? Bundle.module.url(forResource: name, withExtension: ext)
        else { throw ResourceError(file: "\(name).\(ext)", reason: "missing from the package resources") }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ResourceError(file: url.path, reason: "\(error)")
        }
    }

    public func recognize(_ tokens: [String]) -> [TokenEntitySpan] {
        guard !tokens.isEmpty else { return [] }
        var featurizer = NERSentenceFeaturizer(
            gazetteer: gazetteer, baseFacts: baseFacts, bucketBits: model.bucketBits)
        var features: [Int32] = []
        featurizer.featurize(tokens, into: &features)
        let tags = features.withUnsafeBufferPointer { model.decode(features: $0, tokenCount: tokens.count) }
        var spans = TokenEntitySpan.spans(of: tags)
        if addsUnrecognizedGazetteerNames {
            EntityRecognizer.addGazetteerNames(featurizer.ruleMatches, to: &spans, tags: tags)
            extendOrganizationsOverPlaceAdjectives(&spans, tokens: tokens, tags: tags)
        }
        return spans
    }

    /// Extends an organisation span over a following feminine place adjective with the article ("الفرنسية")
    /// that the model left outside every entity.
    func extendOrganizationsOverPlaceAdjectives(_ spans: inout [TokenEntitySpan], tokens: [String], tags: [NERTag]) {
        for i in spans.indices where spans[i].type == .organization && spans[i].end < tokens.count {
            let end = spans[i].end
            guard tags[end] == .outside, i + 1 == spans.count || spans[i + 1].start > end else { continue }
            let word = ArabicNormalizer.normalize(tokens[end])
            guard word.hasPrefix("ال"), word.hasSuffix("يه"), placeAdjectives.place(ofAdjective: word) != nil
            else { continue }
            spans[i].end = end + 1
        }
    }

    /// The rule layer: a gazetteer match of an entity category over tokens the model tagged all `O` becomes an
    /// entity of the first such category (PERS, ORG, LOC, MISC order). Keeps `spans` sorted by start.
    static func addGazetteerNames(_ matches: [Gazetteer.Match], to spans: inout [TokenEntitySpan], tags: [NERTag]) {
        var added = false
        for m in matches {
            guard let category = Gazetteer.Category.allCases.first(where: {
                $0.entityType != nil && m.categories & (1 << UInt32($0.rawValue)) != 0
            }), let type = category.entityType else { continue }
            guard tags[m.start..<m.end].allSatisfy({ $0 == .outside }) else { continue }
            spans.append(TokenEntitySpan(type: type, start: m.start, end: m.end))
            added = true
        }
        if added { spans.sort { $0.start < $1.start } }
    }
}
