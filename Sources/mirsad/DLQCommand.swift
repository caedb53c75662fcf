import ArgumentParser
import Foundation
import MirsadCore
import MirsadServices

/// `mirsad dlq`: the dispatcher's dead letters, jobs that failed on every allowed attempt.
struct DLQCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "List or requeue dead letters: jobs that failed on every allowed attempt.",
        subcommands: [DLQListCommand.self, DLQRetryCommand.self])
}

/// How long a `dlq` command waits for each answer of the dispatcher.
struct DLQTimeout: ParsableArguments {
    @Option(help: "Seconds to wait for each answer of the dispatcher.")
    var timeout: Double = 3

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be above 0") }
    }
}

struct DLQListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List dead letters (job id, article id, attempts, last worker, last error), all of them or the first --limit.")

    @OptionGroup var dispatcher: DispatcherAddress
    @Option(help: "Only this batch's dead letters.")
    var batch: String?
    @Option(help: "List at most this many.")
    var limit: Int?
    @Flag(help: "Print JSON: {\"total\": N, \"dead_letters\": [{job_id, batch_id, article_id, error, worker_id, attempts, dead_unix_ms}]}.")
    var json = false
    @OptionGroup var wait: DLQTimeout

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let batch, batch.isEmpty { throw ValidationError("--batch must not be empty") }
    }

    func run() throws {
        let listing = try DeadLetterClient(
            dispatcherEndpoint: dispatcher.endpoint, security: dispatcher.keys.dispatcherSecurity())
            .list(batchID: batch, limit: limit, timeout: .seconds(exactly: wait.timeout))
        print(json ? try JSONOutput.encode(listing) : listing.text, terminator: json ? "\n" : "")
    }
}

struct DLQRetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Queue dead letters again with a fresh count of attempts: the JOB_IDs given, or --all (of --batch).")

    @Argument(help: ArgumentHelp("Job ids of dead letters to queue again.", valueName: "job-id"))
    var jobIDs: [String] = []
    @OptionGroup var dispatcher: DispatcherAddress
    @Flag(help: "Queue every dead letter again (of --batch when given).")
    var all = false
    @Option(help: "With --all: only this batch's dead letters.")
    var batch: String?
    @Flag(help: "Print JSON: {\"requeued\": N, \"not_dead\": [job ids that are not dead letters]}.")
    var json = false
    @OptionGroup var wait: DLQTimeout

    func validate() throws {
        if all && !jobIDs.isEmpty { throw ValidationError("give JOB_IDs or --all, not both") }
        if !all && jobIDs.isEmpty { throw ValidationError("give the JOB_IDs to queue again, or --all") }
        if batch != nil && !all { throw ValidationError("--batch goes with --all") }
        if let batch, batch.isEmpty { throw ValidationError("--batch must not be empty") }
        if let empty = jobIDs.firstIndex(where: \.isEmpty) { throw ValidationError("JOB_ID \(empty + 1) is empty") }
    }

    func run() throws {
        let client = try DeadLetterClient(
            dispatcherEndpoint: dispatcher.endpoint, security: dispatcher.keys.dispatcherSecurity())
        let outcome = all
            ? try client.retryAll(batchID: batch, timeout: .seconds(exactly: wait.timeout))
            : try client.retry(jobIDs: jobIDs, timeout: .seconds(exactly: wait.timeout))
        print(json ? try JSONOutput.encode(outcome) : outcome.text, terminator: json ? "\n" : "")
    }
}
