import GRDB

/// Schema v9: each article's entity rows and each story's term rows by number.
///
/// `article_entities` repeated the entity's key and type and the article's day, outlet and language in every row,
/// and its `article_id` index repeated the key again: about 1.1 KB of a stored news article. `story_terms`
/// repeated each term and its display name for every story holding it: about 0.6 KB. v9 keys an article's
/// entity rows by `entity_totals.entity_id` and a story's terms by `term_counts.term_id`; the day, outlet and
/// language are read from `articles`, and a term's display name is kept once, in `term_counts.name`.
///
/// Invariants:
/// - an entity's `article_entities` rows are the latest versions naming it, so they are gone when its
///   `entity_totals` row goes (with its last article, in the flush of `AggregateDeltas`, which also writes the
///   rows of articles recorded since the last flush, once their entities have numbers);
/// - a story's term row counts articles of the story carrying the term, so it is gone before the term's
///   `term_counts` row goes (a term's count is the number of its postings);
/// - `term_counts.name` is the name the term had when its row was made (NULL for rows made before v9 without a
///   story row to take it from: reports show the term).
enum NumberedEntityRowsSchema {
    static let migration = """
        INSERT INTO entity_totals (key, type, name, articles, mentions, first_seen, last_seen)
            SELECT key, type, key, COUNT(*), SUM(mentions), MIN(time_ms), MAX(time_ms) FROM article_entities
            WHERE true GROUP BY key, type
            ON CONFLICT (key, type) DO NOTHING;
        CREATE TABLE article_entities_v9 (
            entity_id INTEGER NOT NULL,
            time_ms INTEGER NOT NULL,
            article_id INTEGER NOT NULL,
            mentions INTEGER NOT NULL,
            paired INTEGER NOT NULL,
            PRIMARY KEY (entity_id, time_ms, article_id)
        ) WITHOUT ROWID;
        INSERT INTO article_entities_v9 (entity_id, time_ms, article_id, mentions, paired)
            SELECT t.entity_id, e.time_ms, e.article_id, e.mentions, e.paired
            FROM article_entities e JOIN entity_totals t ON t.key = e.key AND t.type = e.type;
        DROP TABLE article_entities;
        ALTER TABLE article_entities_v9 RENAME TO article_entities;
        CREATE INDEX article_entities_article ON article_entities (article_id);

        ALTER TABLE term_counts ADD COLUMN name TEXT;
        UPDATE term_counts SET name = n.name
            FROM (SELECT term, MIN(name) AS name FROM story_terms GROUP BY term) n WHERE n.term = term_counts.term;
        CREATE TABLE story_terms_v9 (
            story_id INTEGER NOT NULL,
            term_id INTEGER NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (story_id, term_id)
        ) WITHOUT ROWID;
        INSERT INTO story_terms_v9 (story_id, term_id, articles)
            SELECT s.story_id, c.term_id, s.articles FROM story_terms s JOIN term_counts c ON c.term = s.term;
        DROP TABLE story_terms;
        ALTER TABLE story_terms_v9 RENAME TO story_terms;
        """

    /// The v9 migration. (A store written before v4 gets its articles from the newest migration, once every
    /// table has the layout today's ledger writes: `SQLiteSchema`.)
    static func migrate(_ db: Database) throws {
        try db.execute(sql: migration)
    }
}
