/// Why the SQLite job journal could not do what was asked. Every case names the journal's file.
public enum JobJournalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The journal could not be opened or created at `path` (missing directory, no permission, locked, ...).
    case cannotOpen(path: String, reason: String)
    /// The file at `path` exists but is not a job journal (not SQLite at all, another program's database, or a
    /// journal written by a newer version). Nothing was changed in it.
    case notAJournal(path: String, reason: String)
    /// The disk (or the journal's size limit) is full: the uncommitted changes were rolled back, the last committed
    /// state is kept.
    case diskFull(path: String, reason: String)
    /// A stored job could not be read back.
    case corruptRow(path: String, jobID: String, reason: String)
    /// Any other database failure, with the operation that met it.
    case database(path: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open the job journal at \(path): \(reason)"
        case .notAJournal(let path, let reason):
            return "\(path) is not a job journal: \(reason)"
        case .diskFull(let path, let reason):
            return "the job journal at \(path) is full (\(reason)); the uncommitted changes were rolled back, "
                + "the last committed state is kept"
        case .corruptRow(let path, let jobID, let reason):
            return "the job journal at \(path) has an unreadable row for job \(jobID): \(reason)"
        case .database(let path, let operation, let reason):
            return "job journal at \(path): \(operation) failed: \(reason)"
        }
    }
}
