import GRDB

/// Schema v8: the entity summary rows by number.
///
/// `entity_days` and `entity_facets` (`SummarySchema`) repeated each entity's key and type, some 25 bytes, in
/// every row and again in `entity_days_entity`: about 0.7 KB of a stored news article. v8 keys them by
/// `entity_totals.entity_id`, as v7 did the co-occurring pairs.
///
/// Invariant, as for pairs: an entity's summary rows count articles naming it, so they empty when its
/// `entity_totals` row does, and go in the same flush (`AggregateDeltas`); an `entity_id` given again to a new
/// entity holds no summary row of the one before.
enum NumberedEntitySummariesSchema {
    static let migration = """
        CREATE TABLE entity_days_v8 (
            day TEXT NOT NULL,
            entity_id INTEGER NOT NULL,
            articles INTEGER NOT NULL,
            mentions INTEGER NOT NULL,
            PRIMARY KEY (day, entity_id)
        ) WITHOUT ROWID;
        INSERT INTO entity_days_v8 (day, entity_id, articles, mentions)
            SELECT d.day, t.entity_id, d.articles, d.mentions
            FROM entity_days d JOIN entity_totals t ON t.key = d.key AND t.type = d.type;
        CREATE TABLE entity_facets_v8 (
            facet TEXT NOT NULL,
            value TEXT NOT NULL,
            entity_id INTEGER NOT NULL,
            articles INTEGER NOT NULL,
            mentions INTEGER NOT NULL,
            tone_sum REAL NOT NULL,
            named_sources INTEGER NOT NULL,
            anonymous_sources INTEGER NOT NULL,
            quotes INTEGER NOT NULL,
            PRIMARY KEY (facet, value, entity_id)
        ) WITHOUT ROWID;
        INSERT INTO entity_facets_v8 (facet, value, entity_id, articles, mentions, tone_sum, named_sources,
                anonymous_sources, quotes)
            SELECT f.facet, f.value, t.entity_id, f.articles, f.mentions, f.tone_sum, f.named_sources,
                f.anonymous_sources, f.quotes
            FROM entity_facets f JOIN entity_totals t ON t.key = f.key AND t.type = f.type;
        DROP TABLE entity_days;
        DROP TABLE entity_facets;
        ALTER TABLE entity_days_v8 RENAME TO entity_days;
        ALTER TABLE entity_facets_v8 RENAME TO entity_facets;
        CREATE INDEX entity_days_entity ON entity_days (entity_id, day, articles);
        """

    /// The v8 migration. (A store written before v4 gets its articles from the newest migration, once every
    /// table has the layout today's ledger writes: `SQLiteSchema`.)
    static func migrate(_ db: Database) throws {
        try db.execute(sql: migration)
    }
}
