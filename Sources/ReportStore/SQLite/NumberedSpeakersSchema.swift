import GRDB

/// Schema v10: speakers by number.
///
/// A speaker's key (some 26 bytes of Arabic) was repeated in each of the speaker's rows per article, per day and per
/// outlet, language and topic, and again in the index of article rows; each article row also kept the name the
/// article wrote, which no report read (reports name a speaker as `speaker_totals` does, and an article page reads
/// its analysis). v10 gives every speaker a `speaker_id` (`speaker_totals`' INTEGER PRIMARY KEY, its key unique)
/// and the other speaker tables hold that number.
///
/// Invariant, as for entities: a speaker's rows per article, day and facet count articles quoting it, so they empty
/// when its `speaker_totals` row does, in the same flush (`AggregateDeltas`), which also writes the speaker rows of
/// articles recorded since the last flush, once their speakers have numbers; a `speaker_id` given again to a new
/// speaker holds no row of the one before.
enum NumberedSpeakersSchema {
    static let migration = """
        CREATE TABLE speaker_totals_v10 (
            speaker_id INTEGER PRIMARY KEY,
            speaker TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            quotes INTEGER NOT NULL,
            articles INTEGER NOT NULL
        );
        INSERT INTO speaker_totals_v10 (speaker, name, quotes, articles)
            SELECT speaker, name, quotes, articles FROM speaker_totals ORDER BY speaker;
        INSERT INTO speaker_totals_v10 (speaker, name, quotes, articles)
            SELECT speaker, MIN(name), SUM(quotes), COUNT(*) FROM article_speakers WHERE true GROUP BY speaker
            ON CONFLICT (speaker) DO NOTHING;
        CREATE TABLE article_speakers_v10 (
            speaker_id INTEGER NOT NULL,
            article_id INTEGER NOT NULL,
            quotes INTEGER NOT NULL,
            PRIMARY KEY (speaker_id, article_id)
        ) WITHOUT ROWID;
        INSERT INTO article_speakers_v10 (speaker_id, article_id, quotes)
            SELECT t.speaker_id, s.article_id, s.quotes FROM article_speakers s JOIN speaker_totals_v10 t USING (speaker);
        CREATE TABLE speaker_days_v10 (
            day TEXT NOT NULL,
            speaker_id INTEGER NOT NULL,
            quotes INTEGER NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (day, speaker_id)
        ) WITHOUT ROWID;
        INSERT INTO speaker_days_v10 (day, speaker_id, quotes, articles)
            SELECT d.day, t.speaker_id, d.quotes, d.articles FROM speaker_days d JOIN speaker_totals_v10 t USING (speaker);
        CREATE TABLE speaker_facets_v10 (
            facet TEXT NOT NULL,
            value TEXT NOT NULL,
            speaker_id INTEGER NOT NULL,
            quotes INTEGER NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (facet, value, speaker_id)
        ) WITHOUT ROWID;
        INSERT INTO speaker_facets_v10 (facet, value, speaker_id, quotes, articles)
            SELECT f.facet, f.value, t.speaker_id, f.quotes, f.articles
            FROM speaker_facets f JOIN speaker_totals_v10 t USING (speaker);
        DROP TABLE speaker_totals;
        DROP TABLE article_speakers;
        DROP TABLE speaker_days;
        DROP TABLE speaker_facets;
        ALTER TABLE speaker_totals_v10 RENAME TO speaker_totals;
        ALTER TABLE article_speakers_v10 RENAME TO article_speakers;
        ALTER TABLE speaker_days_v10 RENAME TO speaker_days;
        ALTER TABLE speaker_facets_v10 RENAME TO speaker_facets;
        CREATE INDEX speaker_totals_quotes ON speaker_totals (quotes);
        CREATE INDEX article_speakers_article ON article_speakers (article_id);
        """

    /// The v10 migration. (A store written before v4 gets its articles from the newest migration, once every
    /// table has the layout today's ledger writes: `SQLiteSchema`.)
    static func migrate(_ db: Database) throws {
        try db.execute(sql: migration)
    }
}
