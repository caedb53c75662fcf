import Foundation
import PostgresNIO

/// Where a PostgreSQL report store is: `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (`postgresql://` too; the
/// port defaults to 5432, the user to `postgres`; user and password percent-decoded). `?schema=NAME` keeps the
/// store in that schema (created if missing) instead of `public`, so that one database can hold several stores.
///
/// The password never appears in `description`, so a location can be named in messages and logs.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// Lower-case letters, digits and `_` only, so it can stand unquoted in SQL.
    public var schema: String?
    /// How long a statement waits for a lock, the store's advisory locks included, before it fails
    /// (`?lock_timeout=`, a PostgreSQL duration such as `500ms`, `30s` or `2min`; default `defaultLockTimeout`).
    public var lockTimeout: String

    /// Whether `text` names a PostgreSQL store rather than a SQLite file.
    public static func isPostgresURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// - Throws: `ReportStoreError.invalidArgument` when `url` is not a usable PostgreSQL URL.
    public init(url: String) throws {
        guard Self.isPostgresURL(url), let parts = URLComponents(string: url) else {
            throw ReportStoreError.invalidArgument("not a PostgreSQL URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE): \(Self.redacted(url))")
        }
        guard let host = parts.host, !host.isEmpty else {
            throw ReportStoreError.invalidArgument("the PostgreSQL URL names no host: \(Self.redacted(url))")
        }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw ReportStoreError.invalidArgument("the PostgreSQL URL names no database (…/DATABASE): \(Self.redacted(url))")
        }
        self.host = host
        port = parts.port ?? 5432
        user = parts.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        password = parts.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        self.database = database
        schema = parts.queryItems?.first(where: { $0.name == "schema" })?.value
        lockTimeout = parts.queryItems?.first(where: { $0.name == "lock_timeout" })?.value ?? Self.defaultLockTimeout
        let digits = lockTimeout.prefix(while: { $0.isASCII && $0.isNumber })
        guard !digits.isEmpty, ["", "ms", "s", "min"].contains(String(lockTimeout.dropFirst(digits.count))) else {
            throw ReportStoreError.invalidArgument("the PostgreSQL URL's lock_timeout must be a number with ms, s or min: \(lockTimeout)")
        }
        if let schema, schema.isEmpty || !schema.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) {
            throw ReportStoreError.invalidArgument("the PostgreSQL URL's schema must be lower-case letters, digits and _: \(schema)")
        }
    }

    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)" + (schema.map { "?schema=" + $0 } ?? "")
    }

    /// A writer that finds the writer lock held longer than this (another writer stuck in its transaction) gets
    /// an error naming it rather than waiting for ever.
    public static let defaultLockTimeout = "30s"
    /// How long a session may sit in an open transaction without a statement before the server ends it: a writer
    /// that stops mid-transaction (frozen, cut off) gives the writer lock back after this.
    static let idleInTransactionTimeout = "60s"

    /// One connection's settings: a 5 s limit on connecting, the lock limits above and the store's schema as the
    /// search path, all set when the session starts.
    var connectionConfiguration: PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [
            ("lock_timeout", lockTimeout), ("idle_in_transaction_session_timeout", Self.idleInTransactionTimeout),
        ] + (schema.map { [("search_path", $0)] } ?? [])
        return configuration
    }

    /// `url` with any password replaced by `***`.
    static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://") else { return url }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}
