import DispatcherJournal
import Foundation
import MirsadCore
import MirsadWire

/// Measures `SQLiteJobJournal` the way the dispatcher uses it: chunks of changes, a commit after each.
///
/// Two workloads: `lifecycle` takes every job through insert, take, awaiting store and stored (throughput), and
/// `queued` fills the queue with many jobs and takes a few (memory stays bounded, whatever the queue's length).
enum JournalBenchmark {
    /// One kind of operation, timed over all its chunks and their commits.
    struct Phase: Sendable, Codable, Equatable {
        var name: String
        var operations: Int
        var commits: Int
        var seconds: Double
        var operationsPerSecond: Double

        init(name: String, operations: Int, commits: Int, seconds: Double) {
            self.name = name
            self.operations = operations
            self.commits = commits
            self.seconds = seconds
            operationsPerSecond = seconds > 0 ? Double(operations) / seconds : 0
        }
    }

    struct Report: Sendable, Codable, CustomStringConvertible {
        var workload: String
        var jobs: Int
        var synchronous: String
        var phases: [Phase]
        /// Seconds to open the journal again afterwards (its count at open and recovery).
        var reopenSeconds: Double
        /// The counts found by that reopen.
        var reopenedJobs: Int
        /// The database file and its WAL, in bytes, after the run.
        var fileBytes: Int64
        /// The process's peak resident set (VmHWM) before and after the run, in bytes; nil where /proc is missing.
        var peakResidentBytesBefore: Int?
        var peakResidentBytesAfter: Int?

        func phase(_ name: String) -> Phase? { phases.first { $0.name == name } }

        var description: String {
            var lines = ["journal benchmark (\(workload)): \(jobs) jobs, synchronous \(synchronous)"]
            for phase in phases {
                lines.append(String(
                    format: "  %@: %d ops, %d commits in %.3f s: %.0f ops/s", phase.name, phase.operations,
                    phase.commits, phase.seconds, phase.operationsPerSecond))
            }
            lines.append(String(format: "  reopen: %d jobs counted in %.3f s", reopenedJobs, reopenSeconds))
            lines.append("  file: \(fileBytes / 1024) KiB (database + WAL)")
            if let before = peakResidentBytesBefore, let after = peakResidentBytesAfter {
                lines.append("  peak RSS (VmHWM): \(before / 1024) KiB before, \(after / 1024) KiB after")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Inserts `jobs` in chunks of `insertChunk`, takes them all in chunks of `takeChunk`, marks them awaiting store,
    /// then stored (chunks of `takeChunk`), committing after every chunk, and reopens the journal.
    /// The file at `path` (and its WAL) is replaced.
    static func lifecycle(
        jobs: some Sequence<Mirsad_V1_Job>, path: String, options: SQLiteJobJournal.Options = .init(),
        insertChunk: Int = 256, takeChunk: Int = 32
    ) throws -> Report {
        removeDatabase(at: path)
        let before = peakResidentBytes()
        var journal: SQLiteJobJournal? = try SQLiteJobJournal(path: path, options: options)
        var phases: [Phase] = []
        var inserted = 0
        phases.append(try timed("insert") { commits in
            inserted = try insert(jobs, into: journal!, chunk: insertChunk, commits: &commits)
            return inserted
        })
        var taken: [String] = []
        taken.reserveCapacity(inserted)
        phases.append(try timed("take") { commits in
            while true {
                let chunk = journal!.takeQueued(limit: takeChunk)
                try journal!.commit()
                commits += 1
                if chunk.isEmpty { break }
                taken.append(contentsOf: chunk.lazy.map(\.job.jobID))
            }
            return taken.count
        })
        phases.append(try timed("mark awaiting store") { commits in
            for start in stride(from: 0, to: taken.count, by: takeChunk) {
                for jobID in taken[start..<min(start + takeChunk, taken.count)] { journal!.markAwaitingStore(jobID) }
                try journal!.commit()
                commits += 1
            }
            return taken.count
        })
        phases.append(try timed("mark stored") { commits in
            for start in stride(from: 0, to: taken.count, by: takeChunk) {
                for jobID in taken[start..<min(start + takeChunk, taken.count)] { _ = journal!.markStored(jobID) }
                try journal!.commit()
                commits += 1
            }
            return taken.count
        })
        journal = nil
        return try finish(
            workload: "lifecycle", jobs: inserted, path: path, options: options, phases: phases, before: before)
    }

    /// Queues `count` synthetic jobs with articles of `articleBytes` bytes (chunks of `insertChunk`, a commit
    /// each), then takes `take` of them in chunks of 32, and reopens the journal. The file at `path` is replaced.
    static func queued(
        count: Int, articleBytes: Int = 1024, take: Int = 1000, path: String,
        options: SQLiteJobJournal.Options = .init(), insertChunk: Int = 256
    ) throws -> Report {
        removeDatabase(at: path)
        let before = peakResidentBytes()
        var journal: SQLiteJobJournal? = try SQLiteJobJournal(path: path, options: options)
        var phases: [Phase] = []
        let jobs = (0..<count).lazy.map { syntheticJob(index: $0, batchID: "bench", articleBytes: articleBytes) }
        phases.append(try timed("insert") { commits in
            try insert(jobs, into: journal!, chunk: insertChunk, commits: &commits)
        })
        phases.append(try timed("take") { commits in
            var taken = 0
            while taken < take {
                let chunk = journal!.takeQueued(limit: min(32, take - taken))
                try journal!.commit()
                commits += 1
                if chunk.isEmpty { break }
                taken += chunk.count
            }
            return taken
        })
        journal = nil
        return try finish(workload: "queued", jobs: count, path: path, options: options, phases: phases, before: before)
    }

    /// A job whose article text is `articleBytes` bytes of Arabic letters and spaces, with a distinct id.
    static func syntheticJob(index: Int, batchID: String, articleBytes: Int) -> Mirsad_V1_Job {
        let word = "خبر "  // 7 UTF-8 bytes
        var job = Mirsad_V1_Job()
        job.jobID = "\(batchID):\(index)"
        job.batchID = batchID
        job.article.metadata.id = "article-\(index)"
        job.article.text = String(repeating: word, count: max(1, articleBytes / word.utf8.count))
        return job
    }

    /// The process's peak resident set size (VmHWM) in bytes, or nil where /proc/self/status is not readable.
    static func peakResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kib = line.split(separator: " ").compactMap { Int($0) }.first
            return kib.map { $0 * 1024 }
        }
        return nil
    }

