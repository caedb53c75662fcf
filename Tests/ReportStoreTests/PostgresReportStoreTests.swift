import ArticleAnalysis
import Foundation
import PostgresNIO
import TestSupport
import Testing
@testable import ReportStore

/// The PostgreSQL store against a real server: the store interface's guarantees, the same articles, aggregates and
/// stories as the SQLite store from the same input, migrations and bad input.
@Suite(.needsPostgres, .timeLimit(.minutes(5)))
struct PostgresReportStoreTests {
    typealias A = StoreTestArticles

    /// Runs `body` with a new store in a schema of its own, dropped afterwards.
    func withStore(options: PostgresReportStore.Options = .init(), _ body: (PostgresReportStore, String) throws -> Void) throws {
        let url = try PostgresTestDatabase.freshStoreURL()
        defer { PostgresTestDatabase.drop(url) }
        try body(try PostgresReportStore(url: url, options: options), url)
    }

    @Test func storingTheSameJobTwiceKeepsOneRowAndReportsTheDuplicate() async throws {
        try await offTheCooperativePool {
            try withStore { store, url in
                let first = Fixtures.result("job-1")
                #expect(try store.store([first]) == StoreOutcome(inserted: ["job-1"]))
                #expect(try store.store([first, Fixtures.result("job-2"), Fixtures.result("job-2")])
                        == StoreOutcome(inserted: ["job-2"], duplicates: ["job-1", "job-2"]))
                #expect(try store.count() == StoreCounts(analysed: 2, failed: 0))
                #expect(try store.contains(jobID: "job-2"))
                #expect(try !store.contains(jobID: "job-3"))
                // What was stored comes back as it was, analysis without tokens, from another connection too.
                let reader = try PostgresReportStore(url: url)
                let back = try #require(try reader.result(jobID: "job-1"))
                #expect(back.article == first.article && back.batchID == first.batchID && back.workerID == first.workerID)
                #expect(back.submittedAt == first.submittedAt && back.analysedAt == first.analysedAt)
                #expect(back.storedAnalysis?.bytes == first.storedAnalysis?.bytes)
                #expect(back.tokenCount == first.tokenCount && back.tokenCount > 0)
                #expect(try reader.result(jobID: "nope") == nil)
            }
        }
    }

    @Test func failedJobsCountSplitsByStatusAndBatch() async throws {
        try await offTheCooperativePool {
            try withStore { store, _ in
                _ = try store.store([Fixtures.result("a", batch: "x"), Fixtures.result("b", batch: "x", analysis: nil),
                                     Fixtures.result("c", batch: "y")])
                #expect(try store.count() == StoreCounts(analysed: 2, failed: 1))
                #expect(try store.batchCounts(batchID: "x") == StoreCounts(analysed: 1, failed: 1))
                #expect(try store.result(jobID: "b")?.failureReason == "analysis timed out")
            }
        }
    }

    @Test func noticesArePendingInOrderUntilConfirmedInTheNextCommit() async throws {
        try await offTheCooperativePool {
            try withStore { store, _ in
                _ = try store.store([Fixtures.result("n1"), Fixtures.result("n2")])
                _ = try store.store([Fixtures.result("n3"), Fixtures.result("n1")])
                #expect(try store.pendingNotices(limit: 10) == ["n1", "n2", "n3"])
                #expect(try store.pendingNotices(limit: 2) == ["n1", "n2"])
                _ = try store.store([Fixtures.result("n4")], confirmingNotices: ["n1", "unknown"])
                #expect(try store.pendingNotices(limit: 10) == ["n2", "n3", "n4"])
                try store.confirmNotices(["n2", "n3"])
                #expect(try store.pendingNotices(limit: 10) == ["n4"])
                #expect(throws: ReportStoreError.self) { try store.pendingNotices(limit: -1) }
            }
        }
    }

    @Test func resubmittingTheSameArticlesChangesNoCountAndAChangeIsANewVersion() async throws {
        try await offTheCooperativePool {
            try withStore { store, _ in
                func batch(_ run: Int) -> [StoredResult] {
                    (0..<5).map { i in
                        A.result(job: "run\(run)-\(i)", article: "a\(i)", analysis: A.analysis(
                            text: "نص \(i)", entities: [("غزه", .location, i + 1), ("حماس", .organization, 1)], speakers: ["الوزير"], named: 1))
                    }
                }
                _ = try store.store(batch(1))
                let first = try store.overview(ReportFilter())
                for run in 2...3 { _ = try store.store(batch(run)) }
                let again = try store.overview(ReportFilter())
                #expect(again.topEntities == first.topEntities && again.sources == first.sources && again.stories == first.stories)
                #expect(again.summary.articles == 5 && again.summary.results == 15 && again.summary.repeats == 10)
                #expect(try store.article(id: "a3")?.seen == 3)
                _ = try store.store([A.result(job: "v2", article: "a0", source: "BBC", analysis: A.analysis(
                    text: "نص معدل", entities: [("القدس", .location, 4)]))])
                let page = try #require(try store.article(id: "a0"))
                #expect(page.versions.map(\.jobID) == ["run1-0", "v2"] && page.seen == 4 && page.article.source == "BBC")
                #expect(try store.topEntities(ReportFilter(), limit: 10, type: .location).map { "\($0.key):\($0.articles):\($0.mentions)" }
                        == ["غزه:4:14", "القدس:1:4"])
                #expect(try store.aggregateMismatches() == [])
            }
        }
    }

    /// The same random sequence of new articles, sightings, duplicate jobs and new versions into both stores:
    /// PostgreSQL keeps its aggregates equal to a recomputation after every commit, and every report query
    /// answers as SQLite's does.
    @Test(arguments: [11, 12] as [UInt64])
    func answersAsTheSQLiteStoreDoesFromTheSameInput(seed: UInt64) async throws {
        try await offTheCooperativePool {
            let directory = try Fixtures.temporaryDirectory()
            defer { Fixtures.remove(directory) }
            let sqlite = try SQLiteReportStore(path: directory.appendingPathComponent("s.sqlite").path)
            try withStore { store, _ in
                var random = SplitMix(state: seed)
                let batches = RandomBatches.make(count: 25, random: &random)
                for batch in batches {
                    #expect(try store.store(batch) == sqlite.store(batch))
                    let problems = try store.aggregateMismatches()
                    #expect(problems == [], "\(problems)")
                }
                let filters = [
                    ReportFilter(), ReportFilter(source: "BBC"), ReportFilter(entity: "غزه"), ReportFilter(topic: "war"),
                    ReportFilter(since: Date(timeIntervalSince1970: 1_522_627_200), until: Date(timeIntervalSince1970: 1_523_318_400)),
                    ReportFilter(source: "CNN", language: "ar"),
                    ReportFilter(topic: "politics", language: "ar"), ReportFilter(since: Date(timeIntervalSince1970: 1_522_627_200)),
                    ReportFilter(source: "BBC", entity: "ترامب"),
                    ReportFilter(since: Date(timeIntervalSince1970: 1_522_627_200 + 3_600), topic: "war"),
                ]
                for filter in filters {
                    var expected = try sqlite.overview(filter)
                    var got = try store.overview(filter)
                    #expect(got.stories.map(\.articles) == expected.stories.map(\.articles), "\(filter)")
                    expected.stories = []
                    got.stories = []
                    #expect(got == expected, "\(filter)")
                }
                #expect(try store.stories(ReportFilter(), limit: 100).map { "\($0.label)|\($0.articles)|\($0.outlets)|\($0.firstDay)|\($0.lastDay)" }.sorted()
                        == sqlite.stories(ReportFilter(), limit: 100).map { "\($0.label)|\($0.articles)|\($0.outlets)|\($0.firstDay)|\($0.lastDay)" }.sorted())
                for id in ["article-1", "article-3", "article-7"] {
                    let expected = try sqlite.article(id: id)
                    let got = try store.article(id: id)
                    #expect(got?.article.key == expected?.article.key && got?.seen == expected?.seen)
                    #expect(got?.versions.map(\.jobID) == expected?.versions.map(\.jobID) && got?.analysis == expected?.analysis)
                }
                // Story numbers differ (SQLite reuses the number of a story that emptied, PostgreSQL never does).
                func unnumbered(_ page: EntityPage?) -> EntityPage? {
                    guard var page else { return nil }
                    page.articles = page.articles.map { var row = $0; row.storyID = nil; return row }
                    return page
                }
                for key in ["غزه", "ترامب"] {
                    for filter in [ReportFilter(), ReportFilter(source: "BBC")] {
                        #expect(unnumbered(try store.entity(key: key, type: nil, filter: filter))
                                == unnumbered(try sqlite.entity(key: key, type: nil, filter: filter)), "entity \(key) \(filter)")
                    }
                }
                let story = try #require(try store.stories(ReportFilter(), limit: 1).first)
                let page = try #require(try store.story(id: story.id))
                #expect(page.articles.count == story.articles)
                #expect(try store.story(id: 999_999) == nil && store.article(id: "missing") == nil)
                #expect(try store.entity(key: "missing", type: nil, filter: ReportFilter()) == nil)
            }
        }
    }

    @Test func withoutArticlesTopEntitiesComeFromTheJobRows() async throws {
        try await offTheCooperativePool {
            try withStore(options: .init(keepsArticles: false)) { store, _ in
                _ = try store.store([
                    Fixtures.result("e1", analysis: Fixtures.analysis(entities: [("غزه", .location, 3), ("حماس", .organization, 1)])),
                    Fixtures.result("e2", analysis: Fixtures.analysis(entities: [("غزه", .location, 2)])),
                ])
                #expect(try store.topEntities(limit: 5, type: nil) == [
                    EntityCount(key: "غزه", type: .location, mentions: 5, articles: 2),
                    EntityCount(key: "حماس", type: .organization, mentions: 1, articles: 1),
                ])
            }
        }
    }

    // MARK: - Bad input

    @Test func aServerThatDoesNotAnswerIsAClearError() async throws {
        try await offTheCooperativePool {
            let url = PostgresTestDatabase.withDeadPort(try PostgresTestDatabase.freshStoreURL())
            let error = #expect(throws: ReportStoreError.self) { try PostgresReportStore(url: url) }
            guard case .cannotOpen(let path, let reason)? = error else { Issue.record("\(String(describing: error))"); return }
            #expect(path.contains(":9/") && !path.contains(":mirsad@"), "the location, without its password: \(path)")
            #expect(reason.contains("cannot connect"), "\(reason)")
        }
    }

    @Test func aRefusedPasswordIsAClearErrorAndNothingIsWritten() async throws {
        try await offTheCooperativePool {
            let url = try PostgresTestDatabase.freshStoreURL()
            defer { PostgresTestDatabase.drop(url) }
            let wrong = PostgresTestDatabase.withPassword("not-the-password", url)
            let error = #expect(throws: ReportStoreError.self) { try PostgresReportStore(url: wrong) }
            #expect("\(String(describing: error))".contains("password authentication failed"), "\(String(describing: error))")
            #expect(!"\(String(describing: error))".contains("not-the-password"))
            // The schema was never created: a store opened now starts empty, at version 1.
            let store = try PostgresReportStore(url: url)
            #expect(try store.count().total == 0)
        }
    }

    @Test func aStoreWrittenByANewerVersionIsRefusedUntouched() async throws {
        try await offTheCooperativePool {
            try withStore { store, url in
                _ = try store.store([Fixtures.result("j")])
                try Self.sql(url, "INSERT INTO mirsad_schema (version, name) VALUES (\(PostgresSchema.currentVersion + 1), 'v99: from the future')")
                let error = #expect(throws: ReportStoreError.self) { try PostgresReportStore(url: url) }
                guard case .newerSchema(_, let found, let supported, let migrations)? = error else {
                    Issue.record("\(String(describing: error))"); return
                }
                #expect(found == PostgresSchema.currentVersion + 1 && supported == PostgresSchema.currentVersion)
                #expect(migrations == ["v99: from the future"])
                #expect("\(error!)".contains("newer mirsad"))
                #expect(try store.count().total == 1)
            }
        }
    }

    @Test func collectorsOpeningTheSameNewStoreAtOnceMigrateItOnce() async throws {
        try await offTheCooperativePool {
            let url = try PostgresTestDatabase.freshStoreURL()
            defer { PostgresTestDatabase.drop(url) }
            let failures = Locked<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do { _ = try PostgresReportStore(url: url) } catch { failures.update { $0.append("\(error)") } }
            }
            #expect(failures.get() == [])
            let versions = try Self.sql(url, "SELECT COUNT(*)::text AS r FROM mirsad_schema")
            #expect(versions == ["\(PostgresSchema.currentVersion)"])
        }
    }

    /// A store left at every earlier schema version (0 is a database without the store) opens at the current
    /// version, with every migration recorded once, and works: it stores, and its aggregates add up.
    /// With a window of a few articles both stores count the same parts over the same newest articles, and say
    /// so the same way; what they count equals the whole report of the window's own filter.
    @Test func boundedReportsAreTheSameOnBothStores() async throws {
        try await offTheCooperativePool {
            let directory = try Fixtures.temporaryDirectory()
            defer { Fixtures.remove(directory) }
            var options = SQLiteReportStore.Options()
            options.windowLimit = 6
            let sqlite = try SQLiteReportStore(path: directory.appendingPathComponent("s.sqlite").path, options: options)
            try withStore(options: options) { store, url in
                var random = SplitMix(state: 5)
                for batch in RandomBatches.make(count: 30, random: &random) {
                    _ = try store.store(batch)
                    _ = try sqlite.store(batch)
                }
                #expect(try store.aggregateMismatches() == [])
                let unbounded = try PostgresReportStore(url: url)
                let filters = [
                    ReportFilter(source: "BBC"), ReportFilter(entity: "غزه"), ReportFilter(topic: "war"),
                    ReportFilter(source: "CNN", language: "ar"), ReportFilter(since: Date(timeIntervalSince1970: 1_522_627_200)),
                    ReportFilter(since: Date(timeIntervalSince1970: 1_522_627_200 + 60), entity: "ترامب"),
                ]
                var bounded = 0
                for filter in filters {
                    var expected = try sqlite.overview(filter)
                    var got = try store.overview(filter)
                    #expect(got.window == expected.window, "\(filter)")
                    #expect(got.stories.map(\.articles) == expected.stories.map(\.articles), "\(filter)")
                    expected.stories = []
                    got.stories = []
                    #expect(got == expected, "\(filter)")
                    guard let window = got.window else { continue }
                    bounded += 1
                    #expect(window.articles >= 6 && window.parts == CountedWindow.parts(for: filter))
                    #expect(window.text.contains("newest \(window.articles) matching articles"))
                    // Each bounded part is the unbounded report of the window's filter.
                    let narrowed = try unbounded.overview(window.narrowing(filter))
                    #expect(got.cooccurrence == narrowed.cooccurrence, "\(filter)")
                    if window.parts.contains(.topEntities) { #expect(got.topEntities == narrowed.topEntities, "\(filter)") }
                    if window.parts.contains(.summary) { #expect(got.summary == narrowed.summary, "\(filter)") }
                    for key in ["غزه", "ترامب"] {
                        #expect(try store.entity(key: key, type: nil, filter: filter)?.window
                                == sqlite.entity(key: key, type: nil, filter: filter)?.window, "entity \(key) \(filter)")
                    }
                }
                #expect(bounded >= 4)
                // The whole store is never bounded: its aggregates answer every part.
                #expect(try store.overview(ReportFilter()).window == nil)
            }
        }
    }

    /// What v1 left of a store that v2 writes: `article_entities` without the article's time, day, outlet and
    /// language, `entity_source_totals` instead of the summary rows, v1's article indexes. Every later migration
    /// is forgotten too and applied again (v3 finds its work done).
    static let backToV1 = """
        DROP TABLE result_counts; DROP TABLE day_cells; DROP TABLE entity_days; DROP TABLE entity_facets;
        DROP TABLE speaker_days; DROP TABLE speaker_facets;
        ALTER TABLE article_entities DROP CONSTRAINT article_entities_pkey;
        ALTER TABLE article_entities DROP COLUMN time_ms, DROP COLUMN day, DROP COLUMN source, DROP COLUMN language;
        ALTER TABLE article_entities ADD PRIMARY KEY (key, type, article_key);
        CREATE TABLE entity_source_totals (
            source TEXT NOT NULL, key TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL,
            articles BIGINT NOT NULL, mentions BIGINT NOT NULL, PRIMARY KEY (source, key, type));
        INSERT INTO entity_source_totals SELECT a.source, e.key, e.type, MIN(e.name), COUNT(*), SUM(e.mentions)
            FROM article_entities e JOIN articles a ON a.article_key = e.article_key GROUP BY a.source, e.key, e.type;
        DROP INDEX articles_time; DROP INDEX articles_source; DROP INDEX articles_language;
        CREATE INDEX articles_time ON articles (time_ms);
        CREATE INDEX articles_source ON articles (source, time_ms);
        CREATE INDEX articles_language ON articles (language, time_ms);
        DELETE FROM mirsad_schema WHERE version >= 2
        """

    /// A v1 store holding articles gets summary rows that match them, and the same reports as before.
    @Test func aV1StoreWithArticlesGetsItsSummaryRows() async throws {
        try await offTheCooperativePool {
            let url = try PostgresTestDatabase.freshStoreURL()
            defer { PostgresTestDatabase.drop(url) }
            let filters = [ReportFilter(), ReportFilter(source: "BBC"), ReportFilter(topic: "war"), ReportFilter(source: "CNN", language: "ar")]
            let before: [ReportOverview]
            do {
                let store = try PostgresReportStore(url: url)
                var random = SplitMix(state: 9)
                for batch in RandomBatches.make(count: 15, random: &random) { _ = try store.store(batch) }
                before = try filters.map { try store.overview($0) }
                for statement in Self.backToV1.split(separator: ";") { _ = try Self.sql(url, String(statement)) }
            }
            #expect(try Self.sql(url, "SELECT COUNT(*)::text AS r FROM mirsad_schema") == ["1"])
            let store = try PostgresReportStore(url: url)
            #expect(try store.aggregateMismatches() == [])
            #expect(try filters.map { try store.overview($0) } == before)
        }
    }

    @Test(arguments: Array(0..<PostgresSchema.currentVersion))
    func aStoreAtAnEarlierVersionIsUpgraded(from version: Int) async throws {
        try await offTheCooperativePool {
            let url = try PostgresTestDatabase.freshStoreURL()
            defer { PostgresTestDatabase.drop(url) }
            let location = try PostgresLocation(url: url)
            let bridge = PostgresBridge(configuration: location.connectionConfiguration, logger: PostgresReportStore.quietLogger)
            try bridge.wait { connections in
                try await connections.withConnection { db in
                    try await PostgresSchema.migrate(db, schema: location.schema, creating: true, location: "\(location)", target: version)
                }
            }
            bridge.shutDown()
            #expect(try Self.sql(url, "SELECT COUNT(*)::text AS r FROM mirsad_schema") == ["\(version)"])

            let store = try PostgresReportStore(url: url)
            #expect(try Self.sql(url, "SELECT string_agg(version::text, ',' ORDER BY version) AS r FROM mirsad_schema")
                    == [(1...PostgresSchema.currentVersion).map(String.init).joined(separator: ",")])
            _ = try store.store([StoreTestArticles.result(job: "j1", article: "a1", analysis: StoreTestArticles.analysis(
                text: "نص", entities: [("غزه", .location, 2)]))])
            #expect(try store.summary(ReportFilter()).articles == 1)
            #expect(try store.aggregateMismatches() == [])
        }
    }

    /// A writer that finds the writer lock held by another session past the URL's `lock_timeout` fails with a
    /// message naming the wait, and its batch leaves nothing behind; once the lock is free the same batch stores.
    @Test func aWriterWaitingTooLongForTheWriterLockFailsAndWritesNothing() async throws {
        try await offTheCooperativePool {
            let url = try PostgresTestDatabase.freshStoreURL()
            defer { PostgresTestDatabase.drop(url) }
            let store = try PostgresReportStore(url: url + "&lock_timeout=300ms")
            let location = try PostgresLocation(url: url)
            let holder = PostgresBridge(configuration: location.connectionConfiguration, logger: PostgresReportStore.quietLogger)
            defer { holder.shutDown() }
            let batch = [Fixtures.result("locked-1"), Fixtures.result("locked-2")]
            let failure = try holder.wait { connections in
                try await connections.withTransaction { db in
                    try await db.execute(PostgresSchema.writerLock)
                    // The store's call blocks this thread's caller only: the holder's work runs on its own thread.
                    return Result { try store.store(batch) }
                }
            }
            let error = #expect(throws: ReportStoreError.self) { try failure.get() }
            #expect("\(String(describing: error))".contains("lock_timeout") && "\(String(describing: error))".contains("55P03"),
                    "\(String(describing: error))")
            #expect(try store.count().total == 0 && store.pendingNotices(limit: 10) == [])
            #expect(try store.store(batch) == StoreOutcome(inserted: ["locked-1", "locked-2"]))
        }
    }

    /// Runs `sql` in the store's schema; returns column `r` of each row when there is one.
    @discardableResult
    static func sql(_ url: String, _ sql: String) throws -> [String] {
        let location = try PostgresLocation(url: url)
        let bridge = PostgresBridge(configuration: location.connectionConfiguration, logger: PostgresReportStore.quietLogger)
        defer { bridge.shutDown() }
        return try bridge.wait { connections in
            try await connections.withConnection { db in
                try await db.rows(PostgresQuery(unsafeSQL: sql)).map { row in
                    row.contains("r") ? try row.value("r", as: String.self) : ""
                }
            }
        }
    }
}

