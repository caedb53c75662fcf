import Foundation
import GRDB
import Testing
@testable import ReportStore

/// Values bound through SQLite's C interface read back as GRDB binds them, errors come back as GRDB's, and a
/// statement is left ready for its next use.
@Suite struct DirectStatementTests {
    static func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, n INTEGER, x REAL, b BLOB, s TEXT);
                """)
        }
        return queue
    }

    @Test func valuesReadBackAsBound() throws {
        let queue = try Self.database()
        let rows: [(String, Int64?, Double?, Data?, String?)] = [
            ("a", 42, 0.25, Data([0, 1, 2, 255]), "نص عربي"),
            ("b", nil, nil, nil, nil),
            ("c", Int64.min, -.infinity, Data(), ""),
            ("d", Int64.max, 1e300, Data(repeating: 7, count: 5_000), String(repeating: "é", count: 3_000)),
        ]
        try queue.write { db in
            var insert = DirectStatement(try db.cachedStatement(sql: "INSERT INTO t VALUES (?, ?, ?, ?, ?)"))
            for (id, n, x, b, s) in rows {
                insert.bind(id)
                insert.bind(n)
                insert.bind(x)
                insert.bind(b)
                insert.bind(s)
                #expect(try insert.run() == 1)
            }
        }
        try queue.read { db in
            for (id, n, x, b, s) in rows {
                let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM t WHERE id = ?", arguments: [id]))
                #expect(row["n"] as Int64? == n)
                #expect(row["x"] as Double? == x)
                #expect(row["b"] as Data? == b)
                #expect(row["s"] as String? == s)
                // An empty string and an empty blob are values, not NULL.
                #expect(row.hasNull(atIndex: 4) == (s == nil))
                #expect(row.hasNull(atIndex: 3) == (b == nil))
            }
        }
    }

    @Test func aRefusedRowThrowsGRDBsErrorAndTheStatementIsUsableAfter() throws {
        let queue = try Self.database()
        try queue.write { db in
            var insert = DirectStatement(try db.cachedStatement(sql: "INSERT INTO t (id, n) VALUES (?, ?)"))
            insert.bind("same")
            insert.bind(1)
            try insert.run()
            insert.bind("same")
            insert.bind(2)
            let error = try #require(throws: DatabaseError.self) { try insert.run() }
            #expect(error.resultCode == .SQLITE_CONSTRAINT)
            #expect(error.sql?.contains("INSERT INTO t") == true)
            insert.bind("other")
            insert.bind(3)
            #expect(try insert.run() == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT n FROM t WHERE id = 'other'") == 3)
        }
    }

    @Test func aConflictIgnoredChangesNoRowAndLookupsSayWhetherARowExists() throws {
        let queue = try Self.database()
        try queue.write { db in
            var insert = DirectStatement(try db.cachedStatement(
                sql: "INSERT INTO t (id) VALUES (?) ON CONFLICT (id) DO NOTHING"))
            insert.bind("x")
            #expect(try insert.run() == 1)
            insert.bind("x")
            #expect(try insert.run() == 0)
            var lookup = DirectStatement(try db.cachedStatement(sql: "SELECT 1 FROM t WHERE id = ?"))
            lookup.bind("x")
            #expect(try lookup.hasRow())
            lookup.bind("y")
            #expect(try !lookup.hasRow())
            // GRDB's own use of the cached statement finds it reset, its bindings cleared.
            #expect(try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM t WHERE id = ?"), arguments: ["x"]) == 1)
        }
    }

    /// GRDB leaves a statement it ran stepping (it resets before a run, not after), and SQLite refuses bindings to a
    /// statement in that state: taken up here, it is reset first.
    @Test func aStatementGRDBLeftSteppingIsResetBeforeItIsBound() throws {
        let queue = try Self.database()
        try queue.write { db in
            try db.execute(sql: "INSERT INTO t (id) VALUES ('x'), ('y')")
            let cached = try db.cachedStatement(sql: "SELECT id FROM t WHERE id >= ?")
            #expect(try String.fetchOne(cached, arguments: ["a"]) == "x")  // one row of two read: still stepping
            var lookup = DirectStatement(cached)
            lookup.bind("y")
            #expect(try lookup.hasRow())
            let insert = try db.cachedStatement(sql: "INSERT INTO t (id, n) VALUES (?, ?)")
            try insert.execute(arguments: ["z", 1])
            var direct = DirectStatement(insert)
            direct.bind("w")
            direct.bind(2)
            #expect(try direct.run() == 1)
            #expect(try Int.fetchOne(db, sql: "SELECT n FROM t WHERE id = 'w'") == 2)
        }
    }
}
