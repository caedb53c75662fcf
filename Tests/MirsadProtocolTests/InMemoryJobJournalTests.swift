import Testing
@testable import MirsadCore

/// The in-memory journal keeps the semantics the SQLite journal has: queue order, state changes, dead-letter order.
@Suite struct InMemoryJobJournalTests {
    static func journal(_ ids: [String], clock: UnixTime = UnixTime(milliseconds: 1_000)) -> InMemoryJobJournal {
        var journal = InMemoryJobJournal(clock: { clock })
        for id in ids {
            let batch = String(id.prefix { $0 != ":" })
            let inserted = journal.insert(SampleValues.job(batch: batch, index: Int(id.split(separator: ":")[1])!))
            #expect(inserted)
        }
        return journal
    }

    @Test func insertIsIdempotentAndRecordsTheSubmissionTime() {
        var journal = Self.journal(["b:0"], clock: UnixTime(milliseconds: 42))
        let again = journal.insert(SampleValues.job(batch: "b", index: 0))
        #expect(!again)
        let taken = journal.takeQueued(limit: 5)
        #expect(taken.map(\.job.jobID) == ["b:0"])
        #expect(taken.first?.submitted == UnixTime(milliseconds: 42) && taken.first?.dispatches == 1 && taken.first?.failures == 0)
        #expect(journal.state(of: "b:0") == .inFlight)
    }

    @Test func jobsComeOutInTheOrderTheyWereFirstQueuedWhateverHappensMeanwhile() {
        var journal = Self.journal((0..<6).map { "b:\($0)" })
        let first = journal.takeQueued(limit: 4).map(\.job.jobID)
        #expect(first == ["b:0", "b:1", "b:2", "b:3"])
        journal.requeue("b:2")
        journal.scheduleRetry("b:1", failures: 1, notBefore: UnixTime(milliseconds: 500), error: "e", workerID: "w")
        let early = journal.promoteDueRetries(now: UnixTime(milliseconds: 499))
        let due = journal.promoteDueRetries(now: UnixTime(milliseconds: 500))
        #expect(early.isEmpty)
        #expect(due == [JournalJobRef(jobID: "b:1", batchID: "b")])
        let second = journal.takeQueued(limit: 10)
        #expect(second.map(\.job.jobID) == ["b:1", "b:2", "b:4", "b:5"])
        #expect(second.first?.failures == 1 && second.first?.dispatches == 2)
        #expect(journal.recovered().redispatches == 2)
    }

    @Test func storedFromEveryStateReportsTheStateItLeft() {
        var journal = Self.journal((0..<6).map { "b:\($0)" })
        _ = journal.takeQueued(limit: 5)
        journal.scheduleRetry("b:1", failures: 1, notBefore: UnixTime(milliseconds: 9), error: "e", workerID: "w")
        journal.markAwaitingStore("b:2")
        journal.deadLetter("b:3", failures: 5, error: "e", workerID: "w", at: UnixTime(milliseconds: 7))
        // Awaiting store keeps the article, so a job whose STORED is overdue can run again; dead keeps it too.
        #expect(journal.keepsArticle(of: "b:2") && journal.keepsArticle(of: "b:3"))
        let previous = ["b:0", "b:1", "b:2", "b:3", "b:5"].map { journal.markStored($0)?.previous }
        #expect(previous == [.inFlight, .retrying, .awaitingStore, .failed, .queued])
        let twice = journal.markStored("b:0"), unknown = journal.markStored("x:0")
        #expect(twice == nil, "already stored")
        #expect(unknown == nil, "unknown")
        #expect(!journal.keepsArticle(of: "b:0"))
        // Stale queue and retry entries of stored jobs are skipped.
        let promoted = journal.promoteDueRetries(now: UnixTime(milliseconds: 100))
        let taken = journal.takeQueued(limit: 10)
        #expect(promoted.isEmpty && taken.isEmpty)
        #expect(journal.countsByBatch()["b"]?.stored == 5 && journal.countsByBatch()["b"]?.inFlight == 1)
    }

