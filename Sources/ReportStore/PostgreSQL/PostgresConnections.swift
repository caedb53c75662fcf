import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// The PostgreSQL store's connections to its server: an idle one is reused, a new one is opened when every open one
/// is in use, so there are never more than the store's callers at one time.
///
/// There is no pool task, timer or other background work: a connection is opened by the call that needs it and
/// everything a call awaits completes on NIO's event loops. So the store's work never needs a thread of Swift's
/// cooperative pool, and a caller blocked on it (`PostgresBridge.wait`) cannot starve it, even when every pool
/// thread is such a caller.
///
/// Invariants: a connection is either in `idle` or lent to exactly one call; a closed connection, or one whose
/// transaction could not be rolled back, is never lent again; at most `maximumIdle` stay open while idle; after
/// `close()` nothing is lent and every connection is closed once its call returns.
final class PostgresConnections: Sendable {
    private struct State {
        var idle: [PostgresConnection] = []
        var nextID = 0
        var closed = false
    }

    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let maximumIdle: Int
    private let state = Mutex(State())

    init(configuration: PostgresConnection.Configuration, logger: Logger, maximumIdle: Int = 4) {
        self.configuration = configuration
        self.logger = logger
        self.maximumIdle = maximumIdle
    }

    /// Runs `body` on a connection of its own for the call.
    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await lend()
        do {
            let value = try await body(connection)
            giveBack(connection)
            return value
        } catch {
            giveBack(connection)
            throw error
        }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it or the commit throws.
    func withTransaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in
            try await connection.execute("BEGIN")
            do {
                let value = try await body(connection)
                try await connection.execute("COMMIT")
                return value
            } catch {
                do {
                    try await connection.execute("ROLLBACK")
                } catch {
                    // A connection whose transaction state is unknown is not lent again.
                    try? await connection.close()
                }
                throw error
            }
        }
    }

    /// Closes the idle connections and refuses new calls; a connection still lent is closed when its call
    /// returns. The future completes once the idle ones are closed.
    func close() -> EventLoopFuture<Void> {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        let eventLoop = PostgresConnection.defaultEventLoopGroup.any()
        return EventLoopFuture.andAllComplete(idle.map(Self.close), on: eventLoop)
    }

    /// Closes `connection`, keeping it alive until its channel has closed (a connection must not be freed open).
    private static func close(_ connection: PostgresConnection) -> EventLoopFuture<Void> {
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
        return closing
    }

    private func lend() async throws -> PostgresConnection {
        let (reused, id): (PostgresConnection?, Int) = try state.withLock { state in
            guard !state.closed else { throw ReportStoreError.invalidArgument("the PostgreSQL store was closed") }
            while let connection = state.idle.popLast() {
                if !connection.isClosed { return (connection, connection.id) }
            }
            state.nextID += 1
            return (nil, state.nextID)
        }
        if let reused { return reused }
        return try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
    }

    private func giveBack(_ connection: PostgresConnection) {
        let keep = state.withLock { state in
            guard !state.closed, !connection.isClosed, state.idle.count < maximumIdle else { return false }
            state.idle.append(connection)
            return true
        }
        if !keep { _ = Self.close(connection) }
    }
}
