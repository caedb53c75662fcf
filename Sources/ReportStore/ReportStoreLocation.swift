import Foundation

/// Where a report store is, as the command line names it: a `postgres://` (or `postgresql://`) URL for
/// PostgreSQL, anything else a SQLite file's path.
public enum ReportStoreLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    public init(_ text: String) {
        self = PostgresLocation.isPostgresURL(text) ? .postgres(url: text) : .sqlite(path: text)
    }

    /// The location as messages name it (a PostgreSQL password hidden).
    public var description: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): (try? PostgresLocation(url: url).description) ?? PostgresLocation.redacted(url)
        }
    }

    /// Opens (creating or upgrading) the store. With `creating` false a PostgreSQL database without the store's
    /// tables is refused (a SQLite caller checks that the file exists first).
    public func open(options: SQLiteReportStore.Options = .init(), creating: Bool = true) throws -> any ReportStore & ReportQueries {
        switch self {
        case .sqlite(let path): try SQLiteReportStore(path: path, options: options)
        case .postgres(let url): try PostgresReportStore(url: url, options: options, creating: creating)
        }
    }
}
