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

    @Test func rowsReadAsGRDBReadsThem() throws {
        let queue = try Self.database()
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO t VALUES ('a', 42, 0.25, x'0001ff', 'نص عربي'), ('b', NULL, NULL, NULL, NULL),
                    ('c', -7, 3, x'', ''), ('d', 1, 2.5, NULL, 'ignored')
                """)
            var select = DirectStatement(try db.cachedStatement(sql: "SELECT id, n, x, b, s FROM t WHERE id < ? ORDER BY id"))
            select.bind("d")
            var read: [(String, Int64?, Double, Data?, String, Bool)] = []
            try select.forEachRow { row in
                read.append((row.text(0), row.integerOrNil(1), row.double(2), row.blob(3), row.text(4), row.isNull(4)))
            }
            let expected = try Row.fetchAll(db, sql: "SELECT id, n, x, b, s FROM t WHERE id < 'd' ORDER BY id")
            #expect(read.count == expected.count)
            for ((id, n, x, b, s, sIsNull), row) in zip(read, expected) {
                #expect(id == row[0] as String)
                #expect(n == row[1] as Int64?)
                #expect(x == (row[2] as Double?) ?? 0)
                #expect(b == row[3] as Data?)
                #expect(s == (row[4] as String?) ?? "")
                #expect(sIsNull == row.hasNull(atIndex: 4))
            }
            // An integer read as a real, as SQLite converts it; an empty blob is a value, not NULL.
            #expect(read[2].2 == 3)
            #expect(read[2].3 == Data())
            // The statement is left reset, its bindings cleared, for its next use by either.
            select.bind("b")
            var ids: [String] = []
            try select.forEachRow { ids.append($0.text(0)) }
            #expect(ids == ["a"])
            #expect(try String.fetchAll(db.cachedStatement(sql: "SELECT id, n, x, b, s FROM t WHERE id < ? ORDER BY id"),
                                        arguments: ["c"]) == ["a", "b"])
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
