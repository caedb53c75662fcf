import ArticleAnalysis
import Testing
@testable import ReportStore

/// Reports list co-occurring pairs in one order whatever order they were counted in: by articles, then the first
/// entity's key and type, then the second's.
@Suite struct EntityPairOrderTests {
    private func pair(_ a: String, _ aType: EntityType, _ b: String, _ bType: EntityType, _ articles: Int) -> EntityPair {
        EntityPair(a: EntityRef(key: a, name: a, type: aType), b: EntityRef(key: b, name: b, type: bType), articles: articles)
    }

    @Test func pairsOfOneKeyUnderTwoTypesHaveOneOrder() {
        let expected = [
            pair("اليمن", .location, "الحوثي", .organization, 3),
            pair("اليمن", .location, "ميليشيا الحوثي", .miscellaneous, 2),
            pair("اليمن", .location, "ميليشيا الحوثي", .person, 2),
            pair("صنعاء", .location, "ميليشيا الحوثي", .person, 2),
            pair("هادي", .person, "اليمن", .location, 1),
            pair("هادي", .organization, "اليمن", .location, 1),
        ].sorted(by: EntityPair.precedesInReports)
        #expect(expected.map(\.articles) == [3, 2, 2, 2, 1, 1])
        #expect(expected[1].b.type.rawValue < expected[2].b.type.rawValue)
        #expect(expected[4].a.type.rawValue < expected[5].a.type.rawValue)
        for _ in 0..<20 {
            #expect(expected.shuffled().sorted(by: EntityPair.precedesInReports) == expected)
        }
    }
}
