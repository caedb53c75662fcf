import ArgumentParser
import ArticleAnalysis
import Foundation
import ReportStore

/// `mirsad benchmark report`: fills a report store with synthetic analysed articles and times every report query;
/// with `--compare N`, first measures the cost per stored result with articles and aggregates against without.
///
/// The synthetic corpus: entities drawn from a Zipf-like pool (a few very common, a long tail), 4 to 14 per
/// article; 6 outlets; 365 days; 8 topics; speakers from a pool; one article in 20 a resubmission and one in 50 a
/// new version of an earlier one, so identity and versions are exercised at scale too. Articles arrive in no
/// order of time (each day of the year gets about as many), as when feeds are read late.
struct ReportBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Fill a report store with synthetic articles and time every report query.")

    @Option(help: "The store to fill (created; an existing one is filled further): a SQLite path or a postgres:// URL (the comparison stores then go in the schemas compare_on and compare_off of its database, dropped first).")
    var store: String

    @Option(help: "Synthetic articles to add.")
    var articles = 100_000

    @Option(help: "Results per commit, as a collector batches them.")
    var batch = 500

    @Option(help: "Before filling: store this many results into fresh stores with and without articles, and compare the cost per result.")
    var compare = 0

    @Option(help: "How many times each query is run (the median is reported).")
    var repeats = 5

    func run() throws {
        if compare > 0 {
            for keepsArticles in [false, true] {
                let path = comparisonStore(keepsArticles: keepsArticles)
                try removeComparisonStore(path)
                let target = try ReportStoreLocation(path).open(options: .init(keepsArticles: keepsArticles))
                var generator = SyntheticArticles(seed: 7)
                let started = Date()
                let cpuStarted = Self.processCPUSeconds()
                var stored = 0
                while stored < compare {
                    let results = (0..<min(batch, compare - stored)).map { _ in generator.next() }
                    _ = try target.store(results)
                    stored += results.count
                }
                let seconds = Date().timeIntervalSince(started)
                let cpu = Self.processCPUSeconds() - cpuStarted
                print(String(format: "store %@: %d results in %.2f s, %.1f µs per result wall, %.1f µs CPU (%.0f results/s)",
                             keepsArticles ? "with articles, aggregates and stories" : "job rows only (no articles)",
                             stored, seconds, seconds / Double(stored) * 1e6, cpu / Double(stored) * 1e6, Double(stored) / seconds))
                try removeComparisonStore(path)
            }
        }

        let target = try ReportStoreLocation(store).open()
        var generator = SyntheticArticles(seed: UInt64(try target.count().total) &+ 1)
        let started = Date()
        var stored = 0
        var lastReport = Date()
        while stored < articles {
            let results = (0..<min(batch, articles - stored)).map { _ in generator.next() }
            _ = try target.store(results)
            stored += results.count
            if Date().timeIntervalSince(lastReport) > 30 {
                lastReport = Date()
                print(String(format: "  %d stored, %.0f results/s", stored, Double(stored) / Date().timeIntervalSince(started)))
            }
        }
        if articles > 0 {
            let seconds = Date().timeIntervalSince(started)
            print(String(format: "filled: %d results in %.1f s (%.0f results/s)", stored, seconds, Double(stored) / seconds))
        }
        let summary = try target.summary(ReportFilter())
        let size = ((try? FileManager.default.attributesOfItem(atPath: store)[.size] as? Int) ?? 0)
        print("store: \(summary.articles) articles, \(summary.results) results, \(summary.stories) stories"
              + (PostgresLocation.isPostgresURL(store) ? "" : ", \(size / 1_000_000) MB"))

        let top = try target.topEntities(ReportFilter(), limit: 20, type: nil)
        let common = top.first!.key
        let rare = try target.topEntities(ReportFilter(), limit: 2000, type: nil).last!.key
        let story = try target.stories(ReportFilter(), limit: 1).first!.id
        let articleID = "synthetic-\(summary.articles / 2)"
        let month = ReportFilter(since: SyntheticArticles.day(120), until: SyntheticArticles.day(150))
        let week = ReportFilter(since: SyntheticArticles.day(200), until: SyntheticArticles.day(207))
        let queries: [(String, () throws -> Int)] = [
            ("summary", { try target.summary(ReportFilter()).articles }),
            ("top entities", { try target.topEntities(ReportFilter(), limit: 20, type: nil).count }),
            ("top persons", { try target.topEntities(ReportFilter(), limit: 20, type: .person).count }),
            ("counts by source", { try target.counts(.source, filter: ReportFilter()).count }),
            ("counts by day", { try target.counts(.day, filter: ReportFilter()).count }),
            ("counts by topic", { try target.counts(.topic, filter: ReportFilter()).count }),
            ("counts by language", { try target.counts(.language, filter: ReportFilter()).count }),
            ("quotes by speaker", { try target.speakers(ReportFilter(), limit: 20).count }),
            ("sourcing per outlet", { try target.sourcing(ReportFilter()).count }),
            ("co-occurrence (top 40)", { try target.cooccurrence(ReportFilter(), limit: 40).count }),
            ("stories (largest 20)", { try target.stories(ReportFilter(), limit: 20).count }),
            ("story page", { try target.story(id: story)?.articles.count ?? -1 }),
            ("article page", { try target.article(id: articleID) == nil ? -1 : 1 }),
            ("entity page, most common", { try target.entity(key: common, type: nil, filter: ReportFilter())?.articles.count ?? -1 }),
            ("entity page, rare", { try target.entity(key: rare, type: nil, filter: ReportFilter())?.articles.count ?? -1 }),
            ("overview, whole store", { try target.overview(ReportFilter()).topEntities.count }),
            ("overview --source", { try target.overview(ReportFilter(source: "BBC")).summary.articles }),
            ("overview --since/--until (30 days)", { try target.overview(month).summary.articles }),
            ("overview --since/--until (7 days) --source", { var f = week; f.source = "CNN"; return try target.overview(f).summary.articles }),
            ("overview --entity (rare)", { try target.overview(ReportFilter(entity: rare)).summary.articles }),
            ("overview --topic", { try target.overview(ReportFilter(topic: "sport")).summary.articles }),
            ("overview --story", { try target.overview(ReportFilter(story: story)).summary.articles }),
            ("overview --language", { try target.overview(ReportFilter(language: "fr")).summary.articles }),
            ("entity page, most common --since/--until (7 days)", { try target.entity(key: common, type: nil, filter: week)?.articles.count ?? -1 }),
        ]
        print("query times, median of \(repeats): wall ms, CPU ms of this process (rows):")
        for (name, query) in queries {
            var times: [Double] = []
            var processor: [Double] = []
            var rows = 0
            for _ in 0..<repeats {
                let t = Date()
                let c = Self.processCPUSeconds()
                rows = try query()
                processor.append((Self.processCPUSeconds() - c) * 1000)
                times.append(Date().timeIntervalSince(t) * 1000)
            }
            times.sort()
            processor.sort()
            let median = times[times.count / 2]
            print("  " + name.padding(toLength: 52, withPad: " ", startingAt: 0)
                  + String(format: "%9.1f ms %9.1f ms CPU  (%d)", median, processor[processor.count / 2], rows)
                  + (median >= 1000 ? "  over 1 s" : ""))
        }
    }
}

