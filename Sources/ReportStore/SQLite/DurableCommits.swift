import GRDB

extension DatabasePool {
    /// Sets `synchronous = FULL` on the pool's writer, so that a commit returns only once the log holds it on disk.
    ///
    /// Why `Configuration.prepareDatabase` is not enough: a `DatabasePool` turns its writer to WAL mode after
    /// preparing it, and sets `synchronous = NORMAL` as it does (GRDB's `Database.setUpWALMode`). Under NORMAL a
    /// commit returns before the log is synced, so a power cut could take results already acknowledged to their
    /// workers. Readers never write, so the writer's setting is the one that counts.
    func makeCommitsDurable() throws {
        try writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    }

    /// The writer's `synchronous` setting (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA).
    var writerSynchronous: Int {
        get throws { try writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 } }
    }
}
