import Foundation
@testable import ReportStore

/// The PostgreSQL server the tests use: `MIRSAD_TEST_POSTGRES_URL` (`.ci/run` starts one and sets it). Each test
/// gets a store of its own in a fresh schema of that database, dropped by `drop`.
enum PostgresTestDatabase {
    static let url = ProcessInfo.processInfo.environment["MIRSAD_TEST_POSTGRES_URL"]
    static let isAvailable = url != nil
    static let reason: Comment = "MIRSAD_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against (.ci/run starts one)"

    /// A URL for a new, empty store.
    static func freshStoreURL() -> String {
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        return url! + (url!.contains("?") ? "&" : "?") + "schema=" + schema
    }

    static func drop(_ storeURL: String) {
        try? PostgresReportStore.drop(url: storeURL)
    }

    /// `url` with its password replaced.
    static func withPassword(_ password: String, _ storeURL: String) -> String {
        var parts = URLComponents(string: storeURL)!
        parts.password = password
        return parts.string!
    }

    /// `url` pointing at a port where nothing listens.
    static func withDeadPort(_ storeURL: String) -> String {
        var parts = URLComponents(string: storeURL)!
        parts.port = 9
        return parts.string!
    }
}

import Testing
