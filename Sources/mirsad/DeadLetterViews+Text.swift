import MirsadServices

extension DeadLetterListing {
    /// A table (job id, article id, attempts, worker, error) and a closing count.
    var text: String {
        guard !deadLetters.isEmpty else { return total == 0 ? "no dead letters\n" : "\(total) dead letters, none listed\n" }
        let rows = deadLetters.map { entry in
            [entry.jobID, entry.articleID.isEmpty ? "-" : entry.articleID, String(entry.attempts),
             entry.workerID.isEmpty ? "-" : entry.workerID, entry.error]
        }
        let table = TextFormat.table(header: ["JOB ID", "ARTICLE ID", "ATTEMPTS", "WORKER", "ERROR"], rows: rows)
        let count = UInt64(deadLetters.count) == total
            ? "\(total) dead letter\(total == 1 ? "" : "s")"
            : "\(deadLetters.count) of \(total) dead letters listed"
        return table + count + "\n"
    }
}

extension DeadLetterRetryOutcome {
    /// How many were queued again, and which asked-for ids were not dead letters.
    var text: String {
        var text = "\(requeued) dead letter\(requeued == 1 ? "" : "s") queued again\n"
        if !notDead.isEmpty {
            text += "not dead letters (left as they are): " + notDead.joined(separator: ", ") + "\n"
        }
        return text
    }
}
