import ArticleAnalysis
import Foundation
import Testing
@testable import ReportStore

/// Behaviour every `ReportStore` conformer must have, checked on each of them.
@Suite struct ReportStoreBehaviourTests {
    @Test(arguments: StoreKind.allCases)
    func storingTheSameJobTwiceKeepsOneRowAndReportsTheDuplicate(kind: StoreKind) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try kind.make(in: directory)

        let first = try store.store([Fixtures.result("job-1"), Fixtures.result("job-2")])
        #expect(first == StoreOutcome(inserted: ["job-1", "job-2"], duplicates: []))

        var changed = Fixtures.result("job-1", batch: "other-batch")
        changed.workerID = "another-worker"
        let second = try store.store([changed, Fixtures.result("job-3")])
        #expect(second == StoreOutcome(inserted: ["job-3"], duplicates: ["job-1"]))
        #expect(try store.count().total == 3)
        #expect(try store.result(jobID: "job-1")?.workerID == "worker-7", "the first write wins")
    }

    @Test(arguments: StoreKind.allCases)
    func aJobRepeatedInOneCallIsStoredOnce(kind: StoreKind) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try kind.make(in: directory)
        let outcome = try store.store([Fixtures.result("a"), Fixtures.result("b"), Fixtures.result("a")])
        #expect(outcome == StoreOutcome(inserted: ["a", "b"], duplicates: ["a"]))
        #expect(try store.count().total == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func anAnalysisComesBackWithoutItsTokens(kind: StoreKind) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try kind.make(in: directory)
        let original = Fixtures.analysis(entities: [("حماس", .organization, 3)], words: 25)
        let result = Fixtures.result("job-rt", analysis: original)
        _ = try store.store([result])

        let readBack = try #require(try store.result(jobID: "job-rt"))
        #expect(readBack == result)
        #expect(readBack.tokenCount == 25)
        var expected = original
        expected.tokens = []
        #expect(readBack.analysis == expected)
        #expect(readBack.analysis?.fingerprint.simhash == 0xF000_0000_0000_0001)
        #expect(readBack.submittedAt == Date(timeIntervalSince1970: 1_700_000_000.123))
        #expect(try store.result(jobID: "unknown") == nil)
        #expect(try store.contains(jobID: "job-rt"))
        #expect(try !store.contains(jobID: "unknown"))
    }

    @Test(arguments: StoreKind.allCases)
    func aFailedJobKeepsItsReason(kind: StoreKind) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try kind.make(in: directory)
        _ = try store.store([Fixtures.result("bad", analysis: nil)])
        let readBack = try #require(try store.result(jobID: "bad"))
        #expect(readBack.failureReason == "analysis timed out")
        #expect(readBack.analysis == nil)
        #expect(readBack.tokenCount == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func countsSplitByStatusAndBatch(kind: StoreKind) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try kind.make(in: directory)
        _ = try store.store([
            Fixtures.result("1", batch: "A"), Fixtures.result("2", batch: "A"),
            Fixtures.result("3", batch: "A", analysis: nil), Fixtures.result("4", batch: "B"),
            Fixtures.result("5", batch: "B", analysis: nil), Fixtures.result("6", batch: "B", analysis: nil),
        ])
        #expect(try store.count() == StoreCounts(analysed: 3, failed: 3))
        #expect(try store.count().total == 6)
        #expect(try store.batchCounts(batchID: "A") == StoreCounts(analysed: 2, failed: 1))
        #expect(try store.batchCounts(batchID: "B") == StoreCounts(analysed: 1, failed: 2))
        #expect(try store.batchCounts(batchID: "none") == StoreCounts(analysed: 0, failed: 0))
    }

    @Test(arguments: StoreKind.allCases)
    func topEntitiesAddUpMentionsAcrossArticles(kind: StoreKind) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try kind.make(in: directory)
        _ = try store.store([
            Fixtures.result("1", analysis: Fixtures.analysis(entities: [
                ("حماس", .organization, 2), ("غزة", .location, 5), ("ترامب", .person, 1),
            ])),
            Fixtures.result("2", analysis: Fixtures.analysis(entities: [
                ("حماس", .organization, 4), ("ترامب", .person, 1),
            ])),
            Fixtures.result("3", analysis: Fixtures.analysis(entities: [("غزة", .location, 1)])),
            Fixtures.result("4", analysis: nil),
        ])
        if case .sqliteStaged = kind { #expect(try store.topEntities(limit: 10, type: nil).isEmpty, "not yet indexed") }
        let top = try kind.indexed(store).topEntities(limit: 10, type: nil)
        #expect(top == [
            EntityCount(key: "حماس", type: .organization, mentions: 6, articles: 2),
            EntityCount(key: "غزة", type: .location, mentions: 6, articles: 2),
            EntityCount(key: "ترامب", type: .person, mentions: 2, articles: 2),
        ])
        #expect(try store.topEntities(limit: 1, type: nil).map(\.key) == ["حماس"])
        #expect(try store.topEntities(limit: 10, type: .person).map(\.key) == ["ترامب"])
        #expect(try store.topEntities(limit: 10, type: .miscellaneous).isEmpty)
        #expect(throws: ReportStoreError.self) { try store.topEntities(limit: -1, type: nil) }
    }

    @Test(arguments: StoreKind.allCases)
    func storingNothingChangesNothing(kind: StoreKind) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try kind.make(in: directory)
        #expect(try store.store([]) == StoreOutcome())
        #expect(try store.count().total == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func everyStoredJobGetsANoticeUntilItIsConfirmed(kind: StoreKind) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try kind.make(in: directory)
        #expect(try store.pendingNotices(limit: 10).isEmpty)

        _ = try store.store([Fixtures.result("n-1"), Fixtures.result("n-2"), Fixtures.result("n-3")])
        #expect(try store.pendingNotices(limit: 10) == ["n-1", "n-2", "n-3"])
        #expect(try store.pendingNotices(limit: 2) == ["n-1", "n-2"], "oldest first, at most `limit`")
        #expect(try store.pendingNotices(limit: 0).isEmpty)

        try store.confirmNotices(["n-1", "n-3"])
        #expect(try store.pendingNotices(limit: 10) == ["n-2"])
        #expect(try store.count().total == 3, "confirming a notice keeps the result")
    }

    @Test(arguments: StoreKind.allCases)
    func duplicatesGetANoticeTooAndAPendingNoticeKeepsItsPlace(kind: StoreKind) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try kind.make(in: directory)
        _ = try store.store([Fixtures.result("d-1"), Fixtures.result("d-2")])
        try store.confirmNotices(["d-1", "d-2"])
        #expect(try store.pendingNotices(limit: 10).isEmpty)

        // d-1 is stored already: its notice comes back (the dispatcher may have missed the first STORED).
        let outcome = try store.store([Fixtures.result("d-3"), Fixtures.result("d-1")])
        #expect(outcome == StoreOutcome(inserted: ["d-3"], duplicates: ["d-1"]))
        #expect(try store.pendingNotices(limit: 10) == ["d-3", "d-1"])

        // Storing a job whose notice is pending, or repeating it in one call, adds no second notice and keeps order.
        _ = try store.store([Fixtures.result("d-3"), Fixtures.result("d-4"), Fixtures.result("d-4")])
        #expect(try store.pendingNotices(limit: 10) == ["d-3", "d-1", "d-4"])
    }

    @Test(arguments: StoreKind.allCases)
    func confirmingUnknownOrNoNoticesChangesNothing(kind: StoreKind) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try kind.make(in: directory)
        _ = try store.store([Fixtures.result("u-1")])
        try store.confirmNotices([])
        try store.confirmNotices(["never-stored", "also-unknown"])
        #expect(try store.pendingNotices(limit: 10) == ["u-1"])
        #expect {
            try store.pendingNotices(limit: -1)
        } throws: { error in
            guard case ReportStoreError.invalidArgument(let message) = error else { return false }
            return message.contains("-1")
        }
    }
}
