import GRDB

/// Schema v14: an article's input id kept once.
///
/// An article that came with an id of its own is known by the key `id:` + that id (`ArticleIdentity.key`), and
/// its row kept the id again in `input_id`, with an index entry for it: some 60 bytes a news article, for a lookup
/// its key answers as well. From v14 `input_id` is empty when the key is `id:` + the id, and the index holds only
/// the rows whose id is not in their key (articles known by URL or text).
///
/// Invariant: `inputID(stored:key:)` of a row is the id its latest version came with.
enum InputIDsOnceSchema {
    static let migration = """
        UPDATE articles SET input_id = '' WHERE article_key = 'id:' || input_id;
        DROP INDEX IF EXISTS articles_input_id;
        CREATE INDEX articles_input_id ON articles (input_id) WHERE input_id <> '';
        """

    /// The v14 migration. (A store written before v4 gets its articles from the newest migration, once every
    /// table has the layout today's ledger writes: `SQLiteSchema`.)
    static func migrate(_ db: Database) throws {
        try db.execute(sql: migration)
    }

    /// What an article row keeps of `inputID`, for the article known by `key`.
    static func stored(_ inputID: String, key: String) -> String {
        key == "id:" + inputID ? "" : inputID
    }

    /// The input id of an article row that keeps `stored` and has `key`.
    static func inputID(stored: String, key: String) -> String {
        stored.isEmpty && key.hasPrefix("id:") ? String(key.dropFirst(3)) : stored
    }
}
