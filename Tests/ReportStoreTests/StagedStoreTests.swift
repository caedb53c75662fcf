import ArticleAnalysis
import Foundation
import GRDB
import Synchronization
import Testing
@testable import ReportStore
import TestSupport

/// A store that stages: results committed to its inbox, indexed later. Every committed result is counted and
/// found at once, reports catch up when indexed, and no order of commits, indexing, crashes and reopening stores
/// a result twice or loses one.
@Suite(.offTheCooperativePool) struct StagedStoreTests {
    static func articles(_ range: Range<Int>, prefix: String = "") -> [StoredResult] {
        let names: [(String, EntityType)] = [("غزه", .location), ("حماس", .organization), ("ترامب", .person),
                                             ("مصر", .location), ("نتنياهو", .person), ("الناتو", .organization)]
        return range.map { i in
            let entities = (0..<3).map { k in
                let (name, type) = names[(i + k * 2) % names.count]
                return (name, type, 1 + (i + k) % 4)
            }
            let analysis = StoreTestArticles.analysis(
                text: "نص الخبر رقم \(i) عن \(entities.map(\.0).joined(separator: " و"))", entities: entities,
                topics: [["politics", "war", "economy"][i % 3]], speakers: i % 2 == 0 ? ["الوزير"] : [], named: i % 3,
                anonymous: i % 2)
            return StoredResult(
                jobID: "\(prefix)job-\(i)", batchID: i % 2 == 0 ? "even" : "odd",
                article: ArticleMetadata(id: "article-\(i)", source: ["BBC", "CNN"][i % 2], title: "عنوان \(i)",
                                         published: "2018-10-0\(1 + i % 5)T10:00:00+00:00"),
                outcome: i % 10 == 9 ? .failed(reason: "timed out") : .analysed(analysis), workerID: "w",
                analysedAt: Date(timeIntervalSince1970: 1_700_000_000))
        }
    }

    static func inboxRows(_ store: SQLiteReportStore) throws -> Int {
        try store.inbox!.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inbox") ?? -1 }
    }

    @Test func resultsAreCountedAtOnceAndReportedOnceIndexedAsAnInlineStoreReportsThem() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let inline = try SQLiteReportStore(path: directory.appendingPathComponent("inline.sqlite").path)
        let staged = try SQLiteReportStore(
            path: directory.appendingPathComponent("staged.sqlite").path, options: .init(stagesResults: true))
        let results = Self.articles(0..<120)
        for chunk in stride(from: 0, to: results.count, by: 25) {
            let part = Array(results[chunk..<min(chunk + 25, results.count)])
            #expect(try inline.store(part) == staged.store(part))
        }
        #expect(try staged.count() == inline.count())
        #expect(try staged.batchCounts(batchID: "odd") == inline.batchCounts(batchID: "odd"))
        #expect(try staged.contains(jobID: "job-7") && staged.result(jobID: "job-7") == inline.result(jobID: "job-7"))
        #expect(try staged.notYetIndexed() == 120)
        #expect(try staged.summary(ReportFilter()).articles == 0)

