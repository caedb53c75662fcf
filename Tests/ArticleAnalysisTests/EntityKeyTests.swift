import Foundation
import Testing
@testable import ArticleAnalysis
import TestSupport

/// Entity keys are names: no letter of a name is lost, no proclitic is kept, one person is one key, and
/// currencies and units are not entities.
@Suite(.offTheCooperativePool) struct EntityKeyTests {
    let canonicalizer = EntityCanonicalizer()

    func mention(_ text: String, _ type: EntityType, at start: Int = 0) -> EntityMention {
        EntityMention(type: type, text: text, canonical: "", span: TextSpan(start: start, end: start + text.utf8.count))
    }

    @Test(arguments: [
        ("فرانس برس", EntityType.organization, "فرانس برس"),
        ("فلاديمير بوتين", .person, "فلاديمير بوتين"),
        ("فيفا", .organization, "فيفا"),
        ("فيصل المقداد", .person, "فيصل المقداد"),
        ("وليد جنبلاط", .person, "وليد جنبلاط"),
        ("واشنطن", .location, "واشنطن"),
        ("لبنان", .location, "لبنان"),
        ("لإير فرانس", .organization, "اير فرانس"),
        ("بسوريا", .location, "سوريا"),
        ("لإسرائيل", .location, "اسرائيل"),
        ("وألمانيا", .location, "المانيا"),
        ("للقاهرة", .location, "القاهره"),
    ])
    func keysKeepTheNameAndDropItsProclitics(text: String, type: EntityType, key: String) {
        #expect(canonicalizer.key(for: text, type: type) == key)
    }

    @Test func mentionTextsLoseProcliticsOnly() {
        #expect(canonicalizer.nameWithoutProclitics("فرانس") == "فرانس")
        #expect(canonicalizer.nameWithoutProclitics("فلاديمير") == "فلاديمير")
        #expect(canonicalizer.nameWithoutProclitics("بسوريا") == "سوريا")
        #expect(canonicalizer.nameWithoutProclitics("وبالقاهرة") == "القاهرة")
    }

    @Test func onePersonIsOneKeyAcrossArticles() {
        let keys = [["بوتين"], ["بوتن"], ["فلاديمير بوتين"], ["فلاديمير بوتن"]].map { texts in
            canonicalizer.canonicalize(texts.map { mention($0, .person) }).entities.map(\.key)
        }
        #expect(Set(keys.flatMap { $0 }) == ["فلاديمير بوتين"])
    }

    @Test func aSurnameNeverJoinsAnotherPerson() {
        let (mentions, _) = canonicalizer.canonicalize([
            mention("ميلانيا ترامب", .person, at: 0), mention("ترامب", .person, at: 40),
        ])
        #expect(mentions[0].canonical == "ميلانيا ترامب")
        #expect(mentions[1].canonical == "دونالد ترامب")
        // A surname the table does not know still joins the one full name of the article.
        let (others, _) = canonicalizer.canonicalize([
            mention("باسكال كونفافرو", .person, at: 0), mention("كونفافرو", .person, at: 40),
        ])
        #expect(others[0].canonical == others[1].canonical)
    }

    @Test func currenciesAndUnitsAreNotEntities() {
        let (mentions, entities) = canonicalizer.canonicalize([
            mention("دولار", .miscellaneous), mention("الدولار الأمريكي", .miscellaneous), mention("يورو", .miscellaneous),
            mention("كيلومتر", .miscellaneous), mention("الليرة التركية", .miscellaneous), mention("ريال مدريد", .organization),
        ])
        #expect(mentions.map(\.text) == ["ريال مدريد"])
        #expect(entities.map(\.key) == ["ريال مدريد"])
    }

    @Test func theLexiconReadsWhatItWrites() throws {
        let lexicon = EntityKeyLexicon(procliticLetters: ["بسوريا": 1, "وليد": 0], personAliases: ["بوتين": "فلاديمير بوتين"])
        #expect(try EntityKeyLexicon(text: lexicon.text()) == lexicon)
        #expect(throws: EntityKeyLexicon.FormatError.self) { try EntityKeyLexicon(text: "P\tبسوريا\t3\n") }
        #expect(try EntityKeyLexicon.bundled().personAliases.count > 100)
    }

    @Test func theBuilderLearnsFromCounts() {
        var builder = EntityKeyLexicon.Builder(names: ["فرانس", "سوريا", "فلاديمير", "بوتين"], givenNames: ["فلاديمير", "ميلانيا", "دونالد"])
        builder.minimumFullNameCount = 3
        builder.minimumVariantCount = 2
        for _ in 0..<10 { builder.add(text: "قال فلاديمير بوتين في سوريا. وكالة فرانس برس، دونالد ترامب") }
        builder.add(text: "زار بسوريا ميلانيا ترامب وفلاديمير بوتن")
        builder.add(text: "في بسوريا فلاديمير بوتن")
        let lexicon = builder.build()
        #expect(lexicon.procliticLetters(ofNormalizedWord: "بسوريا") == 1)
        #expect(lexicon.procliticLetters(ofNormalizedWord: "فرانس") == 0)
        #expect(lexicon.personAliases["بوتين"] == "فلاديمير بوتين")
        #expect(lexicon.personAliases["بوتن"] == "فلاديمير بوتين")
        #expect(lexicon.personAliases["ترامب"] == "دونالد ترامب")
    }

