import Foundation
import PostgresNIO

/// SQL text built piece by piece with its parameters: `bind` appends a value and returns its placeholder (`$n`).
struct PostgresStatement {
    var text = ""
    private(set) var binds = PostgresBindings()
    private var count = 0

    init(_ text: String = "") { self.text = text }

    mutating func bind<V: PostgresNonThrowingEncodable>(_ value: V) -> String {
        binds.append(value)
        count += 1
        return "$\(count)"
    }

    mutating func bind<V: PostgresNonThrowingEncodable>(_ value: V?) -> String {
        binds.append(value)
        count += 1
        return "$\(count)"
    }

    mutating func bind(_ value: Data?) -> String {
        if let value { binds.append(PostgresData(bytes: value)) } else { binds.appendNull() }
        count += 1
        return "$\(count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: text, binds: binds) }
}

extension PostgresConnection {
    /// Runs `query` and reads every row.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await self.query(query, logger: PostgresReportStore.quietLogger).collect().map { $0.makeRandomAccess() }
    }

    func row(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
        try await rows(query).first
    }

    func execute(_ query: PostgresQuery) async throws {
        _ = try await self.query(query, logger: PostgresReportStore.quietLogger).collect()
    }
}

extension PostgresRandomAccessRow {
    func value<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self)
    }
}