/// A value shared between threads of a test.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&value) } }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random batches of new articles, sightings of stored ones under new jobs, duplicate jobs and new versions.
enum RandomBatches {
    static let names: [(String, EntityType)] = [
        ("غزه", .location), ("حماس", .organization), ("ترامب", .person), ("مصر", .location), ("الامم المتحده", .organization),
        ("نتنياهو", .person), ("القدس", .location), ("ايران", .location), ("بوتين", .person), ("الناتو", .organization),
    ]

    static func make(count: Int, prefix: String = "", articles: Int = 1_000_000, random: inout SplitMix) -> [[StoredResult]] {
        let sources = ["BBC", "CNN", "alarabia", "france24"]
        let days = ["2018-04-01", "2018-04-02", "2018-04-03", "2018-04-09", "2018-05-20"]
        let topics = ["war", "politics", "economy", "sport"]
        var sent: [StoredResult] = []
        var known: [String] = []
        var job = 0
        func article(_ id: String) -> StoredResult {
            job += 1
            let entities = names.shuffled(using: &random).prefix(Int.random(in: 0...8, using: &random))
                .map { ($0.0, $0.1, Int.random(in: 1...6, using: &random)) }
            let analysis = StoreTestArticles.analysis(
                text: "نص \(prefix)\(job) \(Int.random(in: 0...3, using: &random))", entities: entities,
                topics: Array(topics.shuffled(using: &random).prefix(Int.random(in: 0...2, using: &random))),
                speakers: (0..<Int.random(in: 0...3, using: &random)).map { _ in ["هنية", "ترامب", nil, "مسؤول"].randomElement(using: &random)! },
                named: Int.random(in: 0...3, using: &random), anonymous: Int.random(in: 0...3, using: &random),
                tone: Double(Int.random(in: -4...4, using: &random)) / 4,
                keywords: ["قصف", "اتفاق", "انتخابات", "نفط"].shuffled(using: &random).prefix(2).map { $0 })
            return StoreTestArticles.result(
                job: "\(prefix)job-\(job)", article: id, source: sources.randomElement(using: &random)!,
                published: days.randomElement(using: &random)! + "T08:00:00Z", analysis: analysis)
        }
        var batches: [[StoredResult]] = []
        for _ in 0..<count {
            var batch: [StoredResult] = []
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let choice = Int.random(in: 0..<10, using: &random)
                if choice < 4 || known.isEmpty {
                    let id = "article-\(known.count % articles + 1)"
                    known.append(id)
                    batch.append(article(id))
                } else if choice < 6, let old = sent.randomElement(using: &random) {
                    batch.append(old)
                } else if choice < 8, let old = sent.randomElement(using: &random) {
                    job += 1
                    batch.append(StoredResult(jobID: "\(prefix)job-\(job)", batchID: "b", article: old.article, content: old.content,
                                              workerID: "w", analysedAt: old.analysedAt))
                } else {
                    batch.append(article(known.randomElement(using: &random)!))
                }
            }
            sent += batch
            batches.append(batch)
        }
        return batches
    }
}