    @Test func deadLettersAreListedInUTF8JobIDOrderAndRetriedInQueueOrder() {
        var journal = Self.journal(["b:2", "b:10", "b:1", "c:0", "é:0"])
        for job in journal.takeQueued(limit: 10) {
            journal.deadLetter(job.job.jobID, failures: 3, error: "x", workerID: "w", at: UnixTime(milliseconds: 1))
        }
        #expect(journal.deadLetters(batchID: nil, afterJobID: nil, limit: 10).map(\.jobID) == ["b:1", "b:10", "b:2", "c:0", "é:0"])
        #expect(journal.deadLetters(batchID: nil, afterJobID: "b:10", limit: 2).map(\.jobID) == ["b:2", "c:0"])
        #expect(journal.deadLetters(batchID: "b", afterJobID: nil, limit: 10).count == 3)
        let listed = journal.retryDeadLetters(jobIDs: ["c:0", "zz:1"], batchID: nil)
        #expect(listed == [JournalJobRef(jobID: "c:0", batchID: "c")])
        #expect(journal.failures(of: "c:0") == 0)
        let ofBatch = journal.retryDeadLetters(jobIDs: nil, batchID: "b")
        #expect(ofBatch.map(\.jobID) == ["b:2", "b:10", "b:1"])
        let taken = journal.takeQueued(limit: 10)
        #expect(taken.map(\.job.jobID) == ["b:2", "b:10", "b:1", "c:0"])
        #expect(journal.deadLetters(batchID: nil, afterJobID: nil, limit: 10).map(\.jobID) == ["é:0"])
    }

    @Test func reopeningQueuesTheJobsThatWereInFlight() {
        var journal = Self.journal((0..<3).map { "b:\($0)" })
        _ = journal.takeQueued(limit: 2)
        journal.markAwaitingStore("b:0")
        var reopened = journal.reopened()
        let counts = reopened.recovered().batches["b"]
        #expect(counts?.queued == 2 && counts?.awaitingStore == 1 && counts?.inFlight == 0)
        let taken = reopened.takeQueued(limit: 5)
        #expect(taken.map(\.job.jobID) == ["b:1", "b:2"])
    }

    struct InjectedFailure: Error, Sendable {}

    @Test func anInjectedFailureIsThrownByTheNextCommitOnly() throws {
        var journal = InMemoryJobJournal()
        try journal.commit()
        journal.failureOnNextCommit = InjectedFailure()
        #expect(throws: InjectedFailure.self) { try journal.commit() }
        try journal.commit()
        #expect(journal.description == "memory")
    }
}

@Suite struct RetryBackoffTests {
    @Test func theCeilingDoublesFromTheBaseUpToTheMaximum() {
        let backoff = RetryBackoff(base: .nanoseconds(1_000), maximum: .nanoseconds(10_000), seed: 1)
        #expect((1...6).map { backoff.ceiling(afterFailures: $0) }
            == [1_000, 2_000, 4_000, 8_000, 10_000, 10_000].map { Duration.nanoseconds($0) })
        #expect(backoff.ceiling(afterFailures: 200) == .nanoseconds(10_000), "no overflow however many failures")
        let largest = Duration.nanoseconds(Int64.max)
        #expect(RetryBackoff(base: .nanoseconds(Int64.max / 2), maximum: largest, seed: 1).ceiling(afterFailures: 3) == largest)
    }

    @Test func delaysLieBetweenHalfTheCeilingAndTheCeilingAndSpreadOut() {
        var backoff = RetryBackoff(base: .milliseconds(1), maximum: .milliseconds(60), seed: 7)
        for failures in 1...8 {
            let ceiling = backoff.ceiling(afterFailures: failures)
            let delays = (0..<200).map { _ in backoff.delay(afterFailures: failures) }
            #expect(delays.allSatisfy { (ceiling / 2...ceiling).contains($0) })
            #expect(Set(delays).count > 100, "jitter spreads jobs that failed together")
        }
    }

    @Test func oneSeedGivesOneSequence() {
        var a = RetryBackoff(base: .seconds(1), maximum: .seconds(60), seed: 99)
        var b = RetryBackoff(base: .seconds(1), maximum: .seconds(60), seed: 99)
        var c = RetryBackoff(base: .seconds(1), maximum: .seconds(60), seed: 100)
        let sa = (1...20).map { a.delay(afterFailures: $0 % 5 + 1) }
        #expect(sa == (1...20).map { b.delay(afterFailures: $0 % 5 + 1) })
        #expect(sa != (1...20).map { c.delay(afterFailures: $0 % 5 + 1) })
    }
}
