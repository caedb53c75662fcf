/// Why a report store could not do what it was asked. Every case names the store's location.
public enum ReportStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The store could not be opened or created at `path`.
    case cannotOpen(path: String, reason: String)
    /// The disk (or the store's size limit) is full: the failed call committed nothing, earlier rows are kept.
    case diskFull(path: String, reason: String)
    /// A stored row could not be read back as a result.
    case corruptRow(path: String, jobID: String, reason: String)
    /// An argument was out of range.
    case invalidArgument(String)
    /// Any other database failure, with the operation that met it.
    case database(path: String, operation: String, reason: String)
    /// The store was written by a newer version of the program (schema version `found`, this one knows up to
    /// `supported`); it is left untouched.
    case newerSchema(path: String, found: Int, supported: Int, migrations: [String])

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open the report store at \(path): \(reason)"
        case .diskFull(let path, let reason):
            return "the report store at \(path) is full (\(reason)); the last write was not committed, earlier rows are kept"
        case .corruptRow(let path, let jobID, let reason):
            return "the report store at \(path) has an unreadable row for job \(jobID): \(reason)"
        case .invalidArgument(let message):
            return "invalid argument: \(message)"
        case .database(let path, let operation, let reason):
            return "report store at \(path): \(operation) failed: \(reason)"
        case .newerSchema(let path, let found, let supported, let migrations):
            return "the report store at \(path) was written by a newer mirsad (schema version \(found), this one reads up to \(supported); unknown migrations: \(migrations.joined(separator: ", "))); it was left untouched: use a newer mirsad"
        }
    }
}
