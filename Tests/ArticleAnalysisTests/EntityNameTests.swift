import Testing
@testable import ArticleAnalysis

/// Canonical entities carry a readable name beside their normalised key.
struct EntityNameTests {
    private func mention(_ text: String, _ type: EntityType) -> EntityMention {
        EntityMention(type: type, text: text, canonical: "", span: TextSpan(start: 0, end: 1))
    }

    @Test func nameIsTheMostWrittenVariantWhoseNormalFormIsTheKey() {
        let (_, entities) = EntityCanonicalizer().canonicalize([
            mention("القاهرة", .location), mention("القاهرة", .location), mention("القاهره", .location),
        ])
        guard let cairo = entities.first else { Issue.record("no entity"); return }
        #expect(cairo.key == "القاهره")
        #expect(cairo.name == "القاهرة")
        #expect(cairo.mentions == 3)
    }

    @Test func aKeyReachedOnlyThroughAnotherFormIsItsOwnName() {
        let (_, entities) = EntityCanonicalizer(placeAdjectives: ["مصري": "مصر"]).canonicalize([mention("المصرية", .location)])
        #expect(entities.map(\.key) == ["مصر"])
        #expect(entities.map(\.name) == ["مصر"])
    }

    @Test func theSeedsNamesReadAsWritten() {
        let text = "وقال باسكال كونفافرو، المتحدث باسم وزارة الخارجية الفرنسية، في مؤتمر صحفي بباريس إن القاهرة تعمل مع غزة."
        let analysis = ArticleAnalyzer().analyze(Article(id: "s", content: .text(text)))
        let names = Set(analysis.canonicalEntities.map(\.name))
        #expect(names.contains("باسكال كونفافرو"))
        #expect(names.contains("القاهرة"))
        #expect(names.contains("باريس"))
    }
}
