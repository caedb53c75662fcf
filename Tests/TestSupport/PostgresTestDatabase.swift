import Foundation
import ReportStore
import Testing

/// The PostgreSQL server the tests use: `MIRSAD_TEST_POSTGRES_URL` (`.ci/run` starts one and sets it). Each test
/// gets a store of its own in a fresh schema of that database, dropped by `drop`, so tests running at once share
/// neither tables nor the store's locks.
///
/// Without the variable the tests carrying `.needsPostgres` are skipped with the reason; with
/// `MIRSAD_REQUIRE_POSTGRES=1` (CI) they run anyway and `requireURL()` fails them.
public enum PostgresTestDatabase {
    public static let url = ProcessInfo.processInfo.environment["MIRSAD_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    public static var isRequired: Bool { ProcessInfo.processInfo.environment["MIRSAD_REQUIRE_POSTGRES"] == "1" }
    public static let skipReason: Comment = "skipped: no PostgreSQL server; set MIRSAD_TEST_POSTGRES_URL"

    /// The server's URL; throws (failing the test) when there is none.
    public static func requireURL() throws -> String {
        guard let url else { throw PostgresServerMissing() }
        return url
    }

    /// A URL for a new, empty store.
    /// With `lockTimeout`, writers wait that long for one another's lock (`lock_timeout`): tests of several writers
    /// at once pass a long one, since a loaded machine may hold a transaction open past the default 30 s, which is
    /// not what they test.
    public static func freshStoreURL(lockTimeout: String? = nil) throws -> String {
        let url = try requireURL()
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        return url + (url.contains("?") ? "&" : "?") + "schema=" + schema + (lockTimeout.map { "&lock_timeout=" + $0 } ?? "")
    }

    public static func drop(_ storeURL: String) {
        try? PostgresReportStore.drop(url: storeURL)
    }

    /// `storeURL` with its password replaced.
    public static func withPassword(_ password: String, _ storeURL: String) -> String {
        var parts = URLComponents(string: storeURL)!
        parts.password = password
        return parts.string!
    }

    /// `storeURL` pointing at a port where nothing listens.
    public static func withDeadPort(_ storeURL: String) -> String {
        var parts = URLComponents(string: storeURL)!
        parts.port = 9
        return parts.string!
    }
}

public struct PostgresServerMissing: Error, CustomStringConvertible {
    public var description: String {
        "MIRSAD_REQUIRE_POSTGRES=1 but MIRSAD_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against"
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only when a PostgreSQL server is named, or when one is required (then its absence fails).
    public static var needsPostgres: Self {
        .enabled(if: PostgresTestDatabase.url != nil || PostgresTestDatabase.isRequired, PostgresTestDatabase.skipReason)
    }
}
