import Testing
@testable import ArticleAnalysis

@Suite struct EntityCanonicalizerTests {
    let canonicalizer = EntityCanonicalizer()

    func mention(_ text: String, _ type: EntityType, at start: Int = 0) -> EntityMention {
        EntityMention(type: type, text: text, canonical: "", span: TextSpan(start: start, end: start + text.utf8.count))
    }

    @Test func organisationDescriptorsAreDropped() {
        #expect(canonicalizer.key(for: "حركة حماس", type: .organization) == canonicalizer.key(for: "حماس", type: .organization))
        #expect(canonicalizer.key(for: "تنظيم داعش", type: .organization) == "داعش")
        // Part of the name, kept.
        #expect(canonicalizer.key(for: "حزب الله", type: .organization) == "حزب الله")
        #expect(canonicalizer.key(for: "حركة", type: .organization) == "حركه")
    }

    @Test func placeAdjectivesBecomeThePlace() {
        let egypt = canonicalizer.key(for: "مصر", type: .location)
        #expect(egypt == "مصر")
        for form in ["المصرية", "المصري", "مصري", "المصريون", "المصريين", "مصرية"] {
            #expect(canonicalizer.key(for: form, type: .location) == egypt, "\(form)")
        }
        #expect(canonicalizer.key(for: "الأمريكية", type: .location) == canonicalizer.key(for: "الولايات المتحدة", type: .location))
        // Only for places: an organisation keeps its adjective.
        #expect(canonicalizer.key(for: "المصرية", type: .organization) == "المصريه")
    }

    @Test func cliticAndSpellingVariantsShareAKey() {
        let cairo = canonicalizer.key(for: "القاهرة", type: .location)
        #expect(canonicalizer.key(for: "للقاهرة", type: .location) == cairo)
        #expect(canonicalizer.key(for: "وبالقاهرة", type: .location) == cairo)
        #expect(canonicalizer.key(for: "القاهره", type: .location) == cairo)
        #expect(canonicalizer.key(for: "إسرائيل", type: .location) == canonicalizer.key(for: "اسرائيل", type: .location))
        // A name that merely starts with those letters keeps them.
        #expect(canonicalizer.key(for: "لبنان", type: .location) == "لبنان")
        #expect(canonicalizer.key(for: "باريس", type: .location) == "باريس")
    }

    @Test func surnameOnlyMentionsJoinTheFullName() {
        let (mentions, entities) = canonicalizer.canonicalize([
            mention("باسكال كونفافرو", .person, at: 0),
            mention("كونفافرو", .person, at: 40),
            mention("حماس", .organization, at: 60),
            mention("حركة حماس", .organization, at: 80),
        ])
        #expect(mentions[0].canonical == mentions[1].canonical)
        #expect(mentions[2].canonical == mentions[3].canonical)
        #expect(entities.count == 2)
        #expect(entities[0].mentions == 2)
        #expect(entities[0].variants == ["باسكال كونفافرو", "كونفافرو"])
        #expect(entities[1].variants == ["حماس", "حركة حماس"])
    }

    @Test func aKeyWithoutALetterIsNoEntity() {
        let (mentions, entities) = canonicalizer.canonicalize([
            mention("#", .location, at: 0), mention("غزة", .location, at: 4), mention("_", .organization, at: 12),
            mention("#غزة", .location, at: 20), mention("2018", .miscellaneous, at: 30),
        ])
        #expect(mentions.map(\.text) == ["غزة", "#غزة"])
        #expect(entities.count == 2)
        #expect(!entities.contains { $0.key == "#" || $0.key == "_" || $0.key == "2018" })
    }

    @Test func ambiguousSurnamesStayApart() {
        let (mentions, entities) = canonicalizer.canonicalize([
            mention("محمد درويش", .person), mention("محمود درويش", .person), mention("درويش", .person),
        ])
        #expect(Set(mentions.map(\.canonical)).count == 3)
        #expect(entities.map(\.mentions) == [1, 1, 1])
    }

    @Test func keysAreStableAcrossArticles() {
        let a = canonicalizer.canonicalize([mention("المصرية", .location), mention("مصر", .location)])
        let b = canonicalizer.canonicalize([mention("بمصر", .location)].map { var m = $0; m.text = "مصر"; return m })
        #expect(a.entities.count == 1)
        #expect(a.entities[0].mentions == 2)
        #expect(a.entities[0].key == b.entities[0].key)
    }

    @Test func adjectiveTableLoadsAndNamesBadLines() throws {
        #expect(try EntityCanonicalizer.bundledPlaceAdjectives().count > 50)
        #expect(throws: Gazetteer.FormatError.self) { try EntityCanonicalizer.parsePlaceAdjectives("مصري مصر\n") }
    }
}

/// Keys in NFC: a name written with combining accents has the key of its precomposed spelling.
@Suite struct EntityKeyNormalizationFormTests {
    @Test func combiningAccentsGiveThePrecomposedKey() {
        let composed = "\u{C9}lys\u{E9}e", decomposed = "E\u{301}lyse\u{301}e"
        let mentions = [decomposed, composed, decomposed].enumerated().map { i, text in
            EntityMention(type: .location, text: text, canonical: text, span: TextSpan(start: i * 10, end: i * 10 + 6))
        }
        let (keyed, entities) = EntityCanonicalizer().canonicalize(mentions)
        #expect(entities.count == 1)
        #expect(entities.first?.mentions == 3)
        #expect(entities.first.map { Array($0.key.unicodeScalars) } == Array(composed.unicodeScalars))
        #expect(keyed.allSatisfy { Array($0.canonical.unicodeScalars) == Array(composed.unicodeScalars) })
    }
}
