import ArgumentParser
import ArticleIngest

/// The end of a command that read its inputs, did its work on every article it could read, and passed over some
/// input on the way (a malformed line, a missing file, a FIFO): exit status 6, so that a script sees what a person
/// sees in the messages. Each problem was named on standard error where it was met; this adds one line that counts
/// them. Repaired UTF-8 (`IngestProblem.Kind.skipsInput`) is not skipped input: its article was processed.
enum SkippedInput {
    static let status = ExitCode(6)

    /// Throws `status` after a one-line count on standard error when `problems` (counts by kind, as the summaries
    /// and the JSON reports carry them) include skipped input; returns otherwise.
    static func end(command: String, problems: [String: Int], done: String) throws {
        let skipped = problems.filter { $0.value > 0 && (IngestProblem.Kind(rawValue: $0.key)?.skipsInput ?? true) }
        guard !skipped.isEmpty else { return }
        let total = skipped.values.reduce(0, +)
        let kinds = skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        writeStandardError("mirsad \(command): \(total) input problem\(total == 1 ? "" : "s") (\(kinds)) passed over; \(done)\n")
        throw status
    }

    static func end(command: String, problems: [IngestProblem.Kind: Int], done: String) throws {
        try end(command: command, problems: Dictionary(uniqueKeysWithValues: problems.map { ($0.key.rawValue, $0.value) }), done: done)
    }
}
