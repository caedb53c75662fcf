import NIOPosix
import ReportStore

/// Runs the store's blocking reads on a thread pool, never on an event loop.
///
/// A query is a synchronous read: it waits on SQLite's file I/O and GRDB's reader connections, or on the PostgreSQL
/// server's answer (a busy store or a cold page cache can take most of a second). Run on one of Hummingbird's event loops it would hold up
/// every other connection that loop serves, the health of the whole server resting on the slowest query; on
/// `threadPool` only the request that asked waits. The pool's size bounds how many reads run at once.
struct StoreReads: Sendable {
    let store: any ReportStore & ReportQueries
    let threadPool: NIOThreadPool

    /// `body`'s result; a store failure becomes a 500 page with the store's message.
    func run<T: Sendable>(_ body: @escaping @Sendable (any ReportStore & ReportQueries) throws -> T) async throws -> T {
        let store = store
        do {
            return try await threadPool.runIfActive { try body(store) }
        } catch let error as ReportStoreError {
            throw PageError(status: .internalServerError, title: "The report store cannot be read", message: "\(error)")
        }
    }
}
