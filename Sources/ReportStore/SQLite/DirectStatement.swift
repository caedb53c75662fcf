import Foundation
import GRDB
import GRDBSQLite

/// A cached GRDB statement run through SQLite's C interface: values are bound in place, one call each, and the
/// statement stepped to its end.
///
/// Written by hand for the statements run once per result on a collector's acknowledging thread, and once per
/// article or aggregate row by the indexer: GRDB's argument path (`StatementArguments`) boxes every value as a
/// `DatabaseValue` in an array of existentials before binding it, which for a 22-column row cost the acknowledging
/// thread about a fifth of its CPU, and the indexer a fifth of its own (`mirsad benchmark collector`).
///
/// Invariants: values are bound in order, from the first parameter, all of them before `run` (SQLite binds NULL
/// to any left out, a row without a value is refused by the tables' NOT NULL constraints); strings and blobs are
/// copied by SQLite as they are bound (`SQLITE_TRANSIENT`), so nothing bound need outlive its `bind` call; a value
/// SQLite refuses to bind is thrown by the next `run`, which runs nothing; `run` resets the statement and clears its
/// bindings, whatever it throws, so that it leaves it as GRDB expects to find a cached statement.
struct DirectStatement: ~Copyable {
    private let statement: Statement
    private var handle: SQLiteStatement { statement.sqliteStatement }
    private var next: CInt = 1
    /// The first binding SQLite refused since the last `run`, which then throws it.
    private var refusedBinding: (code: CInt, index: CInt)?

    /// GRDB resets a statement before it runs it, not after: one it ran last may still be stepping, and SQLite
    /// refuses bindings until it is reset.
    init(_ statement: Statement) {
        self.statement = statement
        sqlite3_reset(statement.sqliteStatement)
        sqlite3_clear_bindings(statement.sqliteStatement)
    }

    private mutating func check(_ code: CInt) {
        if code != SQLITE_OK && refusedBinding == nil { refusedBinding = (code, next) }
    }

    /// SQLite copies the bytes before the bind call returns (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    mutating func bind(_ value: String?) {
        defer { next += 1 }
        guard var value else { return check(sqlite3_bind_null(handle, next)) }
        let code = value.withUTF8 { utf8 in
            guard let start = utf8.baseAddress else {
                // An empty string's bytes may have no address; "" is text, not NULL.
                return sqlite3_bind_text64(handle, next, "", 0, Self.transient, UInt8(SQLITE_UTF8))
            }
            return start.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                sqlite3_bind_text64(handle, next, $0, sqlite3_uint64(utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            }
        }
        check(code)
    }

    mutating func bind(_ value: Int64?) {
        defer { next += 1 }
        guard let value else { return check(sqlite3_bind_null(handle, next)) }
        check(sqlite3_bind_int64(handle, next, value))
    }

    mutating func bind(_ value: Int?) { bind(value.map(Int64.init)) }

    mutating func bind(_ value: Double?) {
        defer { next += 1 }
        guard let value else { return check(sqlite3_bind_null(handle, next)) }
        check(sqlite3_bind_double(handle, next, value))
    }

    mutating func bind(_ value: Data?) {
        defer { next += 1 }
        guard let value else { return check(sqlite3_bind_null(handle, next)) }
        let code = value.withUnsafeBytes { bytes in
            // A zero-length blob needs an address that is not null, or SQLite binds NULL.
            sqlite3_bind_blob64(
                handle, next, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, sqlite3_uint64(bytes.count),
                Self.transient)
        }
        check(code)
    }

    /// Steps the statement to its end (rows it returns are passed over) and returns the rows it changed.
    /// Throws the `DatabaseError` GRDB would, so that callers map it as they map GRDB's (a full disk included).
    @discardableResult
    mutating func run() throws -> Int {
        defer { reset() }
        try throwRefusedBinding()
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_DONE:
                return Int(sqlite3_changes(sqlite3_db_handle(handle)))
            case SQLITE_ROW:
                continue
            case let code:
                throw stepFailure(code)
            }
        }
    }

    /// Steps the statement once: whether it returned a row. For lookups that only ask whether a row exists.
    mutating func hasRow() throws -> Bool {
        defer { reset() }
        try throwRefusedBinding()
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            throw stepFailure(code)
        }
    }

    /// Steps the statement once and returns the first column of the row it returned as an integer: nil when it
    /// returned no row, or NULL. For an `INSERT ... RETURNING` of one row, whose change SQLite makes at that step.
    mutating func firstInteger() throws -> Int64? {
        defer { reset() }
        try throwRefusedBinding()
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            return sqlite3_column_type(handle, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 0)
        case SQLITE_DONE: return nil
        case let code:
            throw stepFailure(code)
        }
    }

    /// Steps the statement through every row it returns, calling `body` with each: a `DirectRow` read only within
    /// the call (SQLite reuses its values at the next step).
    mutating func forEachRow(_ body: (DirectRow) throws -> Void) throws {
        defer { reset() }
        try throwRefusedBinding()
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_ROW:
                try body(DirectRow(handle: handle))
            case SQLITE_DONE:
                return
            case let code:
                throw stepFailure(code)
            }
        }
    }

    /// The error of a step that ended with `code`, as GRDB reports it.
    private func stepFailure(_ code: CInt) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code),
            message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: statement.sql)
    }

    private mutating func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        next = 1
        refusedBinding = nil
    }

    private func throwRefusedBinding() throws {
        guard let (code, index) = refusedBinding else { return }
        throw DatabaseError(
            resultCode: ResultCode(rawValue: code), message: "value \(index) could not be bound", sql: statement.sql)
    }
}

/// The row a `DirectStatement` stepped to, its columns read through SQLite's C interface, as GRDB would read them
/// (an integer or a real converted as SQLite converts it). Valid only inside the `forEachRow` call that gave it.
struct DirectRow {
    fileprivate let handle: SQLiteStatement

    func isNull(_ column: CInt) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func integer(_ column: CInt) -> Int64 { sqlite3_column_int64(handle, column) }

    func integerOrNil(_ column: CInt) -> Int64? { isNull(column) ? nil : integer(column) }

    func double(_ column: CInt) -> Double { sqlite3_column_double(handle, column) }

    /// The column's text up to its first NUL, as GRDB reads a `String`; "" for NULL.
    func text(_ column: CInt) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        return String(cString: bytes)
    }

    /// The column's bytes, nil for NULL.
    func blob(_ column: CInt) -> Data? {
        if isNull(column) { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return Data() }
        return Data(bytes: bytes, count: count)
    }
}
