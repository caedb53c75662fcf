import Testing
@testable import ArticleAnalysis

@Suite struct NERGazetteerTests {
    @Test func matchesByBaseFormLongestFirst() throws {
        let g = try Gazetteer(text: "# places\nLOC\tالولايات المتحدة\nLOC\tالقاهرة\nORG\tالأمم المتحدة\n\nGIVEN\tمحمد\n")
        #expect(g.count == 4)
        let matches = g.matches(in: ["وفي", "بالقاهرة", "قالت", "الولايات", "المتحدة", "وللأمم", "المتحدة"])
        #expect(matches.map(\.start) == [1, 3, 5])
        #expect(matches.map(\.end) == [2, 5, 7])
        #expect(matches[0].categories == 1 << UInt32(Gazetteer.Category.location.rawValue))
        #expect(matches[2].categories == 1 << UInt32(Gazetteer.Category.organization.rawValue))
    }

    @Test func badLinesAreNamed() {
        do {
            _ = try Gazetteer(text: "LOC\tمصر\nPLACE\tغزة\n")
            Issue.record("an unknown category was accepted")
        } catch {
            #expect(error.line == 2)
            #expect(error.reason.contains("PLACE"))
        }
        #expect(throws: Gazetteer.FormatError.self) { try Gazetteer(text: "LOC مصر") }
    }

    @Test func bundledGazetteerLoads() throws {
        let g = try EntityRecognizer.bundledGazetteer()
        #expect(g.count > 300)
        #expect(!g.matches(in: ["شينخوا"]).isEmpty)
    }

    @Test func ruleLayerAddsOnlyWhereTheModelSawNothing() {
        let matches = [
            Gazetteer.Match(start: 0, end: 1, categories: 1 << UInt32(Gazetteer.Category.location.rawValue)),
            Gazetteer.Match(start: 2, end: 4, categories: 1 << UInt32(Gazetteer.Category.organization.rawValue)),
            Gazetteer.Match(start: 4, end: 5, categories: 1 << UInt32(Gazetteer.Category.givenName.rawValue)),
        ]
        let tags: [NERTag] = [.outside, .outside, .begin(.person), .outside, .outside]
        var spans = TokenEntitySpan.spans(of: tags)
        EntityRecognizer.addGazetteerNames(matches, to: &spans, tags: tags)
        #expect(spans == [TokenEntitySpan(type: .location, start: 0, end: 1), TokenEntitySpan(type: .person, start: 2, end: 3)])
    }
}