        #expect(try staged.indexPending(limit: 50) == (50, 0))
        #expect(try staged.notYetIndexed() == 70)
        #expect(try staged.count() == inline.count(), "counted once while partly indexed")
        var leftAfterEachBatch: [Int] = []
        #expect(try staged.indexAllReadingAhead(batch: 30) {
            leftAfterEachBatch.append((try? staged.notYetIndexed()) ?? -1)
        } == 70)
        #expect(leftAfterEachBatch == [40, 10, 0])
        #expect(try staged.notYetIndexed() == 0)

        #expect(try staged.count() == inline.count())
        #expect(try staged.overview(ReportFilter()) == inline.overview(ReportFilter()))
        #expect(try staged.topEntities(limit: 10, type: nil) == inline.topEntities(limit: 10, type: nil))
        try AggregateCheck.expectConsistent(staged)
        // The moved rows leave the inbox with the next commit.
        #expect(try Self.inboxRows(staged) == 120)
        _ = try staged.store([])
        #expect(try Self.inboxRows(staged) == 120, "an empty commit writes nothing")
        _ = try staged.store(Self.articles(120..<121))
        #expect(try Self.inboxRows(staged) == 1)
    }

    @Test func aJobIsADuplicateWhetherItWaitsInTheInboxOrWasIndexedAndRemovedFromIt() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(
            path: directory.appendingPathComponent("s.sqlite").path, options: .init(stagesResults: true))
        let results = Self.articles(0..<4)
        #expect(try store.store([results[0], results[1], results[0]])
                == StoreOutcome(inserted: ["job-0", "job-1"], duplicates: ["job-0"]))
        #expect(try store.store([results[1]]) == StoreOutcome(inserted: [], duplicates: ["job-1"]), "waiting in the inbox")
        try store.indexAll()
        _ = try store.store([results[2]])
        #expect(try Self.inboxRows(store) == 1, "moved rows deleted")
        #expect(try store.store([results[0], results[3]]) == StoreOutcome(inserted: ["job-3"], duplicates: ["job-0"]),
                "indexed and gone from the inbox")
        #expect(try store.count() == StoreCounts(analysed: 4, failed: 0))
        try store.indexAll()
        #expect(try store.summary(ReportFilter()).results == 4)
    }

    @Test func aCrashBetweenIndexingAndDeletingLeavesEachResultCountedOnce() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("s.sqlite").path
        do {
            let store = try SQLiteReportStore(path: path, options: .init(stagesResults: true))
            _ = try store.store(Self.articles(0..<30))
            #expect(try store.indexPending(limit: 20) == (20, 0))
            // The process ends here: 20 rows are in the store and still in the inbox.
        }
        // Reopened without asking to stage: the inbox exists, so the store stages.
        let store = try SQLiteReportStore(path: path)
        #expect(store.inbox != nil)
        #expect(try Self.inboxRows(store) == 30)
        #expect(try store.count() == StoreCounts(analysed: 27, failed: 3))
        #expect(try store.notYetIndexed() == 10)
        #expect(try store.store(Self.articles(5..<6)) == StoreOutcome(inserted: [], duplicates: ["job-5"]))
        #expect(try Self.inboxRows(store) == 10)
        #expect(try store.indexAll() == 10)
        #expect(try store.count() == StoreCounts(analysed: 27, failed: 3))
        #expect(try store.summary(ReportFilter()).results == 30)
        try AggregateCheck.expectConsistent(store)
    }

    @Test func noticesLiveInTheInboxAndThoseOfAStoreThatDidNotStageMoveThereInOrder() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("s.sqlite").path
        do {
            let inline = try SQLiteReportStore(path: path)
            _ = try inline.store(Self.articles(0..<3))
            try inline.confirmNotices(["job-1"])
        }
        let store = try SQLiteReportStore(path: path, options: .init(stagesResults: true))
        #expect(try store.pendingNotices(limit: 10) == ["job-0", "job-2"])
        #expect(try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stored_notices") } == 0)
        _ = try store.store(Self.articles(3..<5), confirmingNotices: ["job-0"])
        #expect(try store.pendingNotices(limit: 10) == ["job-2", "job-3", "job-4"])
        #expect(try store.store(Self.articles(1..<2)) == StoreOutcome(inserted: [], duplicates: ["job-1"]),
                "stored before the store staged")
        #expect(try store.pendingNotices(limit: 10) == ["job-2", "job-3", "job-4", "job-1"])
        try store.indexAll()
        #expect(try store.count() == StoreCounts(analysed: 5, failed: 0))
    }

    /// An inbox made by the first version (two indexes) loses its second on opening; what waits in it is still
    /// counted, by status and by batch, from the index that remains, without reading a row.
    @Test func aFirstVersionInboxKeepsOneIndexAndCountsFromIt() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("s.sqlite").path
        do {
            let old = try DatabaseQueue(path: ResultInbox.path(forStore: path))
            try ResultInbox.migrator.migrate(old, upTo: "v1: inbox, stored_notices")
            #expect(try old.read { try $0.indexes(on: "inbox").map(\.name).contains("inbox_pending") })
        }
        let store = try SQLiteReportStore(path: path, options: .init(stagesResults: true))
        let indexes = try store.inbox!.pool.read { try $0.indexes(on: "inbox").map(\.name) }
        #expect(indexes.contains("inbox_batch") && !indexes.contains("inbox_pending"))
        _ = try store.store(Self.articles(0..<20))
        #expect(try store.notYetIndexed() == 20)
        #expect(try store.count() == StoreCounts(analysed: 18, failed: 2))
        #expect(try store.batchCounts(batchID: "odd") == StoreCounts(analysed: 8, failed: 2))
        let plan = try store.inbox!.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT status, COUNT(*) FROM \(ResultInbox.countingSource) WHERE seq > 0 GROUP BY status")
                .map { $0["detail"] as String }.joined(separator: "; ")
        }
        #expect(plan.contains("COVERING INDEX inbox_batch"), "\(plan)")
    }

    /// Two indexers on two connections (a collector's and `mirsad run`'s, at its end) take the write lock in turn,
    /// each reading where the other stopped: every result is indexed exactly once, and the aggregates are those of
    /// an inline store.
    @Test func indexingBesideAnotherIndexerMovesEveryResultOnce() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let (store, other, inline) = try Self.stagedBesideInline(in: directory)
        let movedByOther = Self.indexingInTheBackground(other)
        let movedHere = try store.indexAll(batch: 20)
        #expect(movedHere + movedByOther() == 600, "\(movedHere) here")
        try Self.expectIndexed(store, as: inline)
    }

    /// Reading the next batch ahead while one is written (`indexAllReadingAhead`, `mirsad run` once its collector
    /// stopped) indexes exactly what `indexAll` does; beside another indexer, a batch read ahead of rows the other
    /// moved meanwhile is read again, so every result is still indexed exactly once.
    @Test(arguments: [false, true])
    func readingAheadIndexesEveryResultOnce(besideAnotherIndexer: Bool) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let (store, other, inline) = try Self.stagedBesideInline(in: directory)
        let movedByOther = besideAnotherIndexer ? Self.indexingInTheBackground(other) : { 0 }
        var batches = 0
        let movedHere = try store.indexAllReadingAhead(batch: 20) { batches += 1 }
        #expect(movedHere + movedByOther() == 600, "\(movedHere) here")
        if !besideAnotherIndexer { #expect(batches == 30) }
        try Self.expectIndexed(store, as: inline)
    }

    /// A staging store holding 600 committed results, a second connection to it (another indexer's), and an inline
    /// store given the same results.
    private static func stagedBesideInline(
        in directory: URL
    ) throws -> (store: SQLiteReportStore, other: SQLiteReportStore, inline: SQLiteReportStore) {
        let path = directory.appendingPathComponent("s.sqlite").path
        let store = try SQLiteReportStore(path: path, options: .init(stagesResults: true))
        let other = try SQLiteReportStore(path: path, options: .init(stagesResults: true))
        let inline = try SQLiteReportStore(path: directory.appendingPathComponent("inline.sqlite").path)
        let results = Self.articles(0..<600)
        for chunk in stride(from: 0, to: results.count, by: 50) {
            let part = Array(results[chunk..<chunk + 50])
            _ = try store.store(part)
            _ = try inline.store(part)
        }
        return (store, other, inline)
    }

    /// Indexes `store` in batches of 7 on a thread of its own until nothing waits; the closure returned waits for
    /// it and says how many results it moved.
    private static func indexingInTheBackground(_ store: SQLiteReportStore) -> () -> Int {
        let moved = Mutex(0)
        let done = DispatchSemaphore(value: 0)
        Thread {
            while let (n, _) = try? store.indexPending(limit: 7), n > 0 { moved.withLock { $0 += n } }
            done.signal()
        }.start()
        return {
            done.wait()
            return moved.withLock { $0 }
        }
    }

    /// Nothing waits in `store`, and its reports and aggregates are those of `inline`.
    private static func expectIndexed(_ store: SQLiteReportStore, as inline: SQLiteReportStore) throws {
        #expect(try store.notYetIndexed() == 0)
        #expect(try store.overview(ReportFilter()) == inline.overview(ReportFilter()))
        #expect(try store.topEntities(limit: 10, type: nil) == inline.topEntities(limit: 10, type: nil))
        try AggregateCheck.expectConsistent(store)
    }

    /// A read-ahead indexer stops when its `afterBatch` throws, the batches written before indexed and the rest left
    /// waiting.
    @Test func readingAheadStopsWhenAskedBetweenBatches() throws {
        struct Enough: Error {}
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(
            path: directory.appendingPathComponent("s.sqlite").path, options: .init(stagesResults: true))
        _ = try store.store(Self.articles(0..<100))
        var batches = 0
        #expect(throws: Enough.self) {
            try store.indexAllReadingAhead(batch: 30) {
                batches += 1
                if batches == 2 { throw Enough() }
            }
        }
        #expect(try store.notYetIndexed() == 40)
        // Of the 60 results written, every tenth is a failed job, not an article.
        let articles = try store.summary(ReportFilter()).articles
        #expect(articles == 54, "\(articles)")
    }

    /// The inbox's log is copied into its file by the indexer, after a batch, once `resultsBetweenLogCopies` results
    /// were committed since its last copy; not by the committing writer, whose own copy waits for a much longer log.
    @Test func theIndexerCopiesTheInboxLogIntoItsFile() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("s.sqlite").path
        let store = try SQLiteReportStore(path: path, options: .init(stagesResults: true))
        let total = ResultInbox.resultsBetweenLogCopies + 76
        let results = Self.articles(0..<total)
        func commit(_ range: Range<Int>) throws {
            for chunk in stride(from: range.lowerBound, to: range.upperBound, by: 100) {
                _ = try store.store(Array(results[chunk..<min(chunk + 100, range.upperBound)]))
            }
        }
        func fileBytes() throws -> Int {
            try FileManager.default.attributesOfItem(atPath: ResultInbox.path(forStore: path))[.size] as? Int ?? -1
        }
        try commit(0..<500)
        let committed = try fileBytes()
        #expect(try store.indexPending(limit: 100) == (100, 0))
        #expect(try fileBytes() == committed, "fewer results committed than a copy waits for: the rows are in the log only")
        try commit(500..<total)
        #expect(try store.indexPending(limit: 100) == (100, 0))
        let copied = try fileBytes()
        #expect(copied > committed + 100 * 4096, "the rows were copied from the log: \(committed) -> \(copied) bytes")
        #expect(try store.indexAll(batch: 256) == total - 200)
        #expect(try store.count().analysed + store.count().failed == total)
    }

    @Test func theSpaceABacklogTookIsGivenBackAsItDrains() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(
            path: directory.appendingPathComponent("s.sqlite").path, options: .init(stagesResults: true))
        let long = String(repeating: "نص طويل ", count: 800)
        let results = Self.articles(0..<800).map { result -> StoredResult in
            var copy = result
            copy.article.title = long
            return copy
        }
        for chunk in stride(from: 0, to: results.count, by: 100) { _ = try store.store(Array(results[chunk..<(chunk + 100)])) }
        func pages() throws -> (total: Int, free: Int) {
            try store.inbox!.pool.read { db in
                (try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0, try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
            }
        }
        let peak = try pages().total
        #expect(peak > 2 * ResultInbox.freePagesKept, "a backlog of \(peak) pages")
        try store.indexAll()
        _ = try store.store(Self.articles(800..<801))
        _ = try store.store(Self.articles(801..<802))
        let drained = try pages()
        #expect(drained.free <= ResultInbox.freePagesKept)
        #expect(drained.total < peak - ResultInbox.freePagesKept, "\(drained.total) pages left of \(peak)")
    }

    /// Without another commit, idle tidying deletes the rows indexed after the last commit and gives their space
    /// back, to the file itself once the log is copied.
    @Test func anIdleInboxGivesBackItsRowsAndSpace() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("s.sqlite").path
        let store = try SQLiteReportStore(path: path, options: .init(stagesResults: true))
        let results = Self.articles(0..<600)
        for chunk in stride(from: 0, to: results.count, by: 100) { _ = try store.store(Array(results[chunk..<(chunk + 100)])) }
        let inbox = try #require(store.inbox)
        try inbox.copyLogIntoFile()
        func fileBytes() throws -> Int {
            try FileManager.default.attributesOfItem(atPath: ResultInbox.path(forStore: path))[.size] as? Int ?? -1
        }
        let full = try fileBytes()
        #expect(try store.tidyWhileIdle() == false, "nothing indexed yet: no row to delete")
        #expect(try inbox.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM inbox") } == 600)
        #expect(try store.indexAll() == 600)
        #expect(try inbox.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM inbox") } == 600,
                "the rows wait for the collector's next commit")
        var steps = 0
        while try store.tidyWhileIdle() { steps += 1 }
        #expect(steps < 100)
        #expect(try inbox.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM inbox") } == 0)
        #expect(try inbox.pool.read { try Int.fetchOne($0, sql: "PRAGMA freelist_count") } == 0)
        let tidied = try fileBytes()
        #expect(tidied < full / 4, "the file went from \(full) to \(tidied) bytes")
        #expect(try store.tidyWhileIdle() == false)
        #expect(try store.count().analysed + store.count().failed == 600)
        #expect(try store.summary(ReportFilter()).articles == 540)
    }

    /// Commits, two indexers and readers at once: every count read lies between the results committed before it
    /// began and those committed when it ended, and at the end everything is indexed once.
    @Test func commitsIndexersAndCountsAtOnce() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(
            path: directory.appendingPathComponent("s.sqlite").path, options: .init(stagesResults: true))
        let total = 400
        let committed = Atomic<Int>(0)
        let done = Atomic<Bool>(false)
        let violations = Mutex<[String]>([])
        let writer = Thread {
            var next = 0
            while next < total {
                let part = Self.articles(next..<min(next + 17, total))
                // Every other commit repeats the last result of the one before.
                let repeated = next > 0 && next % 34 == 0 ? Self.articles((next - 1)..<next) : []
                if (try? store.store(part + repeated)) == nil {
                    violations.withLock { $0.append("a commit failed") }
                    break
                }
                next += part.count
                committed.store(next, ordering: .sequentiallyConsistent)
            }
            done.store(true, ordering: .sequentiallyConsistent)
        }
        let indexers = (0..<2).map { _ in
            Thread {
                while !done.load(ordering: .sequentiallyConsistent) {
                    guard let indexed = try? store.indexPending(limit: 23) else {
                        violations.withLock { $0.append("indexing failed") }
                        continue
                    }
                    // Nothing waiting: yield the core to the writer, as the collector's indexer does.
                    if indexed.moved + indexed.skipped == 0 { Thread.sleep(forTimeInterval: 0.002) }
                }
            }
        }
        writer.start()
        indexers.forEach { $0.start() }
        while !done.load(ordering: .sequentiallyConsistent) {
            let before = committed.load(ordering: .sequentiallyConsistent)
            let counted = try store.count().total
            let after = committed.load(ordering: .sequentiallyConsistent)
            if counted < before || counted > after + 17 {
                violations.withLock { $0.append("counted \(counted) between \(before) and \(after)") }
            }
            Thread.sleep(forTimeInterval: 0.001)
        }
        Thread.sleep(forTimeInterval: 0.2)
        try store.indexAll()
        #expect(violations.withLock { $0 }.isEmpty, "\(violations.withLock { $0.prefix(5) })")
        #expect(try store.count().total == total)
        #expect(try store.summary(ReportFilter()).results == total)
        #expect(try store.notYetIndexed() == 0)
        try AggregateCheck.expectConsistent(store)
    }
}