extension ReportBenchmarkCommand {
    /// Where the comparison stores go: beside a SQLite store, or in schemas of a PostgreSQL store's database.
    func comparisonStore(keepsArticles: Bool) -> String {
        let name = keepsArticles ? "compare_on" : "compare_off"
        guard PostgresLocation.isPostgresURL(store), var parts = URLComponents(string: store) else {
            return store + (keepsArticles ? ".compare-on" : ".compare-off")
        }
        parts.queryItems = (parts.queryItems ?? []).filter { $0.name != "schema" } + [URLQueryItem(name: "schema", value: name)]
        return parts.string ?? store
    }

    func removeComparisonStore(_ path: String) throws {
        if PostgresLocation.isPostgresURL(path) {
            try PostgresReportStore.drop(url: path)
        } else {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }

    /// User and system CPU time of this process: what the machine's other load does not inflate.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

/// A deterministic stream of synthetic analysed results.
struct SyntheticArticles {
    private var state: UInt64
    private var produced = 0
    private var texts: [Int] = []
    static let sources = ["BBC", "CNN", "alarabia", "france24", "aljazeera", "reuters"]
    static let topics = ["politics", "economy", "sport", "culture", "technology", "health", "war", "science"]
    static let languages = ["ar", "ar", "ar", "ar", "ar", "ar", "en", "fr"]
    static let types: [EntityType] = [.person, .organization, .location, .miscellaneous]
    static let start = 1_514_764_800.0  // 2018-01-01

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 }

    static func day(_ n: Int) -> Date { Date(timeIntervalSince1970: start + Double(n) * 86_400) }

    private mutating func random() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return StableHash.mix(state)
    }

