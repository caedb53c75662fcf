import Foundation
import MirsadCore
import MirsadWire
import Testing
@testable import DispatcherJournal

extension OpenedJournal {
    func takeQueued(ofBatch batchID: String, limit: Int) -> [JournalJob] { journal.takeQueued(ofBatch: batchID, limit: limit) }
    func setPriority(_ priority: Int, ofBatch batchID: String) { journal.setPriority(priority, ofBatch: batchID) }
    func markAwaitingStore(_ jobID: String, storeDeadline: UnixTime?) {
        journal.markAwaitingStore(jobID, storeDeadline: storeDeadline)
    }
    func requeueOverdueAwaitingStore(now: UnixTime) -> [JournalJobRef] { journal.requeueOverdueAwaitingStore(now: now) }
}

/// The parts of the journal that fair dispatch and the store deadline use, on every implementation alike.
extension JournalConformanceTests {
    private func withFresh(_ implementation: JournalImplementation, _ body: (OpenedJournal) throws -> Void) throws {
        let opened = try implementation.open(clock: ManualWallClock(Self.start))
        defer { opened.close() }
        try body(opened)
    }

    private func fairJob(_ id: String) -> Mirsad_V1_Job {
        .with {
            $0.jobID = id
            $0.batchID = String(id.prefix { $0 != ":" })
            $0.article.metadata.id = "article-\(id)"
            $0.article.text = "نص الخبر"
        }
    }

    @Test(arguments: JournalImplementation.allCases)
    func takeQueuedOfABatchTakesOnlyItsJobsInTheirFirstQueuedOrder(_ implementation: JournalImplementation) throws {
        try withFresh(implementation) { j in
            for id in ["a:0", "b:0", "a:1", "b:1", "a:2", "b:2", "a:3"] { #expect(j.insert(fairJob(id))) }
            let first = j.takeQueued(ofBatch: "a", limit: 2)
            #expect(first.map(\.job.jobID) == ["a:0", "a:1"])
            #expect(first.allSatisfy { $0.dispatches == 1 && $0.failures == 0 })
            #expect(j.takeQueued(ofBatch: "b", limit: 1).map(\.job.jobID) == ["b:0"])
            // A job taken back keeps its place in its batch.
            j.requeue("a:0")
            #expect(j.takeQueued(ofBatch: "a", limit: 2).map(\.job.jobID) == ["a:0", "a:2"])
            #expect(j.takeQueued(ofBatch: "a", limit: 5).map(\.job.jobID) == ["a:3"])
            #expect(j.takeQueued(ofBatch: "a", limit: 5).isEmpty)
            #expect(j.takeQueued(ofBatch: "nope", limit: 5).isEmpty)
            // The batch-blind take sees what is left, in first-queued order.
            #expect(j.takeQueued(limit: 10).map(\.job.jobID) == ["b:1", "b:2"])
            try j.commit()
            let recovered = try j.committedAndRecovered()
            #expect(recovered.batches["a"]?.queued == 4, "in flight at close: queued again")
        }
    }

    @Test(arguments: JournalImplementation.allCases)
    func aBatchsPriorityIsRecoveredAndZeroIsTheDefault(_ implementation: JournalImplementation) throws {
        try withFresh(implementation) { j in
            for id in ["a:0", "b:0", "c:0"] { #expect(j.insert(fairJob(id))) }
            j.setPriority(3, ofBatch: "a")
            j.setPriority(-1, ofBatch: "b")
            j.setPriority(7, ofBatch: "c")
            j.setPriority(0, ofBatch: "c")
            let first = try j.committedAndRecovered().priorities
            #expect(first == ["a": 3, "b": -1])
            j.setPriority(4, ofBatch: "a")
            let second = try j.committedAndRecovered().priorities
            #expect(second == ["a": 4, "b": -1])
        }
    }

    @Test(arguments: JournalImplementation.allCases)
    func aJobAwaitingStorePastItsDeadlineIsQueuedAgainWithItsArticle(_ implementation: JournalImplementation) throws {
        try withFresh(implementation) { j in
            for id in ["b:0", "b:1", "b:2"] { #expect(j.insert(fairJob(id))) }
            let taken = j.takeQueued(limit: 3)
            #expect(taken.count == 3)
            let deadline = UnixTime(milliseconds: Self.start.milliseconds + 60_000)
            j.markAwaitingStore("b:0", storeDeadline: deadline)
            j.markAwaitingStore("b:1", storeDeadline: UnixTime(milliseconds: deadline.milliseconds + 1))
            j.markAwaitingStore("b:2", storeDeadline: nil)
            #expect(j.requeueOverdueAwaitingStore(now: UnixTime(milliseconds: deadline.milliseconds - 1)).isEmpty)
            try j.commit()
            // Deadlines survive a restart; a job with none is never requeued.
            try j.reopen()
            let overdue = j.requeueOverdueAwaitingStore(now: deadline)
            #expect(overdue == [JournalJobRef(jobID: "b:0", batchID: "b")])
            let again = j.takeQueued(ofBatch: "b", limit: 5)
            #expect(again.map(\.job.jobID) == ["b:0"])
            #expect(again.first?.job == taken.first?.job, "the article comes back as it was first sent")
            #expect(again.first?.dispatches == 2)
            // A STORED that came before the deadline leaves nothing to requeue.
            #expect(j.markStored("b:1")?.previous == .awaitingStore)
            #expect(j.requeueOverdueAwaitingStore(now: UnixTime(milliseconds: deadline.milliseconds + 10_000)).isEmpty)
            let recovered = try j.committedAndRecovered()
            #expect(recovered.batches["b"]?.awaitingStore == 1)
        }
    }
}