    // MARK: - Helpers

    private static func insert(
        _ jobs: some Sequence<Mirsad_V1_Job>, into journal: SQLiteJobJournal, chunk: Int, commits: inout Int
    ) throws -> Int {
        var count = 0
        for job in jobs {
            _ = journal.insert(try EncodedJob(job))
            count += 1
            if count % chunk == 0 {
                try journal.commit()
                commits += 1
            }
        }
        try journal.commit()
        commits += 1
        return count
    }

    private static func timed(_ name: String, _ body: (inout Int) throws -> Int) throws -> Phase {
        let started = MonotonicInstant.now()
        var commits = 0
        let operations = try body(&commits)
        let seconds = started.duration(to: .now()).inSeconds
        return Phase(name: name, operations: operations, commits: commits, seconds: seconds)
    }

    private static func finish(
        workload: String, jobs: Int, path: String, options: SQLiteJobJournal.Options, phases: [Phase], before: Int?
    ) throws -> Report {
        let started = MonotonicInstant.now()
        let reopened = try SQLiteJobJournal(path: path, options: options)
        let reopenSeconds = started.duration(to: .now()).inSeconds
        let reopenedJobs = reopened.recovered().batches.values.reduce(0) { $0 + $1.total }
        let fileBytes = [path, path + "-wal"].reduce(Int64(0)) { sum, file in
            let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber
            return sum + (size?.int64Value ?? 0)
        }
        return Report(
            workload: workload, jobs: jobs, synchronous: options.synchronous.rawValue, phases: phases,
            reopenSeconds: reopenSeconds, reopenedJobs: reopenedJobs, fileBytes: fileBytes,
            peakResidentBytesBefore: before, peakResidentBytesAfter: peakResidentBytes())
    }

    private static func removeDatabase(at path: String) {
        for file in [path, path + "-wal", path + "-shm", path + "-lock"] { try? FileManager.default.removeItem(atPath: file) }
    }
}
