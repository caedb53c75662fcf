import Foundation
import MirsadCore
import MirsadWire
@testable import DispatcherJournal

/// Temporary journal files and jobs for the tests.
enum JournalFixtures {
    /// A fresh directory under the system's temporary directory; the caller removes it with `remove`.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mirsad-journal-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }

    /// A journal path in a fresh temporary directory, and that directory.
    static func journalPath() throws -> (path: String, directory: URL) {
        let directory = try temporaryDirectory()
        return (directory.appendingPathComponent("journal.sqlite").path, directory)
    }

    /// The time every fixture journal records as a submission time.
    static let submitted = UnixTime(milliseconds: 1_700_000_000_123)

    static func options(maximumSizeBytes: Int? = nil) -> SQLiteJobJournal.Options {
        SQLiteJobJournal.Options(maximumSizeBytes: maximumSizeBytes, clock: { submitted })
    }

    static func job(_ jobID: String, batch: String = "b1", textBytes: Int = 40) -> Mirsad_V1_Job {
        var job = Mirsad_V1_Job()
        job.jobID = jobID
        job.batchID = batch
        job.article.metadata.id = "article-\(jobID)"
        job.article.text = String(repeating: "ن", count: max(1, textBytes / 2))
        job.options.includeTokens = true
        return job
    }
}