    @Test func aliasesNeedTheGivenNameToBeMostlyThatName() {
        var builder = EntityKeyLexicon.Builder(names: [], givenNames: ["دونالد", "ترامب", "رجب", "طيب", "منصور", "هادي"])
        builder.minimumFullNameCount = 3
        for _ in 0..<20 { builder.add(text: "قال دونالد ترامب") }
        for _ in 0..<200 { builder.add(text: "ترامب في") }
        // 5 of ترامب's 225 occurrences (2%): a word after a surname, not a surname after a given name.
        for _ in 0..<5 { builder.add(text: "حملة ترامب الانتخابي") }
        for _ in 0..<10 { builder.add(text: "الرئيس رجب طيب اردوغان") }
        // هادي is منصور's half the time, but العامري follows it only a quarter of the time: two people.
        for _ in 0..<10 { builder.add(text: "الرئيس منصور هادي") }
        for _ in 0..<5 { builder.add(text: "زعيم هادي العامري") }
        for _ in 0..<5 { builder.add(text: "هادي قال") }
        let lexicon = builder.build()
        #expect(lexicon.personAliases["ترامب"] == "دونالد ترامب")
        #expect(lexicon.personAliases["الانتخابي"] == nil)
        #expect(lexicon.personAliases["اردوغان"] == "رجب طيب اردوغان")
        #expect(lexicon.personAliases["العامري"] == "هادي العامري")
    }

    /// The properties over the ANT sample, end to end through the analyzer. The oracle is independent of the key
    /// lexicon: the raw name lists of ../shared/data/gazetteers. `Benchmarks/keys/check.py` prints the same counts
    /// for any `mirsad analyze --json` output.
    @Test(.needsSharedData) func propertiesHoldOverTheAntSample() throws {
        guard let shared = SharedData.require() else { return }
        let folder = shared.appendingPathComponent("data/gazetteers")
        var names = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".txt") && !file.hasPrefix("LICENSE") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for word in text.split(whereSeparator: { $0 == "\n" || $0 == " " }) { names.insert(ArabicNormalizer.normalize(String(word))) }
        }
        func restIsName(_ w: [Unicode.Scalar]) -> Bool {
            var rests = [Array(w.dropFirst())]
            if (w[0] == "و" || w[0] == "ف") && w.count > 2 && "بلك".unicodeScalars.contains(w[1]) { rests.append(Array(w.dropFirst(2))) }
            return rests.contains { $0.count >= 2 && names.contains(String(String.UnicodeScalarView($0))) }
        }
        var mentions = 0, eaten = 0, kept = 0, currency = 0, trumpAsAnother = 0
        var putinKeys = Set<String>()
        for article in SharedData.antSample {
            let a = SharedData.analyzer.analyze(article.article)
            let bytes = Array(a.cleanText.utf8)
            for m in a.entities {
                mentions += 1
                // Letters of the same written word before the mention were cut off it.
                var k = m.span.start
                while k > 0, bytes[k - 1] >= 0x80 { k -= 1 }
                let cut = String(decoding: bytes[k..<m.span.start], as: UTF8.self)
                let first = m.text.split(separator: " ").first.map(String.init) ?? ""
                if !cut.isEmpty, cut.unicodeScalars.allSatisfy({ ArabicNormalizer.isArabicLetter($0) || ArabicNormalizer.isDiacriticOrTatweel($0) }),
                   names.contains(ArabicNormalizer.normalize(cut + first)), !names.contains(ArabicNormalizer.normalize(first)) {
                    eaten += 1
                }
                let w = Array((m.canonical.split(separator: " ").first.map(String.init) ?? "").unicodeScalars)
                if w.count >= 3, "وفبلك".unicodeScalars.contains(w[0]), !names.contains(String(String.UnicodeScalarView(w))), restIsName(w) {
                    kept += 1
                }
                if NonEntityWords.isCurrencyOrUnit(key: m.canonical) { currency += 1 }
                if m.type == .person {
                    if m.canonical.hasSuffix("بوتين") || m.canonical.hasSuffix("بوتن") { putinKeys.insert(m.canonical) }
                    if ArabicNormalizer.normalize(m.text) == "ترامب" && m.canonical != "دونالد ترامب" { trumpAsAnother += 1 }
                }
            }
        }
        #expect(mentions > 5000)
        #expect(eaten == 0)
        // The oracle's own false alarms ("بايرن" is not listed, "ايرن" is) and rare words the corpus saw once: 57 of
        // 9,890 mentions with the shipped recognizer.
        #expect(kept * 100 <= mentions, "\(kept) keys of \(mentions) mentions keep a proclitic")
        #expect(currency == 0)
        #expect(putinKeys == ["فلاديمير بوتين"])
        #expect(trumpAsAnother == 0)
    }
}
