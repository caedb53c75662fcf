import ArgumentParser
import Foundation
import MirsadServices
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start a dispatcher, a collector and workers on this machine, analyse INPUTs, print a summary, stop.")

    @Argument(help: "Files, directories, or - for standard input (as for `mirsad submit`).")
    var inputs: [String]
    @Option(help: "Worker processes to start.")
    var workers: Int = 2
    @Option(help: "Analysis threads per worker (default: cores / workers, at least 1).")
    var threads: Int?
    @Option(help: "The report store: a SQLite file's path, or postgres://USER:PASSWORD@HOST:PORT/DATABASE.")
    var store: String = Defaults.storePath
    @Flag(help: "Print the summary as JSON.")
    var json = false
    @Flag(help: "Keep the dispatcher's job journal after a successful run (it lives beside the logs in the temporary directory).")
    var keepJournal = false
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one INPUT (a file, a directory, or -)") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() async throws {
        let logger = logging.bootstrap(label: "mirsad.run")
        signal(SIGPIPE, SIG_IGN)
        var options = LocalCluster.Options(
            threadsPerWorker: threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / workers))
        options.workers = workers
        options.storePath = store
        options.logLevel = logging.logLevel
        options.keepJournal = keepJournal
        let display = ProgressDisplay()
        options.onProgress = { display.show($0) }
        let cluster = LocalCluster(options: options, inputs: inputs, logger: logger)
        do {
            try await ProcessSignals.runGroup([cluster], logger: logger)
        } catch is Producer.Interrupted {
            writeStandardError("mirsad run: interrupted; every process of the run was stopped\n")
            throw ExitCode(130)
        }
        guard let summary = cluster.summary else { throw CommandFailure("the run ended without a summary") }
        if json {
            print(try JSONOutput.encode(summary))
            if summary.articles == 0 {
                writeStandardError("mirsad run: no articles found in \(inputs.joined(separator: " "))\n")
                throw ExitCode(2)
            }
            try SkippedInput.end(command: "run", problems: summary.inputProblems, done: "the rest went through the cluster")
            return
        }
        print("\(summary.stored) of \(summary.articles) articles stored (\(summary.deadLetters) dead letters, \(summary.rejected) rejected) in \(Format.seconds(summary.seconds)): \(Format.rate(summary.articlesPerSecond)) articles/s with \(summary.workers) workers")
        if summary.indexedAfterwards > 0 {
            print("then \(summary.indexedAfterwards) of them indexed for reports in \(Format.seconds(summary.indexingSeconds))")
        }
        if !summary.deadLetterSample.isEmpty {
            let shown = summary.deadLetterSample.count < summary.deadLetters ? " (the first \(summary.deadLetterSample.count))" : ""
            print("dead letters\(shown): failed on every attempt, not stored")
            print(TextFormat.table(
                header: ["  JOB ID", "ARTICLE ID", "ATTEMPTS", "ERROR"],
                rows: summary.deadLetterSample.map { ["  " + $0.jobID, $0.articleID, String($0.attempts), $0.error] }), terminator: "")
        }
        if !summary.inputProblems.isEmpty {
            print("input problems: " + summary.inputProblems.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        }
        print("report store: \(summary.store)")
        if !summary.topEntities.isEmpty {
            print("top entities:")
            for entity in summary.topEntities {
                print("  \(entity.type.padding(toLength: 5, withPad: " ", startingAt: 0)) \(entity.name)  \(entity.mentions) mentions in \(entity.articles) articles")
            }
        }
        if summary.articles == 0 { throw ExitCode(2) }
        try SkippedInput.end(command: "run", problems: summary.inputProblems, done: "the rest went through the cluster")
    }
}
