import GRDB

/// Schema v12: facet values by number.
///
/// The summary rows of entities and speakers per outlet, language and topic (`entity_facets`, `speaker_facets`)
/// began with the facet's name and value as text, some 13 bytes in each of the 24 such rows of a news article. v12
/// numbers each (facet, value) in `facets`, a dictionary whose rows are never deleted (an outlet, a language or a
/// topic is one row however many articles name it), and the summary rows begin with that `facet_id`.
enum NumberedFacetsSchema {
    static let migration = """
        CREATE TABLE facets (
            facet_id INTEGER PRIMARY KEY,
            facet TEXT NOT NULL,
            value TEXT NOT NULL,
            UNIQUE (facet, value)
        );
        INSERT INTO facets (facet, value)
            SELECT facet, value FROM entity_facets UNION SELECT facet, value FROM speaker_facets ORDER BY 1, 2;
        CREATE TABLE entity_facets_v12 (
            facet_id INTEGER NOT NULL,
            entity_id INTEGER NOT NULL,
            articles INTEGER NOT NULL,
            mentions INTEGER NOT NULL,
            tone_sum REAL NOT NULL,
            named_sources INTEGER NOT NULL,
            anonymous_sources INTEGER NOT NULL,
            quotes INTEGER NOT NULL,
            PRIMARY KEY (facet_id, entity_id)
        ) WITHOUT ROWID;
        INSERT INTO entity_facets_v12 (facet_id, entity_id, articles, mentions, tone_sum, named_sources,
                anonymous_sources, quotes)
            SELECT v.facet_id, f.entity_id, f.articles, f.mentions, f.tone_sum, f.named_sources, f.anonymous_sources,
                f.quotes
            FROM entity_facets f JOIN facets v ON v.facet = f.facet AND v.value = f.value;
        CREATE TABLE speaker_facets_v12 (
            facet_id INTEGER NOT NULL,
            speaker_id INTEGER NOT NULL,
            quotes INTEGER NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (facet_id, speaker_id)
        ) WITHOUT ROWID;
        INSERT INTO speaker_facets_v12 (facet_id, speaker_id, quotes, articles)
            SELECT v.facet_id, f.speaker_id, f.quotes, f.articles
            FROM speaker_facets f JOIN facets v ON v.facet = f.facet AND v.value = f.value;
        DROP TABLE entity_facets;
        DROP TABLE speaker_facets;
        ALTER TABLE entity_facets_v12 RENAME TO entity_facets;
        ALTER TABLE speaker_facets_v12 RENAME TO speaker_facets;
        """

    /// The number of a (facet, value), given one if it has none yet.
    static func number(facet: String, value: String, in db: Database) throws -> Int64 {
        if let id = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT facet_id FROM facets WHERE facet = ? AND value = ?"), arguments: [facet, value]
        ) {
            return id
        }
        try db.cachedStatement(sql: "INSERT INTO facets (facet, value) VALUES (?, ?)").execute(arguments: [facet, value])
        return db.lastInsertedRowID
    }

    /// The v12 migration. (A store written before v4 gets its articles from the newest migration, once every
    /// table has the layout today's ledger writes: `SQLiteSchema`.)
    static func migrate(_ db: Database) throws {
        try db.execute(sql: migration)
    }
}
