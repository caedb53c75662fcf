import Testing
@testable import ReportStore

/// Reading `--store`: which text names a PostgreSQL store, what a URL must hold, and that messages hide the
/// password. No server needed.
struct PostgresLocationTests {
    @Test func notAPostgresURLIsRefused() throws {
        #expect(throws: ReportStoreError.self) { try PostgresLocation(url: "postgres://host-only") }
        #expect(throws: ReportStoreError.self) { try PostgresLocation(url: "postgres://u:p@h/db?schema=Bad-Name") }
        #expect(ReportStoreLocation("postgres://u:secret@h:5/db").description == "postgres://u:***@h:5/db")
        #expect(ReportStoreLocation("reports.sqlite") == .sqlite(path: "reports.sqlite"))
        #expect(throws: ReportStoreError.self) { try PostgresLocation(url: "postgres://u:p@h/db?lock_timeout=soon") }
        #expect(try PostgresLocation(url: "postgres://u:p@h/db?lock_timeout=250ms").lockTimeout == "250ms")
        #expect(try PostgresLocation(url: "postgres://u:p@h/db").lockTimeout == PostgresLocation.defaultLockTimeout)
    }
}
