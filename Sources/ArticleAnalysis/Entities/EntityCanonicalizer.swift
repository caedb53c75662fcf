import Foundation

/// Merges entity variants under one key per entity, stable across articles.
///
/// The key of a mention is its normalised form (`ArabicNormalizer`) with these variants folded:
/// - proclitics of the first word as `EntityKeyLexicon` reads them ("بسوريا" → "سوريا", "لإير فرانس" →
///   "اير فرانس", while "فرانس برس", "فيصل" keep every letter), and clitics before the article in the other
///   words: "وبالقاهرة", "للقاهرة" → "القاهره";
/// - organisation descriptors that are not part of the name: "حركة حماس" → "حماس", "تنظيم داعش" → "داعش";
/// - for places, adjectives of the place (`gazetteer-place-adjectives.txt`): "المصرية", "المصري" → "مصر".
/// A person's key then goes through the corpus alias table ("بوتين", "بوتن" → "فلاديمير بوتين"); within one call of
/// `canonicalize` (one article) a person's key the table does not know that is the ending of exactly one longer
/// person key ("السيسي" and "عبد الفتاح السيسي") takes that longer key. A surname the table knows is never
/// merged into another person of the article (a bare "ترامب" beside "ميلانيا ترامب" stays Donald Trump).
/// Currencies and units (`NonEntityWords`) are dropped: they are not entities; nor is a key without a letter.
public struct EntityCanonicalizer: Sendable {
    /// Normalised adjective (masculine singular, no article) → normalised place.
    public let placeAdjectives: [String: String]
    /// `placeAdjectives` looked up by bytes: `place(ofAdjective:)` runs for every keyword candidate.
    private let adjectiveTable: UTF8WordTable<String>
    /// Proclitic letters of name-initial words and person aliases.
    public let keyLexicon: EntityKeyLexicon
    /// `keyLexicon`'s tables looked up by bytes: both are read for every mention.
    private let keyTables: KeyTables

    private struct KeyTables: Sendable {
        let procliticLetters: UTF8WordTable<Int>
        let personAliases: UTF8WordTable<String>

        init(_ lexicon: EntityKeyLexicon) {
            procliticLetters = UTF8WordTable(lexicon.procliticLetters)
            personAliases = UTF8WordTable(lexicon.personAliases)
        }
    }

    private static let bundledKeyTables = KeyTables(EntityKeyLexicon.bundledOrEmpty)

    /// A canonicalizer with the bundled adjective table and key lexicon (empty if those resources cannot be
    /// read; see `bundledPlaceAdjectives()` and `EntityKeyLexicon.bundled()` to get the error).
    public init() {
        self.placeAdjectives = EntityCanonicalizer.bundledTable
        self.adjectiveTable = EntityCanonicalizer.bundledAdjectiveTable
        self.keyLexicon = EntityKeyLexicon.bundledOrEmpty
        self.keyTables = EntityCanonicalizer.bundledKeyTables
    }

    public init(placeAdjectives: [String: String], keyLexicon: EntityKeyLexicon = EntityKeyLexicon()) {
        var table: [String: String] = [:]
        for (adjective, place) in placeAdjectives {
            table[ArabicNormalizer.normalize(adjective)] = ArabicNormalizer.normalize(place)
        }
        self.placeAdjectives = table
        self.adjectiveTable = UTF8WordTable(table)
        self.keyLexicon = keyLexicon
        self.keyTables = KeyTables(keyLexicon)
    }

    /// The first word of a mention as written, without the proclitic letters the key lexicon reads in it
    /// ("بسوريا" → "سوريا", "فرانس" unchanged). Marks written on removed letters go with them.
    public func nameWithoutProclitics(_ written: String) -> String {
        let letters = keyLexicon.procliticLetters(ofNormalizedWord: ArabicNormalizer.normalize(written))
        return ArabicClitics.dropLeadingLetters(written, count: letters)
    }

    /// The key form of a mention's normalised first word.
    func firstWordKey(_ word: String) -> String {
        if let listed = keyTables.procliticLetters[word] {
            return String(String.UnicodeScalarView(word.unicodeScalars.dropFirst(listed)))
        }
        let letters = ArabicClitics.nameProcliticLetters(Array(word.unicodeScalars))
        return EntityCanonicalizer.foldCliticsBeforeArticle(String(String.UnicodeScalarView(word.unicodeScalars.dropFirst(letters))))
    }

    private static let bundledTable: [String: String] = (try? bundledPlaceAdjectives()) ?? [:]
    private static let bundledAdjectiveTable = UTF8WordTable(bundledTable)

    /// Reads `gazetteer-place-adjectives.txt` from the package resources (lines `adjective<TAB>place`).
    public static func bundledPlaceAdjectives() throws -> [String: String] {
        let data = try EntityRecognizer.bundledResource("gazetteer-place-adjectives", "txt")
        return try parsePlaceAdjectives(String(decoding: data, as: UTF8.self))
    }

