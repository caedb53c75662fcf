import ArticleAnalysis
import Foundation
import Testing
@testable import ReportStore

/// Keys that differ only in how an accent is encoded are one key in the store, in memory and in its tables alike.
@Suite struct CanonicalKeyTests {
    typealias A = StoreTestArticles
    static let composed = "\u{C9}lys\u{E9}e"
    static let decomposed = "E\u{301}lyse\u{301}e"

    @Test(arguments: [
        "", "Macron", "\u{C9}lys\u{E9}e", "E\u{301}lyse\u{301}e", "فلاديمير بوتين", "مُحَمَّد", "محمّد", "مّ\u{64E}",
        "ا\u{654}", "ا\u{653}", "\u{1E9B}\u{323}", "한국", "\u{212B}",
    ])
    func theQuickCheckNeverPassesTextThatNFCChanges(text: String) {
        let nfc = text.precomposedStringWithCanonicalMapping
        if CanonicalText.isNFC(text) { #expect(Array(text.unicodeScalars) == Array(nfc.unicodeScalars)) }
        #expect(Array(CanonicalText.nfc(text).unicodeScalars) == Array(nfc.unicodeScalars))
    }

    @Test func theQuickCheckPassesPlainAndArabicText() {
        #expect(CanonicalText.isNFC("Macron, \u{C9}lys\u{E9}e"))
        #expect(CanonicalText.isNFC("فلاديمير بوتين"))
        #expect(!CanonicalText.isNFC(Self.decomposed))
    }

    /// In one commit (the sums kept in memory) and across commits (rows already in the tables).
    @Test(arguments: [true, false])
    func oneEntityWhicheverEncodingAPageUsed(oneCommit: Bool) throws {
        #expect(Self.composed == Self.decomposed && Array(Self.composed.utf8) != Array(Self.decomposed.utf8))
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("s.sqlite").path)
        let results = [
            A.result(job: "j1", article: "a1", analysis: A.analysis(
                text: "نص اول", entities: [(Self.composed, .location, 2)], topics: [Self.composed], speakers: [Self.composed])),
            A.result(job: "j2", article: "a2", analysis: A.analysis(
                text: "نص ثان", entities: [(Self.decomposed, .location, 3)], topics: [Self.decomposed], speakers: [Self.decomposed])),
        ]
        if oneCommit {
            _ = try store.store(results)
        } else {
            for result in results { _ = try store.store([result]) }
        }
        try AggregateCheck.expectConsistent(store)
        let top = try store.topEntities(limit: 5, type: nil)
        #expect(top.count == 1)
        #expect(top.first?.articles == 2 && top.first?.mentions == 5)
        #expect(top.first.map { Array($0.key.utf8) } == Array(Self.composed.utf8))
        #expect(try store.summary(ReportFilter(entity: Self.decomposed)).articles == 2)
        #expect(try store.summary(ReportFilter(topic: Self.decomposed)).articles == 2)
    }
}
