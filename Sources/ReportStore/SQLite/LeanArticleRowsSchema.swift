import GRDB

/// Schema v11: article rows without copies of their latest result's URL and title.
///
/// An article row copied its latest result's `url` and `title` (some 230 bytes of a news article), which the
/// result row (`results`, found by `articles.job_id`) keeps anyway. v11 drops `articles.url`, and keeps
/// `articles.title` only where the result row has none: the title the analysis found in a page
/// (`ArticleFacts.title`). Readers take an article's title as `COALESCE(articles.title, results.title)` and its URL
/// from the result row (`SQLiteReportStore.articleRows`).
enum LeanArticleRowsSchema {
    static let migration = """
        UPDATE articles SET title = NULL
            WHERE title IS NOT NULL AND title = (SELECT r.title FROM results r WHERE r.job_id = articles.job_id);
        ALTER TABLE articles DROP COLUMN url;
        """

    /// The title an article row keeps: none when its result row has the title.
    static func keptTitle(_ facts: ArticleFacts, result: StoredResult) -> String? {
        result.article.title == nil ? facts.title : nil
    }

    /// The v11 migration. (A store written before v4 gets its articles from the newest migration, once every
    /// table has the layout today's ledger writes: `SQLiteSchema`.)
    static func migrate(_ db: Database) throws {
        try db.execute(sql: migration)
    }
}
