import DispatcherJournal
import Foundation
import MirsadWire
import Testing
@testable import mirsad

/// The benchmark's workloads at a small size: every job goes where the workload says, and the report adds up.
@Suite struct JournalBenchmarkTests {
    @Test func lifecycleTakesEveryJobToStored() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("journal.sqlite").path
        let jobs = (0..<300).map { JournalBenchmark.syntheticJob(index: $0, batchID: "bench", articleBytes: 512) }
        let report = try JournalBenchmark.lifecycle(
            jobs: jobs, path: path, options: SQLiteJobJournal.Options(synchronous: .normal), insertChunk: 64)
        #expect(report.phases.map(\.name) == ["insert", "take", "mark awaiting store", "mark stored"])
        #expect(report.phases.allSatisfy { $0.operations == 300 && $0.seconds > 0 })
        #expect(report.phase("insert")?.commits == 300 / 64 + 1)
        #expect(report.phase("take")?.commits == 300 / 32 + 2)  // the last chunk, then the empty take
        #expect(report.reopenedJobs == 300)
        let reopened = try SQLiteJobJournal(path: path)
        #expect(reopened.recovered().batches["bench"]?.stored == 300)
        #expect(report.fileBytes > 0)
        // Both read (Linux has /proc). Not compared: the kernel's VmHWM includes the current RSS, which it sums from
        // per-CPU counters that lag, so a later reading can be a few pages lower than an earlier one.
        #expect((report.peakResidentBytesBefore ?? 0) > 0 && (report.peakResidentBytesAfter ?? 0) > 0)
        #expect(report.description.contains("mark stored: 300 ops"))
    }

    @Test func queuedTakesOnlyWhatWasAskedAndKeepsTheRestQueued() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("journal.sqlite").path
        let report = try JournalBenchmark.queued(
            count: 1_000, articleBytes: 256, take: 70, path: path, options: SQLiteJobJournal.Options(synchronous: .normal))
        #expect(report.phase("insert")?.operations == 1_000)
        #expect(report.phase("take")?.operations == 70)
        #expect(report.reopenedJobs == 1_000)
        let taken = try SQLiteJobJournal(path: path).takeQueued(limit: 1)
        #expect(taken.map(\.job.jobID) == ["bench:0"])
        #expect(taken.map(\.dispatches) == [2], "a job taken by the benchmark was not counted as dispatched")
    }

    @Test func syntheticJobsHaveTheAskedSizeAndDistinctIDs() {
        let a = JournalBenchmark.syntheticJob(index: 1, batchID: "b", articleBytes: 1024)
        let b = JournalBenchmark.syntheticJob(index: 2, batchID: "b", articleBytes: 1024)
        #expect(a.jobID != b.jobID)
        #expect(a.article.metadata.id != b.article.metadata.id)
        #expect((1000...1024).contains(a.article.text.utf8.count))
    }
}
