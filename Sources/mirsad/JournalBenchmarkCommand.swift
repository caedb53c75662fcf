import ArgumentParser
import ArticleIngest
import DispatcherJournal
import Foundation
import MirsadCore
import MirsadWire

/// The dispatcher's job journal alone: with INPUT, every article goes through insert, take, awaiting store and
/// stored (ops/s); without, `--queued` synthetic jobs are queued and `--take` of them taken (memory, file size).
struct JournalBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "journal")

    @Argument(help: "Articles to journal as jobs (any input `mirsad submit` reads). None: synthetic jobs.")
    var input: [String] = []
    @Option(help: "Journal file (replaced).")
    var path = "mirsad-journal-benchmark.sqlite"
    @Option(help: "Synthetic jobs to queue when no INPUT is given.")
    var queued = 1_000_000
    @Option(help: "Size of each synthetic article in bytes.")
    var articleBytes = 1024
    @Option(help: "Synthetic jobs to take after queueing them.")
    var take = 1000
    @Option(help: "SQLite synchronous setting: full or normal.")
    var synchronous = "full"
    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        guard let mode = SQLiteJobJournal.Options.Synchronous(rawValue: synchronous.uppercased()) else {
            throw ValidationError("--synchronous must be full or normal, got \(synchronous)")
        }
        let options = SQLiteJobJournal.Options(synchronous: mode)
        let report: JournalBenchmark.Report
        if input.isEmpty {
            report = try JournalBenchmark.queued(
                count: queued, articleBytes: articleBytes, take: take, path: path, options: options)
        } else {
            var jobs: [Mirsad_V1_Job] = []
            try ArticleReader().read(input) { event in
                guard case .article(let article) = event else { return }
                var job = Mirsad_V1_Job()
                job.jobID = SubmitValidation.jobID(batchID: "bench", index: jobs.count)
                job.batchID = "bench"
                job.article = Mirsad_V1_Article(article)
                jobs.append(job)
            }
            report = try JournalBenchmark.lifecycle(jobs: jobs, path: path, options: options)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report)
        }
    }
}
