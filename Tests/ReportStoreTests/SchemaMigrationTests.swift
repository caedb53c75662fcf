import ArticleAnalysis
import Foundation
import GRDB
import Testing
@testable import ReportStore

/// Stores written by every earlier schema version open, are upgraded to articles and aggregates, and keep their
/// rows; a store written by a newer version is refused and left as it was.
@Suite struct SchemaMigrationTests {
    static let earlier = ["v1: results, entities, topics", "v2: stored_notices", "v3: analysis as protobuf, entities and topics by key"]

    /// Results as the schema `version` stored them: JSON analyses before v3, protobuf from v3 on.
    private func writeOldStore(at path: String, upTo version: String, results: [StoredResult]) throws {
        let queue = try DatabaseQueue(path: path)
        try SQLiteSchema.migrator.migrate(queue, upTo: version)
        try queue.write { db in
            for (i, result) in results.enumerated() {
                let a = result.article
                let analysis = try #require(result.analysis)
                let usesProtobuf = version.hasPrefix("v3")
                try db.execute(sql: """
                    INSERT INTO results (job_id, batch_id, article_id, url, source, category, title, published, author,
                        language, status, worker_id, submitted_at, analysed_at, stored_at, token_count, analysis\(usesProtobuf ? ", analysis_pb" : ""))
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ar', 'analysed', ?, NULL, ?, ?, 0, ?\(usesProtobuf ? ", ?" : ""))
                    """, arguments: StatementArguments([
                        result.jobID, result.batchID, a.id, a.url, a.source, a.category, a.title, a.published, a.author,
                        result.workerID, result.analysedAt.map(StoredTime.milliseconds), 1_700_000_000_000 + Int64(i),
                        usesProtobuf ? nil : String(decoding: try JSONEncoder().encode(analysis), as: UTF8.self),
                    ] + (usesProtobuf ? [result.storedAnalysis?.bytes] : []) as [(any DatabaseValueConvertible)?]))
                let entityTable = "entities"
                for e in analysis.canonicalEntities {
                    try db.execute(sql: "INSERT INTO \(entityTable) (job_id, key, name, type, mentions) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [result.jobID, e.key, e.name, e.type.rawValue, e.mentions])
                }
            }
        }
    }

    private var oldResults: [StoredResult] {
        let a = StoreTestArticles.analysis(text: "نص أول", entities: [("غزه", .location, 2), ("حماس", .organization, 1)], speakers: ["هنية"])
        let b = StoreTestArticles.analysis(text: "نص ثان", entities: [("غزه", .location, 1)])
        return [
            StoreTestArticles.result(job: "j1", article: "a", analysis: a),
            StoreTestArticles.result(job: "j2", article: "b", source: "BBC", analysis: b),
            // The same article submitted twice before articles existed: one article after the upgrade.
            StoreTestArticles.result(job: "j3", article: "a", analysis: a),
        ]
    }

    @Test(arguments: SchemaMigrationTests.earlier)
    func everyEarlierVersionIsUpgradedToArticles(version: String) throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("old.sqlite").path
        try writeOldStore(at: path, upTo: version, results: oldResults)

        let store = try SQLiteReportStore(path: path)
        #expect(try store.count().analysed == 3)
        #expect(try store.summary(ReportFilter()).articles == 2)
        #expect(try store.topEntities(limit: 5, type: nil) == [
            EntityCount(key: "غزه", type: .location, mentions: 3, articles: 2),
            EntityCount(key: "حماس", type: .organization, mentions: 1, articles: 1),
        ])
        #expect(try store.article(id: "a")?.seen == 2)
        #expect(try store.speakers(ReportFilter(), limit: 5).map(\.quotes) == [1])
        #expect(try store.summary(ReportFilter(source: "BBC")).articles == 1)
        #expect(try store.topEntities(ReportFilter(source: "BBC"), limit: 5, type: nil).map(\.key) == ["غزه"])
        #expect(try store.summary(ReportFilter()).repeats == 1)
        try AggregateCheck.expectConsistent(store)
        let applied = try store.pool.read { try SQLiteSchema.migrator.appliedMigrations($0) }
        #expect(applied.count == SQLiteSchema.currentVersion)
        // And it takes new results as a store made today does.
        _ = try store.store([StoreTestArticles.result(job: "j4", article: "c", analysis: StoreTestArticles.analysis(text: "جديد", entities: [("غزه", .location, 1)]))])
        #expect(try store.topEntities(limit: 1, type: nil).first?.articles == 3)
    }

    /// What v13 left of a store that v14 writes: every article's input id in its row and its index.
    static let backToV13 = """
        UPDATE articles SET input_id = substr(article_key, 4) WHERE input_id = '';
        DROP INDEX articles_input_id;
        CREATE INDEX articles_input_id ON articles (input_id);
        """

    /// What v12 left of a store that v13 writes: results counted per batch through an index, and two indexes no
    /// query read.
    static let backToV12 = """
        DROP TABLE batch_counts;
        CREATE INDEX results_batch ON results (batch_id, status);
        CREATE INDEX results_source ON results (source);
        CREATE INDEX articles_job ON articles (job_id);
        """

    /// What v11 left of a store that v12 writes: summary rows per facet beginning with the facet's name and value.
    static let backToV11 = """
        CREATE TABLE entity_facets_v11 (
            facet TEXT NOT NULL, value TEXT NOT NULL, entity_id INTEGER NOT NULL, articles INTEGER NOT NULL,
            mentions INTEGER NOT NULL, tone_sum REAL NOT NULL, named_sources INTEGER NOT NULL,
            anonymous_sources INTEGER NOT NULL, quotes INTEGER NOT NULL, PRIMARY KEY (facet, value, entity_id)
        ) WITHOUT ROWID;
        INSERT INTO entity_facets_v11 SELECT v.facet, v.value, f.entity_id, f.articles, f.mentions, f.tone_sum,
            f.named_sources, f.anonymous_sources, f.quotes FROM entity_facets f JOIN facets v USING (facet_id);
        CREATE TABLE speaker_facets_v11 (
            facet TEXT NOT NULL, value TEXT NOT NULL, speaker_id INTEGER NOT NULL, quotes INTEGER NOT NULL,
            articles INTEGER NOT NULL, PRIMARY KEY (facet, value, speaker_id)
        ) WITHOUT ROWID;
        INSERT INTO speaker_facets_v11 SELECT v.facet, v.value, f.speaker_id, f.quotes, f.articles
            FROM speaker_facets f JOIN facets v USING (facet_id);
        DROP TABLE entity_facets; DROP TABLE speaker_facets; DROP TABLE facets;
        ALTER TABLE entity_facets_v11 RENAME TO entity_facets;
        ALTER TABLE speaker_facets_v11 RENAME TO speaker_facets;
        """

    /// What v10 left of a store that v11 writes: article rows with copies of their result's URL and title.
    static let backToV10 = """
        ALTER TABLE articles ADD COLUMN url TEXT;
        UPDATE articles SET url = (SELECT r.url FROM results r WHERE r.job_id = articles.job_id),
            title = COALESCE(title, (SELECT r.title FROM results r WHERE r.job_id = articles.job_id));
        """

    /// What v9 left of a store that v10 writes: speakers by their keys, each article's speaker row with the name
    /// the article wrote (here the kept name).
    static let backToV9 = """
        CREATE TABLE speaker_totals_v9 (
            speaker TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, quotes INTEGER NOT NULL, articles INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO speaker_totals_v9 SELECT speaker, name, quotes, articles FROM speaker_totals;
        CREATE TABLE article_speakers_v9 (
            speaker TEXT NOT NULL, article_id INTEGER NOT NULL, name TEXT NOT NULL, quotes INTEGER NOT NULL,
            PRIMARY KEY (speaker, article_id)
        ) WITHOUT ROWID;
        INSERT INTO article_speakers_v9 SELECT t.speaker, s.article_id, t.name, s.quotes
            FROM article_speakers s JOIN speaker_totals t USING (speaker_id);
        CREATE TABLE speaker_days_v9 (
            day TEXT NOT NULL, speaker TEXT NOT NULL, quotes INTEGER NOT NULL, articles INTEGER NOT NULL,
            PRIMARY KEY (day, speaker)
        ) WITHOUT ROWID;
        INSERT INTO speaker_days_v9 SELECT d.day, t.speaker, d.quotes, d.articles FROM speaker_days d JOIN speaker_totals t USING (speaker_id);
        CREATE TABLE speaker_facets_v9 (
            facet TEXT NOT NULL, value TEXT NOT NULL, speaker TEXT NOT NULL, quotes INTEGER NOT NULL,
            articles INTEGER NOT NULL, PRIMARY KEY (facet, value, speaker)
        ) WITHOUT ROWID;
        INSERT INTO speaker_facets_v9 SELECT f.facet, f.value, t.speaker, f.quotes, f.articles
            FROM speaker_facets f JOIN speaker_totals t USING (speaker_id);
        DROP TABLE speaker_totals; DROP TABLE article_speakers; DROP TABLE speaker_days; DROP TABLE speaker_facets;
        ALTER TABLE speaker_totals_v9 RENAME TO speaker_totals;
        ALTER TABLE article_speakers_v9 RENAME TO article_speakers;
        ALTER TABLE speaker_days_v9 RENAME TO speaker_days;
        ALTER TABLE speaker_facets_v9 RENAME TO speaker_facets;
        CREATE INDEX speaker_totals_quotes ON speaker_totals (quotes);
        CREATE INDEX article_speakers_article ON article_speakers (article_id);
        """

    /// What v8 left of a store that v9 writes: each article's entity rows by the entity's key and type, with copies
    /// of the article's day, outlet and language; story terms by their text, each with its name.
    static let backToV8 = """
        CREATE TABLE article_entities_v8 (
            key TEXT NOT NULL, type TEXT NOT NULL, time_ms INTEGER NOT NULL, article_id INTEGER NOT NULL,
            mentions INTEGER NOT NULL, paired INTEGER NOT NULL, day TEXT NOT NULL, source TEXT NOT NULL,
            language TEXT NOT NULL, PRIMARY KEY (key, type, time_ms, article_id)
        ) WITHOUT ROWID;
        INSERT INTO article_entities_v8 SELECT t.key, t.type, e.time_ms, e.article_id, e.mentions, e.paired, a.day,
            a.source, a.language FROM article_entities e JOIN entity_totals t USING (entity_id) JOIN articles a USING (article_id);
        DROP TABLE article_entities;
        ALTER TABLE article_entities_v8 RENAME TO article_entities;
        CREATE INDEX article_entities_article ON article_entities (article_id);
        CREATE TABLE story_terms_v8 (
            story_id INTEGER NOT NULL, term TEXT NOT NULL, name TEXT NOT NULL, articles INTEGER NOT NULL,
            PRIMARY KEY (story_id, term)
        ) WITHOUT ROWID;
        INSERT INTO story_terms_v8 SELECT s.story_id, c.term, c.name, s.articles FROM story_terms s JOIN term_counts c USING (term_id);
        DROP TABLE story_terms;
        ALTER TABLE story_terms_v8 RENAME TO story_terms;
        ALTER TABLE term_counts DROP COLUMN name;
        """

    /// A v8 store keeps every report as it read: its entity rows, story terms and speakers are numbered, and a new
    /// copy of an article joins the story of its original.
    @Test func aV8StoreIsNumberedAndReadsTheSame() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("v8.sqlite").path
        let filters = [
            ReportFilter(), ReportFilter(source: "BBC"), ReportFilter(topic: "war"), ReportFilter(entity: "غزه"),
            ReportFilter(source: "BBC", entity: "مصر"),
        ]
        let before: [ReportOverview]
        let entityBefore: [EntityPage?]
        let speakersBefore: [[SpeakerTotal]]
        let storyBefore: StoryPage?
        do {
            let store = try SQLiteReportStore(path: path)
            try fillStore(store)
            before = try filters.map { try store.overview($0) }
            speakersBefore = try filters.map { try store.speakers($0, limit: 5) }
            entityBefore = try [ReportFilter(), ReportFilter(source: "BBC")].map {
                try store.entity(key: "غزه", type: .location, filter: $0)
            }
            let story = try #require(try store.article(id: "c")?.story?.id)
            storyBefore = try store.story(id: story)
            try store.pool.write { db in
                try db.execute(sql: Self.backToV13)
                try db.execute(sql: Self.backToV12)
                try db.execute(sql: Self.backToV11)
                try db.execute(sql: Self.backToV10)
                try db.execute(sql: Self.backToV9)
                try db.execute(sql: Self.backToV8)
                for version in [SQLiteSchema.v9, SQLiteSchema.v10, SQLiteSchema.v11, SQLiteSchema.v12, SQLiteSchema.v13, SQLiteSchema.v14, SQLiteSchema.v15] {
                    try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [version])
                }
                #expect(try db.columns(in: "article_entities").map(\.name).contains("key"))
                #expect(try db.columns(in: "speaker_facets").map(\.name).contains("speaker"))
                #expect(try db.columns(in: "story_terms").map(\.name).contains("name"))
            }
        }
        let store = try SQLiteReportStore(path: path)
        try AggregateCheck.expectConsistent(store)
        #expect(try store.pool.read { db in try db.columns(in: "article_entities").map(\.name) }
            == ["entity_id", "time_ms", "article_id", "mentions", "paired"])
        #expect(try store.pool.read { db in try db.columns(in: "article_speakers").map(\.name) }
            == ["speaker_id", "article_id", "quotes"])
        #expect(try store.pool.read { db in try db.columns(in: "articles").map(\.name) }.contains("url") == false)
        #expect(try store.pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE name IN ('results_batch', 'results_source', 'articles_job')
                """)
        }.isEmpty)
        #expect(try store.batchCounts(batchID: "b").analysed > 0)
        #expect(try store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM articles WHERE input_id <> ''")
        } == 0, "every article of the store is known by its input id")
        #expect(try store.article(id: "a")?.article.id == "a")
        #expect(try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM articles WHERE title IS NOT NULL") } == 0)
        #expect(entityBefore[0]?.articles.allSatisfy { $0.title?.hasPrefix("عنوان") == true } == true)
        #expect(try filters.map { try store.speakers($0, limit: 5) } == speakersBefore)
        #expect(speakersBefore[0].count == 2)
        #expect(try filters.map { try store.overview($0) } == before)
        #expect(before[3].summary.articles == 2)
        #expect(try [ReportFilter(), ReportFilter(source: "BBC")].map {
            try store.entity(key: "غزه", type: .location, filter: $0)
        } == entityBefore)
        #expect(entityBefore[0]?.cooccurring.isEmpty == false)
        let storyOfC = try #require(try store.article(id: "c")?.story?.id)
        #expect(try store.story(id: storyOfC) == storyBefore)
        #expect(storyBefore?.terms.isEmpty == false)
        let copy = StoreTestArticles.analysis(text: "نص أول", entities: [("غزه", .location, 2), ("حماس", .organization, 1)],
                                              topics: ["war"], speakers: ["هنية"], named: 1, tone: 0.5)
        _ = try store.store([StoreTestArticles.result(job: "j6", article: "d", analysis: copy)])
        #expect(try store.article(id: "d")?.story?.id == storyOfC)
        try AggregateCheck.expectConsistent(store)
    }

    /// What v7 left of a store that v8 writes: the entity summary rows by the entity's key and type.
    static let backToV7 = """
        CREATE TABLE entity_days_v7 (
            day TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, articles INTEGER NOT NULL, mentions INTEGER NOT NULL,
            PRIMARY KEY (day, key, type)
        ) WITHOUT ROWID;
        INSERT INTO entity_days_v7 SELECT d.day, t.key, t.type, d.articles, d.mentions
            FROM entity_days d JOIN entity_totals t USING (entity_id);
        CREATE TABLE entity_facets_v7 (
            facet TEXT NOT NULL, value TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, articles INTEGER NOT NULL,
            mentions INTEGER NOT NULL, tone_sum REAL NOT NULL, named_sources INTEGER NOT NULL,
            anonymous_sources INTEGER NOT NULL, quotes INTEGER NOT NULL, PRIMARY KEY (facet, value, key, type)
        ) WITHOUT ROWID;
        INSERT INTO entity_facets_v7 SELECT f.facet, f.value, t.key, t.type, f.articles, f.mentions, f.tone_sum,
            f.named_sources, f.anonymous_sources, f.quotes FROM entity_facets f JOIN entity_totals t USING (entity_id);
        DROP TABLE entity_days; DROP TABLE entity_facets;
        ALTER TABLE entity_days_v7 RENAME TO entity_days;
        ALTER TABLE entity_facets_v7 RENAME TO entity_facets;
        CREATE INDEX entity_days_entity ON entity_days (key, type, day, articles);
        """

    /// What v6 left of a store that v7 writes (once `backToV7` has run): articles, terms and entities by their keys, and band postings as text
    /// (`b:BAND:HASH`, the hash's low 22 bits, which v7's keys do not keep, zero).
    static let backToV6 = """
        CREATE TABLE articles_v6 (
            article_key TEXT PRIMARY KEY NOT NULL, input_id TEXT NOT NULL, url TEXT, job_id TEXT NOT NULL,
            version INTEGER NOT NULL, seen INTEGER NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
            content_hash INTEGER NOT NULL, source TEXT NOT NULL, language TEXT NOT NULL, time_ms INTEGER NOT NULL,
            day TEXT NOT NULL, title TEXT, tone REAL NOT NULL, named_sources INTEGER NOT NULL,
            anonymous_sources INTEGER NOT NULL, quotes INTEGER NOT NULL, simhash INTEGER NOT NULL, minhash BLOB,
            term_weight REAL NOT NULL, story_id INTEGER
        );
        INSERT INTO articles_v6 SELECT article_key, input_id, url, job_id, version, seen, first_seen, last_seen,
            content_hash, source, language, time_ms, day, title, tone, named_sources, anonymous_sources, quotes, simhash,
            minhash, term_weight, story_id FROM articles ORDER BY article_id;
        CREATE TABLE article_versions_v6 (
            article_key TEXT NOT NULL, version INTEGER NOT NULL, job_id TEXT NOT NULL, content_hash INTEGER NOT NULL,
            stored_at INTEGER NOT NULL, PRIMARY KEY (article_key, version)
        ) WITHOUT ROWID;
        INSERT INTO article_versions_v6 SELECT a.article_key, v.version, v.job_id, v.content_hash, v.stored_at
            FROM article_versions v JOIN articles a USING (article_id);
        CREATE TABLE article_entities_v6 (
            key TEXT NOT NULL, type TEXT NOT NULL, time_ms INTEGER NOT NULL, article_key TEXT NOT NULL, name TEXT NOT NULL,
            mentions INTEGER NOT NULL, paired INTEGER NOT NULL, day TEXT NOT NULL, source TEXT NOT NULL,
            language TEXT NOT NULL, PRIMARY KEY (key, type, time_ms, article_key)
        ) WITHOUT ROWID;
        INSERT INTO article_entities_v6 SELECT e.key, e.type, e.time_ms, a.article_key, t.name, e.mentions, e.paired,
            e.day, e.source, e.language FROM article_entities e JOIN articles a USING (article_id)
            JOIN entity_totals t ON t.key = e.key AND t.type = e.type;
        CREATE TABLE article_topics_v6 (topic TEXT NOT NULL, article_key TEXT NOT NULL, PRIMARY KEY (topic, article_key)) WITHOUT ROWID;
        INSERT INTO article_topics_v6 SELECT t.topic, a.article_key FROM article_topics t JOIN articles a USING (article_id);
        CREATE TABLE article_speakers_v6 (
            speaker TEXT NOT NULL, article_key TEXT NOT NULL, name TEXT NOT NULL, quotes INTEGER NOT NULL,
            PRIMARY KEY (speaker, article_key)
        ) WITHOUT ROWID;
        INSERT INTO article_speakers_v6 SELECT s.speaker, a.article_key, s.name, s.quotes
            FROM article_speakers s JOIN articles a USING (article_id);
        CREATE TABLE term_postings_v6 (
            term TEXT NOT NULL, time_ms INTEGER NOT NULL, article_key TEXT NOT NULL, PRIMARY KEY (term, time_ms, article_key)
        ) WITHOUT ROWID;
        INSERT INTO term_postings_v6 SELECT c.term, p.time_ms, a.article_key
            FROM term_postings p JOIN term_counts c ON c.term_id = p.term JOIN articles a USING (article_id);
        INSERT INTO term_postings_v6 SELECT printf('b:%d:%llx', (-1 - p.term) >> 42, ((-1 - p.term) & 4398046511103) << 22),
            p.time_ms, a.article_key FROM term_postings p JOIN articles a USING (article_id) WHERE p.term < 0;
        CREATE TABLE term_counts_v6 (term TEXT PRIMARY KEY NOT NULL, articles INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO term_counts_v6 SELECT term, articles FROM term_counts;
        CREATE TABLE entity_pairs_v6 (
            a_key TEXT NOT NULL, a_type TEXT NOT NULL, b_key TEXT NOT NULL, b_type TEXT NOT NULL, articles INTEGER NOT NULL,
            PRIMARY KEY (a_key, a_type, b_key, b_type)
        ) WITHOUT ROWID;
        INSERT INTO entity_pairs_v6 SELECT x.key, x.type, y.key, y.type, p.articles FROM entity_pairs p
            JOIN entity_totals x ON x.entity_id = p.a_id JOIN entity_totals y ON y.entity_id = p.b_id;
        CREATE TABLE entity_totals_v6 (
            key TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL, articles INTEGER NOT NULL, mentions INTEGER NOT NULL,
            first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, PRIMARY KEY (key, type)
        ) WITHOUT ROWID;
        INSERT INTO entity_totals_v6 SELECT key, type, name, articles, mentions, first_seen, last_seen FROM entity_totals;
        DROP TABLE articles; DROP TABLE article_versions; DROP TABLE article_entities; DROP TABLE article_topics;
        DROP TABLE article_speakers; DROP TABLE term_postings; DROP TABLE term_counts; DROP TABLE entity_pairs;
        DROP TABLE entity_totals;
        ALTER TABLE entity_pairs_v6 RENAME TO entity_pairs;
        ALTER TABLE entity_totals_v6 RENAME TO entity_totals;
        CREATE INDEX entity_pairs_b ON entity_pairs (b_key, b_type);
        CREATE INDEX entity_totals_mentions ON entity_totals (mentions);
        ALTER TABLE articles_v6 RENAME TO articles;
        ALTER TABLE article_versions_v6 RENAME TO article_versions;
        ALTER TABLE article_entities_v6 RENAME TO article_entities;
        ALTER TABLE article_topics_v6 RENAME TO article_topics;
        ALTER TABLE article_speakers_v6 RENAME TO article_speakers;
        ALTER TABLE term_postings_v6 RENAME TO term_postings;
        ALTER TABLE term_counts_v6 RENAME TO term_counts;
        CREATE INDEX articles_input_id ON articles (input_id);
        CREATE INDEX articles_job ON articles (job_id);
        CREATE INDEX articles_time ON articles (time_ms, story_id);
        CREATE INDEX articles_source ON articles (source, time_ms, story_id);
        CREATE INDEX articles_language ON articles (language, time_ms, story_id);
        CREATE INDEX articles_story ON articles (story_id, time_ms);
        CREATE INDEX article_entities_article ON article_entities (article_key);
        CREATE INDEX article_topics_article ON article_topics (article_key);
        CREATE INDEX article_speakers_article ON article_speakers (article_key);
        """

    /// Articles stored, seen again, revised and copied word for word, the copy a near duplicate of its original.
    private func fillStore(_ store: SQLiteReportStore) throws {
        let gaza = StoreTestArticles.analysis(text: "نص أول", entities: [("غزه", .location, 2), ("حماس", .organization, 1)],
                                              topics: ["war"], speakers: ["هنية"], named: 1, tone: 0.5)
        let revised = StoreTestArticles.analysis(text: "نص معدل", entities: [("غزه", .location, 1), ("مصر", .location, 3)],
                                                 topics: ["politics", "war"], speakers: ["هنية", "مسؤول"], anonymous: 2, tone: -0.25)
        let other = StoreTestArticles.analysis(text: "نص ثان", entities: [("مصر", .location, 1)], topics: ["economy"])
        _ = try store.store([
            StoreTestArticles.result(job: "j1", article: "a", analysis: gaza),
            StoreTestArticles.result(job: "j2", article: "b", source: "BBC", published: "2018-10-04T09:00:00Z", analysis: other),
        ])
        _ = try store.store([
            StoreTestArticles.result(job: "j3", article: "a", analysis: gaza),  // seen again
            StoreTestArticles.result(job: "j4", article: "a", source: "BBC", published: "2018-10-05T09:00:00Z", analysis: revised),
            StoreTestArticles.result(job: "j5", article: "c", source: "BBC", analysis: gaza),
        ])
    }

    /// A v6 store keeps its articles, aggregates, stories and term index under numbers: every report reads the
    /// same, and a new copy of an article found before the upgrade joins its story through the band postings.
    @Test func aV6StoreIsNumberedAndReadsTheSame() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("v6.sqlite").path
        let filters = [ReportFilter(), ReportFilter(source: "BBC"), ReportFilter(topic: "war"), ReportFilter(entity: "غزه")]
        let before: [ReportOverview]
        let articleBefore: ArticlePage?
        let entityBefore: EntityPage?
        let postingsBefore: [Int]
        let postings = "SELECT COUNT(*) FROM term_postings UNION ALL SELECT COUNT(*) FROM term_postings WHERE term < 0"
        do {
            let store = try SQLiteReportStore(path: path)
            try fillStore(store)
            before = try filters.map { try store.overview($0) }
            articleBefore = try store.article(id: "a")
            entityBefore = try store.entity(key: "غزه", type: .location, filter: ReportFilter())
            postingsBefore = try store.pool.read { try Int.fetchAll($0, sql: postings) }
            try store.pool.write { db in
                try db.execute(sql: Self.backToV13)
                try db.execute(sql: Self.backToV12)
                try db.execute(sql: Self.backToV11)
                try db.execute(sql: Self.backToV10)
                try db.execute(sql: Self.backToV9)
                try db.execute(sql: Self.backToV8)
                try db.execute(sql: Self.backToV7)
                try db.execute(sql: Self.backToV6)
                for version in [SQLiteSchema.v7, SQLiteSchema.v8, SQLiteSchema.v9, SQLiteSchema.v10, SQLiteSchema.v11, SQLiteSchema.v12, SQLiteSchema.v13, SQLiteSchema.v14, SQLiteSchema.v15] {
                    try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [version])
                }
                #expect(try db.columns(in: "article_entities").map(\.name).contains("article_key"))
                #expect(try db.columns(in: "entity_facets").map(\.name).contains("key"))
            }
        }
        let store = try SQLiteReportStore(path: path)
        try AggregateCheck.expectConsistent(store)
        #expect(try filters.map { try store.overview($0) } == before)
        #expect(try store.article(id: "a") == articleBefore)
        #expect(articleBefore?.versions.count == 2)
        #expect(try store.entity(key: "غزه", type: .location, filter: ReportFilter()) == entityBefore)
        #expect(entityBefore?.cooccurring.isEmpty == false)
        #expect(before[0].cooccurrence.isEmpty == false)
        #expect(try store.pool.read { try Int.fetchAll($0, sql: postings) } == postingsBefore)
        #expect(postingsBefore.count == 2 && postingsBefore[1] > 0)
        let storyOfC = try #require(try store.article(id: "c")?.story?.id)
        let copy = StoreTestArticles.analysis(text: "نص أول", entities: [("غزه", .location, 2), ("حماس", .organization, 1)],
                                              topics: ["war"], speakers: ["هنية"], named: 1, tone: 0.5)
        _ = try store.store([StoreTestArticles.result(job: "j6", article: "d", analysis: copy)])
        #expect(try store.article(id: "d")?.story?.id == storyOfC)
        try AggregateCheck.expectConsistent(store)
    }

    /// What v4 left of a store that v5 writes: its article rows without their copies of the article's time, day,
    /// outlet and language, `entity_source_totals` instead of the summary rows, the v4 article indexes.
    static let backToV4 = """
        DROP TABLE result_counts; DROP TABLE day_cells; DROP TABLE entity_days; DROP TABLE entity_facets; DROP TABLE speaker_days;
        DROP TABLE speaker_facets;
        CREATE TABLE article_entities_v4 (
            key TEXT NOT NULL, type TEXT NOT NULL, article_key TEXT NOT NULL, name TEXT NOT NULL,
            mentions INTEGER NOT NULL, paired INTEGER NOT NULL, PRIMARY KEY (key, type, article_key)
        ) WITHOUT ROWID;
        INSERT INTO article_entities_v4 SELECT key, type, article_key, name, mentions, paired FROM article_entities;
        DROP TABLE article_entities;
        ALTER TABLE article_entities_v4 RENAME TO article_entities;
        CREATE INDEX article_entities_article ON article_entities (article_key);
        CREATE TABLE entity_source_totals (
            source TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL, articles INTEGER NOT NULL,
            mentions INTEGER NOT NULL, PRIMARY KEY (source, key, type)
        ) WITHOUT ROWID;
        CREATE INDEX entity_source_totals_mentions ON entity_source_totals (source, mentions);
        INSERT INTO entity_source_totals SELECT a.source, e.key, e.type, MIN(e.name), COUNT(*), SUM(e.mentions)
            FROM article_entities e JOIN articles a ON a.article_key = e.article_key GROUP BY a.source, e.key, e.type;
        DROP INDEX articles_time; DROP INDEX articles_source; DROP INDEX articles_language;
        CREATE INDEX articles_time ON articles (time_ms);
        CREATE INDEX articles_source ON articles (source, time_ms);
        CREATE INDEX articles_language ON articles (language, time_ms);
        """

    @Test func aV4StoreGetsItsSummaryRowsFromItsArticles() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("v4.sqlite").path
        let filters = [
            ReportFilter(), ReportFilter(source: "BBC"), ReportFilter(topic: "war"),
            ReportFilter(since: Date(timeIntervalSince1970: 1_538_524_800), until: Date(timeIntervalSince1970: 1_538_611_200)),
        ]
        let before: [ReportOverview]
        do {
            let store = try SQLiteReportStore(path: path)
            try fillStore(store)
            before = try filters.map { try store.overview($0) }
            try store.pool.write { db in
                try db.execute(sql: Self.backToV13)
                try db.execute(sql: Self.backToV12)
                try db.execute(sql: Self.backToV11)
                try db.execute(sql: Self.backToV10)
                try db.execute(sql: Self.backToV9)
                try db.execute(sql: Self.backToV8)
                try db.execute(sql: Self.backToV7)
                try db.execute(sql: Self.backToV6)
                try db.execute(sql: Self.backToV4)
                for version in [SQLiteSchema.v5, SQLiteSchema.v7, SQLiteSchema.v8, SQLiteSchema.v9, SQLiteSchema.v10, SQLiteSchema.v11, SQLiteSchema.v12, SQLiteSchema.v13, SQLiteSchema.v14, SQLiteSchema.v15] {
                    try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [version])
                }
            }
        }
        let store = try SQLiteReportStore(path: path)
        try AggregateCheck.expectConsistent(store)
        #expect(try filters.map { try store.overview($0) } == before)
        #expect(before[1].summary.articles == 3)
        #expect(before[1].summary.revisedArticles == 1)
        #expect(before[0].summary.repeats == 1)
    }

    /// v15 keeps the first 8 bands and the first 32 values of a signature of 64 that v14 stored, and a new
    /// article whose signature of 32 is the old one's first half is found as its near duplicate.
    @Test func v15KeepsTheFirstHalfOfAnOldSignature() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("v14.sqlite").path
        var generator = SystemRandomNumberGenerator()
        let wide = (0..<64).map { _ in UInt32.random(in: 0..<UInt32.max, using: &generator) }
        // The 16 bands of a signature of 64: the first 8 as today, the others numbered on from the second half's.
        let parameters = StoryClustering.Parameters()
        let wideBands = StoryClustering.bandKeys(Array(wide.prefix(32)), parameters: parameters)
            + StoryClustering.bandHashes(Array(wide.suffix(32)), parameters: parameters).map {
                StoryClustering.bandKey(band: $0.band + 8, hash: $0.hash)
            }
        let bandCount = "SELECT COUNT(*) FROM term_postings WHERE term < 0"
        do {
            let store = try SQLiteReportStore(path: path)
            _ = try store.store([StoreTestArticles.result(job: "old", article: "old", analysis: StoreTestArticles.analysis(
                text: "نص قديم", entities: [("غزه", .location, 1)], minhash: wide))])
            // What v14 wrote for it: the row's signature of 64 and the postings of all 16 bands.
            try store.pool.write { db in
                let row = try #require(try Row.fetchOne(db, sql: "SELECT article_id, time_ms FROM articles"))
                try db.execute(sql: "DELETE FROM term_postings WHERE term < 0")
                for key in wideBands {
                    try db.execute(
                        sql: "INSERT INTO term_postings (term, time_ms, article_id) VALUES (?, ?, ?)",
                        arguments: [key, row["time_ms"], row["article_id"]])
                }
                try db.execute(sql: "UPDATE articles SET minhash = ?", arguments: [ArticleLedger.minhashBlob(wide)])
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [SQLiteSchema.v15])
                #expect(try Int.fetchOne(db, sql: bandCount) == 16)
            }
        }
        let store = try SQLiteReportStore(path: path)
        try store.pool.read { db in
            let kept = try Int64.fetchAll(db, sql: "SELECT term FROM term_postings WHERE term < 0")
            #expect(Set(kept) == Set(wideBands.prefix(8)))
            #expect(kept.count == 8)
            let blob = try #require(try Data.fetchOne(db, sql: "SELECT minhash FROM articles"))
            #expect(ArticleLedger.minhash(blob: blob) == ArticleLedger.storedMinhash(Array(wide.prefix(32))))
        }
        // Nothing else in common (another text, entity and day), so only the signature can put it in the old story.
        _ = try store.store([StoreTestArticles.result(job: "new", article: "new", published: "2018-10-04T09:00:00+00:00",
            analysis: StoreTestArticles.analysis(text: "نص جديد", entities: [("حماس", .organization, 1)], topics: ["sport"],
                                                 minhash: Array(wide.prefix(32))))])
        let old = try #require(try store.article(id: "old")?.story?.id)
        #expect(try store.article(id: "new")?.story?.id == old)
        try AggregateCheck.expectConsistent(store)
    }

    /// A new store went through every migration, the copies of v7 to v12 included, and keeps none of the pages they freed.
    @Test func aNewStoreHoldsNoFreePages() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let store = try SQLiteReportStore(path: directory.appendingPathComponent("new.sqlite").path)
        #expect(try store.pool.read { try Int.fetchOne($0, sql: "PRAGMA freelist_count") } == 0)
        #expect(try store.pool.read { try SQLiteSchema.migrator.appliedMigrations($0) }.count == SQLiteSchema.currentVersion)
    }

    @Test func aStoreFromANewerVersionIsRefusedAndLeftAsItWas() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("newer.sqlite").path
        do {
            let store = try SQLiteReportStore(path: path)
            _ = try store.store([Fixtures.result("1")])
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v16: from the future')") }
        let before = try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM results") }
        try queue.close()
        #expect {
            _ = try SQLiteReportStore(path: path)
        } throws: { error in
            guard case .newerSchema(_, let found, let supported, let migrations) = error as? ReportStoreError else { return false }
            return found == 16 && supported == 15 && migrations == ["v16: from the future"]
                && "\(error)".contains("newer mirsad")
        }
        let after = try DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM results") }
        #expect(before == after)
    }

    @Test func aStoreThatCannotBeWrittenIsAClearError() throws {
        guard getuid() != 0 else { return }  // root writes anywhere
        let directory = try Fixtures.temporaryDirectory()
        defer {
            chmod(directory.path, 0o755)
            Fixtures.remove(directory)
        }
        chmod(directory.path, 0o555)
        #expect {
            _ = try SQLiteReportStore(path: directory.appendingPathComponent("s.sqlite").path)
        } throws: { error in
            "\(error)".contains("not writable")
        }
    }

    @Test func aFailedCommitLeavesNoPartOfItsBatch() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { Fixtures.remove(directory) }
        let path = directory.appendingPathComponent("s.sqlite").path
        let store = try SQLiteReportStore(path: path)
        _ = try store.store([StoreTestArticles.result(job: "1", article: "a", analysis: StoreTestArticles.analysis(text: "1", entities: [("غزه", .location, 1)]))])
        // A trigger that fails the commit midway: on the second article of the batch.
        try store.pool.write { try $0.execute(sql: "CREATE TRIGGER fail_c BEFORE INSERT ON articles WHEN NEW.article_key = 'id:c' BEGIN SELECT RAISE(ABORT, 'refused'); END") }
        #expect(throws: ReportStoreError.self) {
            _ = try store.store([
                StoreTestArticles.result(job: "2", article: "b", analysis: StoreTestArticles.analysis(text: "2", entities: [("غزه", .location, 1)])),
                StoreTestArticles.result(job: "3", article: "c", analysis: StoreTestArticles.analysis(text: "3", entities: [("غزه", .location, 1)])),
            ])
        }
        #expect(try store.count().analysed == 1)
        #expect(try store.topEntities(limit: 1, type: nil).first?.articles == 1)
        try AggregateCheck.expectConsistent(store)
    }
}