    private mutating func uniform(_ n: Int) -> Int { Int(random() % UInt64(n)) }

    /// Zipf-like over 0..<n: small numbers far more often.
    private mutating func skewed(_ n: Int) -> Int {
        let u = Double(random() % 1_000_000 + 1) / 1_000_001
        return min(n - 1, Int(pow(Double(n), u)) - 1)
    }

    mutating func next() -> StoredResult {
        produced += 1
        var number = produced
        var text = produced
        if produced > 100, uniform(20) == 0 {
            number = 1 + uniform(produced - 1)  // the same article again
            text = number
        } else if produced > 100, uniform(50) == 0 {
            number = 1 + uniform(produced - 1)  // a new version
        }
        var local = SyntheticArticles(seed: UInt64(text))
        return local.article(number: number, text: text, job: produced)
    }

    private mutating func article(number: Int, text: Int, job: Int) -> StoredResult {
        let dayIndex = (number &* 7919) % 365 + uniform(2)
        let published = Date(timeIntervalSince1970: Self.start + Double(dayIndex) * 86_400 + Double(uniform(86_400)))
        var entities: [CanonicalEntity] = []
        var seen = Set<Int>()
        for _ in 0..<(4 + uniform(11)) {
            let id = skewed(60_000)
            guard seen.insert(id).inserted else { continue }
            entities.append(CanonicalEntity(key: "كيان\(id)", name: "كيان \(id)", type: Self.types[id % 4], mentions: 1 + uniform(6), variants: []))
        }
        let quotes = (0..<uniform(5)).map { _ in
            Quote(kind: .reported, text: "نص", speaker: "متحدث \(skewed(8000))", speakerEntity: nil, cue: "قال", span: TextSpan(start: 0, end: 1))
        }
        let sources = (0..<uniform(4)).map { _ in SourceAttribution(kind: uniform(3) == 0 ? .anonymous : .named, text: "مصدر", span: TextSpan(start: 0, end: 1)) }
        let keywords = (0..<6).map { i in Keyword(phrase: "كلمة\(skewed(30_000))", score: Double(10 - i)) }
        let minhash = (0..<64).map { _ in UInt32(truncatingIfNeeded: random()) }
        let analysis = Analysis(
            language: LanguageGuess(code: Self.languages[uniform(Self.languages.count)], confidence: 0.9),
            title: "خبر \(number)", cleanText: "نص الخبر \(text)", normalizedText: "نص الخبر \(text)",
            canonicalEntities: entities, quotes: quotes, sources: sources,
            keywords: keywords, topics: [TopicScore(topic: Self.topics[uniform(Self.topics.count)], score: 0.6)],
            tone: Double(Int(uniform(201)) - 100) / 100, summary: ["جملة"],
            fingerprint: Fingerprint(simhash: random(), minhash: minhash))
        return StoredResult(
            jobID: "job-\(job)-\(state % 100_000)", batchID: "synthetic",
            article: ArticleMetadata(id: "synthetic-\(number)", source: Self.sources[skewed(Self.sources.count)],
                                     title: "خبر \(number)", published: published.formatted(.iso8601)),
            outcome: .analysed(analysis), workerID: "synthetic", analysedAt: published)
    }
}
