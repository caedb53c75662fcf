import ArgumentParser
import Foundation
import MirsadCore
import MirsadServices

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit articles to the dispatcher as one batch.",
        discussion: """
            INPUT is a .txt or .html file (one article), a .jsonl or .jsonl.gz file (one article per line: id, url, \
            source, category, title, published, author, text or html), a directory (read recursively), or - for \
            standard input. Prints the batch id; with --wait, waits until the batch is stored and prints a summary.
            """)

    @Argument(help: "Files, directories, or - for standard input.")
    var inputs: [String]
    @OptionGroup var dispatcher: DispatcherAddress
    @Option(help: "The batch id (default: a new UUID). Submitting the same batch id and inputs again is harmless.")
    var batch: String?
    @Flag(help: "Wait until every article of the batch is stored or dead-lettered, and print a summary. The wait goes on through a dispatcher restart.")
    var wait = false
    @Option(help: "Give up after this many seconds from the start, submission included (exit 3); with --wait, the wait too.")
    var waitTimeout: Double?
    @Option(help: "The batch's priority: batches of a higher priority are dispatched first; batches of one priority share the workers round robin.")
    var priority: Int32 = 0
    @Flag(help: "Ask workers to include tokens in the stored analysis.")
    var includeTokens = false
    @Flag(help: "Print the summary as JSON.")
    var json = false
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one INPUT (a file, a directory, or -)") }
    }

    func run() async throws {
        let logger = logging.bootstrap(label: "mirsad.submit")
        var session = SubmitSession.Options(dispatcherEndpoint: dispatcher.endpoint)
        session.security = try dispatcher.keys.dispatcherSecurity()
        if let batch { session.batchID = batch }
        session.includeTokens = includeTokens
        session.priority = priority
        if !json {
            // First, so the batch can be followed with `mirsad status` while it is being sent.
            print("batch \(session.batchID)")
            fflush(nil)
        }
        var options = Producer.Options(session: session)
        options.wait = wait
        let display = ProgressDisplay()
        options.onProgress = { display.show($0) }
        options.waitTimeout = waitTimeout.map { .seconds(exactly: $0) }
        let report: Producer.Report
        do {
            report = try await ProcessSignals.runBlocking(name: "submit", logger: logger) { [options, inputs] stop in
                var options = options
                options.session.stop = stop
                return try Producer(options: options, logger: logger).run(inputs: inputs)
            }
        } catch let timeout as Producer.WaitTimeout {
            writeStandardError("mirsad submit: \(timeout)\n")
            throw ExitCode(3)
        } catch let missing as Producer.JobsMissing {
            writeStandardError("mirsad submit: \(missing)\n")
            throw ExitCode(4)
        } catch let full as Producer.StorageFull {
            writeStandardError("mirsad submit: \(full)\n")
            throw ExitCode(5)
        } catch is Producer.Interrupted {
            writeStandardError("mirsad submit: interrupted; submitting the same inputs again with --batch \(options.session.batchID) is harmless\n")
            throw ExitCode(130)
        }
        if json {
            print(try JSONOutput.encode(report))
        } else {
            var line = "\(report.articles) articles submitted: \(report.accepted) accepted, \(report.duplicates) already known, \(report.rejected) rejected"
            let problems = report.inputProblems.values.reduce(0, +)
            if problems > 0 {
                line += "; input problems: " + report.inputProblems.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            }
            print(line)
            if let stored = report.stored {
                print("\(stored) stored, \(report.deadLetters ?? 0) dead letters in \(Format.seconds(report.seconds)) (\(Format.rate(report.articlesPerSecond)) articles/s)")
                if let dead = report.deadLetters, dead > 0 {
                    print("see them with: mirsad dlq list --batch \(report.batchID) --dispatcher \(dispatcher.endpoint)")
                }
            }
        }
        if report.articles == 0 {
            writeStandardError("mirsad submit: no articles found in \(inputs.joined(separator: " "))\n")
            throw ExitCode(2)
        }
        try SkippedInput.end(command: "submit", problems: report.inputProblems, done: "the rest was submitted")
    }
}

enum JSONOutput {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

typealias Format = TextFormat