    /// Parses `adjective<TAB>place` lines (`#` comments, blank lines allowed); both sides normalised.
    public static func parsePlaceAdjectives(_ text: String) throws(Gazetteer.FormatError) -> [String: String] {
        var table: [String: String] = [:]
        for (i, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: "\t")
            guard fields.count == 2 else {
                throw Gazetteer.FormatError(line: i + 1, reason: "expected adjective<TAB>place, found \"\(trimmed)\"")
            }
            table[ArabicNormalizer.normalize(String(fields[0]))] = ArabicNormalizer.normalize(String(fields[1]))
        }
        return table
    }

    /// Normalised words that describe an organisation without being part of its name.
    static let organizationDescriptors: Set<String> = ["حركه", "جماعه", "تنظيم", "ميليشيا", "ميليشيات"]

    /// The key of an entity mention (written form, one-letter clitics already removed).
    public func key(for text: String, type: EntityType) -> String {
        let normalized = ArabicNormalizer.normalize(text).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard let first = normalized.first else { return "" }
        var words = [firstWordKey(String(first))] + normalized.dropFirst().map { EntityCanonicalizer.foldCliticsBeforeArticle(String($0)) }
        if type == .organization {
            while words.count > 1, EntityCanonicalizer.organizationDescriptors.contains(words[0]) {
                words.removeFirst()
            }
        }
        if type == .location, words.count == 1, let place = place(ofAdjective: words[0]) {
            return place
        }
        return words.joined(separator: " ")
    }

    /// The place named by an adjective form ("المصريه", "مصري", "المصريون", "المصريين"), if listed: the word
    /// without "ال" (when more than two letters remain), then without "ه" after "ي", or "ون", "ين", "ات" after "ي".
    func place(ofAdjective word: String) -> String? {
        guard !adjectiveTable.isEmpty else { return nil }
        var word = word
        return word.withUTF8 { bytes -> String? in
            var w = bytes[...]
            if w.starts(with: UTF8Text.arabicArticle) && UTF8Text.scalarCount(w) > 4 {
                w = w.dropFirst(UTF8Text.arabicArticle.count)
            }
            if let place = adjectiveTable[bytes: w] { return place }
            // The endings exclude each other: at most one applies.
            for ending in EntityCanonicalizer.adjectiveEndings where UTF8Text.hasSuffix(w, ending.bytes) {
                return adjectiveTable[bytes: w.dropLast(ending.dropped)]
            }
            return nil
        }
    }

    /// The endings `place(ofAdjective:)` removes, as UTF-8, with how many of their bytes go (the "ي" stays).
    private static let adjectiveEndings: [(bytes: [UInt8], dropped: Int)] = ["يه", "يون", "يين", "يات"].map {
        (Array($0.utf8), $0.utf8.count - "ي".utf8.count)
    }

    /// "وبالقاهره" → "القاهره", "للقاهره" → "القاهره": conjunction and preposition letters before the article go.
    static func foldCliticsBeforeArticle(_ word: String) -> String {
        let s = Array(word.unicodeScalars)
        var i = 0
        if i < s.count, s[i] == "\u{0648}" || s[i] == "\u{0641}" { i += 1 }  // و ف
        // لل + at least two letters: ل + ال with the alef dropped.
        if s.count - i >= 4, s[i] == "\u{0644}", s[i + 1] == "\u{0644}" {
            return "ال" + String(Substring(word.unicodeScalars.dropFirst(i + 2)))
        }
        if i < s.count, s[i] == "\u{0628}" || s[i] == "\u{0643}" || s[i] == "\u{0644}" { i += 1 }  // ب ك ل
        if i > 0, s.count - i >= 4, s[i] == "\u{0627}", s[i + 1] == "\u{0644}" {
            return String(Substring(word.unicodeScalars.dropFirst(i)))
        }
        return word
    }

    /// Gives each mention its canonical key and counts mentions per key. Entities are in order of first mention.
    public func canonicalize(_ mentions: [EntityMention]) -> (mentions: [EntityMention], entities: [CanonicalEntity]) {
        var mentions = mentions
        var keys = mentions.map { CanonicalText.nfc(key(for: $0.text, type: $0.type)) }
        // A key without a letter (a lone `#` or `_` the recognizer took for a name) names nothing.
        let kept = keys.indices.filter {
            keys[$0].unicodeScalars.contains(where: \.properties.isAlphabetic)
                && !NonEntityWords.isCurrencyOrUnit(key: keys[$0])
        }
        if kept.count < keys.count {
            mentions = kept.map { mentions[$0] }
            keys = kept.map { keys[$0] }
        }
        // Persons: the corpus alias table first; a key it resolves is settled.
        var settled = [Bool](repeating: false, count: keys.count)
        for i in keys.indices where mentions[i].type == .person {
            if let full = keyTables.personAliases[keys[i]] {
                keys[i] = full
                settled[i] = true
            }
        }
        // Then a key that is the word-ending of exactly one longer person key of the article takes that key.
        let personKeys = Set(zip(mentions, keys).filter { $0.0.type == .person }.map { $0.1 })
        let longer = personKeys.filter { $0.utf8.contains(0x20) }.sorted()
        for i in keys.indices where mentions[i].type == .person && !settled[i] {
            let k = keys[i]
            let full = longer.filter { $0 != k && $0.hasSuffix(" " + k) }
            if full.count == 1 { keys[i] = full[0] }
        }
        var order: [String] = []
        var byKey: [String: CanonicalEntity] = [:]
        /// How often each variant whose normalised form is its key was written, per key.
        var nameCounts: [String: [String: Int]] = [:]
        var out = mentions
        for i in out.indices {
            let k = keys[i]
            let text = out[i].text
            out[i].canonical = k
            if ArabicNormalizer.normalize(text) == k { nameCounts[k, default: [:]][text, default: 0] += 1 }
            if var e = byKey[k] {
                e.mentions += 1
                if !e.variants.contains(text) { e.variants.append(text) }
                byKey[k] = e
            } else {
                order.append(k)
                byKey[k] = CanonicalEntity(key: k, type: out[i].type, mentions: 1, variants: [text])
            }
        }
        return (out, order.compactMap { k in
            guard var entity = byKey[k] else { return nil }
            let counts = nameCounts[k] ?? [:]
            // Variants are in order of first appearance, so the first of the most frequent wins a tie.
            if let best = counts.values.max(), let name = entity.variants.first(where: { counts[$0] == best }) {
                entity.name = name
            }
            return entity
        })
    }
}
