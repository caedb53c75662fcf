import ArgumentParser
import ArticleAnalysis
import Foundation
import ReportStore
import ReportViews

/// `mirsad benchmark report`: fills a report store with synthetic analysed articles (`SyntheticArticles`) through
/// the store's own write path, then times every report query: the overview's queries under each filter alone and
/// combined, the entity, story and article pages, and rendering as text, JSON and HTML. With `--compare N`, it
/// first measures the cost per stored result with and without aggregates.
///
/// One article in 20 is a resubmission and one in 50 a new version of an earlier one, so identity and versions are
/// exercised at scale too. Articles arrive in no order of time, as when feeds are read late.
struct ReportBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Fill a report store with synthetic articles and time every report query.")

    @Option(help: "The store to fill (created; an existing one is filled further): a SQLite path or a postgres:// URL (the comparison stores then go in the schemas compare_on and compare_off of its database, dropped first).")
    var store: String

    @Option(help: "Synthetic articles to add.")
    var articles = 100_000

    @Option(help: "Results per commit, as a collector batches them.")
    var batch = 500

    @Option(help: "Before filling: store this many results into fresh stores (job rows only; articles without aggregates; everything) and compare the cost per result.")
    var compare = 0

    @Option(help: "How many times each query is run (the median is reported).")
    var repeats = 3

    func run() throws {
        if compare > 0 { try compareStoringCosts() }

        let target = try ReportStoreLocation(store).open()
        var generator = SyntheticArticles(seed: UInt64(try target.count().total) &+ 1)
        let started = Date()
        let cpuStarted = Self.processCPUSeconds()
        var stored = 0
        var lastReport = Date()
        while stored < articles {
            let results = (0..<min(batch, articles - stored)).map { _ in generator.next() }
            _ = try target.store(results)
            stored += results.count
            if Date().timeIntervalSince(lastReport) > 60 {
                lastReport = Date()
                say(String(format: "  %d stored, %.0f results/s", stored, Double(stored) / Date().timeIntervalSince(started)))
            }
        }
        if articles > 0 {
            let seconds = Date().timeIntervalSince(started)
            say(String(format: "filled: %d results in %.1f s, %.0f s CPU (%.0f results/s)", stored, seconds,
                         Self.processCPUSeconds() - cpuStarted, Double(stored) / seconds))
        }
        try timeQueries(target)
    }

    /// The cost per stored result of a fresh store with job rows only, with articles and stories but no
    /// aggregates, and with everything (what a collector does).
    private func compareStoringCosts() throws {
        let variants: [(String, String, SQLiteReportStore.Options)] = [
            ("job rows only (no articles)", "rows", .init(keepsArticles: false)),
            ("articles and stories, no aggregates", "off", .init(keepsAggregates: false)),
            ("articles, aggregates, summaries, stories", "on", .init()),
        ]
        for (name, suffix, options) in variants {
            let path = comparisonStore(suffix)
            try removeComparisonStore(path)
            let target = try ReportStoreLocation(path).open(options: options)
            var generator = SyntheticArticles(seed: 7)
            var seconds = 0.0
            var cpu = 0.0
            var serverCPU = 0.0
            var stored = 0
            while stored < compare {
                // Only storing is timed, not making the synthetic results.
                let results = (0..<min(batch, compare - stored)).map { _ in generator.next() }
                let started = Date()
                let cpuStarted = Self.processCPUSeconds()
                let serverStarted = postgresServerCPUSeconds()
                _ = try target.store(results)
                seconds += Date().timeIntervalSince(started)
                cpu += Self.processCPUSeconds() - cpuStarted
                serverCPU += postgresServerCPUSeconds() - serverStarted
                stored += results.count
            }
            let server = PostgresLocation.isPostgresURL(store)
                ? String(format: " + %.1f µs PostgreSQL server CPU", serverCPU / Double(stored) * 1e6) : ""
            say(String(format: "store, %@: %d results, %.1f µs per result wall, %.1f µs CPU%@ (%.0f results/s)",
                         name, stored, seconds / Double(stored) * 1e6, cpu / Double(stored) * 1e6, server,
                         Double(stored) / seconds))
            try removeComparisonStore(path)
        }
    }

    /// Runs `body` `repeats` times: the median wall and CPU milliseconds (this process, and a local PostgreSQL
    /// server's too), and its last value.
    private func time<T>(_ body: () throws -> T) rethrows -> (wall: Double, cpu: Double, value: T) {
        var walls: [Double] = []
        var cpus: [Double] = []
        var value: T?
        for _ in 0..<max(1, repeats) {
            let t = Date()
            let c = Self.processCPUSeconds() + postgresServerCPUSeconds()
            value = try body()
            cpus.append((Self.processCPUSeconds() + postgresServerCPUSeconds() - c) * 1000)
            walls.append(Date().timeIntervalSince(t) * 1000)
        }
        return (walls.sorted()[walls.count / 2], cpus.sorted()[cpus.count / 2], value!)
    }

    /// One timed line; `slowest` is the wall time of its slowest single query (the line's own by default), flagged
    /// at a second or more.
    private func line(_ name: String, _ wall: Double, _ cpu: Double, _ note: String, slowest: Double? = nil) {
        say("  " + name.padding(toLength: 58, withPad: " ", startingAt: 0)
              + String(format: "%9.1f ms %9.1f ms CPU  ", wall, cpu) + note + ((slowest ?? wall) >= 1000 ? "  OVER 1 s" : ""))
    }

    private func timeQueries(_ target: any ReportStore & ReportQueries) throws {
        let summary = try target.summary(ReportFilter())
        let size = ((try? FileManager.default.attributesOfItem(atPath: store)[.size] as? Int) ?? 0)
        say("store: \(summary.articles) articles, \(summary.results) results, \(summary.stories) stories"
              + (PostgresLocation.isPostgresURL(store) ? "" : ", \(size / 1_000_000) MB"))

        guard summary.articles > 0 else { return }
        let ranked = try target.topEntities(ReportFilter(), limit: 2000, type: nil)
        let common = ranked.first!.key
        let middle = ranked[min(199, ranked.count - 1)].key
        let rare = ranked.last!.key
        let story = try target.stories(ReportFilter(), limit: 1).first!.id
        let articleID = "synthetic-\(summary.articles / 2)"
        func days(_ first: Int, _ count: Int) -> ReportFilter {
            ReportFilter(since: SyntheticArticles.day(first), until: SyntheticArticles.day(first + count))
        }
        func with(_ base: ReportFilter, _ change: (inout ReportFilter) -> Void) -> ReportFilter {
            var f = base
            change(&f)
            return f
        }
        let smallSource = SyntheticArticles.sources[20]
        let filters: [(String, ReportFilter)] = [
            ("(none)", ReportFilter()),
            ("--since/--until 7 days", days(400, 7)),
            ("--since/--until 30 days", days(400, 30)),
            ("--since/--until 365 days", days(200, 365)),
            ("--since only (last 90 days)", ReportFilter(since: SyntheticArticles.day(SyntheticArticles.days - 90))),
            ("--source, largest outlet", ReportFilter(source: "BBC")),
            ("--source, small outlet", ReportFilter(source: smallSource)),
            ("--language ar (3 in 4)", ReportFilter(language: "ar")),
            ("--language fr", ReportFilter(language: "fr")),
            ("--topic", ReportFilter(topic: "sport")),
            ("--entity, commonest", ReportFilter(entity: common)),
            ("--entity, 200th", ReportFilter(entity: middle)),
            ("--entity, rare", ReportFilter(entity: rare)),
            ("--story, largest", ReportFilter(story: story)),
            ("7 days --source", with(days(400, 7)) { $0.source = "CNN" }),
            ("30 days --topic", with(days(400, 30)) { $0.topic = "war" }),
            ("365 days --source", with(days(200, 365)) { $0.source = "BBC" }),
            ("--source --language", ReportFilter(source: "BBC", language: "ar")),
            ("--topic --language", ReportFilter(topic: "politics", language: "en")),
            ("30 days --source --language --topic", with(days(400, 30)) { $0.source = "BBC"; $0.language = "ar"; $0.topic = "war" }),
            ("--entity commonest, 7 days", with(days(400, 7)) { $0.entity = common }),
            ("--entity commonest, 30 days --source", with(days(400, 30)) { $0.entity = common; $0.source = "BBC" }),
            ("--entity 200th --source", ReportFilter(source: "BBC", entity: middle)),
            ("--entity 200th --topic", ReportFilter(entity: middle, topic: "war")),
        ]
        say("overview by filter, median of \(max(1, repeats)): each query of the overview timed alone; wall and CPU ms summed, then the slowest query:")
        var slowest: (String, Double) = ("", 0)
        for (name, filter) in filters {
            let parts: [(String, () throws -> Int)] = [
                ("summary", { try target.summary(filter).articles }),
                ("top entities", { try target.topEntities(filter, limit: 20, type: nil).count }),
                ("timeline", { try target.counts(.day, filter: filter).count }),
                ("sources", { try target.counts(.source, filter: filter).count }),
                ("topics", { try target.counts(.topic, filter: filter).count }),
                ("languages", { try target.counts(.language, filter: filter).count }),
                ("stories", { try target.stories(filter, limit: 20).count }),
                ("co-occurrence", { try target.cooccurrence(filter, limit: 40).count }),
                ("speakers", { try target.speakers(filter, limit: 20).count }),
                ("sourcing", { try target.sourcing(filter).count }),
                ("bounding window", { try target.countingWindow(filter)?.articles ?? 0 }),
            ]
            var wall = 0.0, cpu = 0.0, worst = ("", 0.0), matched = 0, mostCPU = ("", 0.0)
            var slow: [String] = []
            for (part, query) in parts {
                let t = try time(query)
                if t.wall >= 250 || t.cpu >= 250 { slow.append(String(format: "%@ %.0f ms (%.0f ms CPU)", part, t.wall, t.cpu)) }
                wall += t.wall
                cpu += t.cpu
                if t.wall > worst.1 { worst = (part, t.wall) }
                if t.cpu > mostCPU.1 { mostCPU = (part, t.cpu) }
                if part == "summary" { matched = t.value }
                if t.wall > slowest.1 { slowest = ("\(name): \(part)", t.wall) }
            }
            line("overview " + name, wall, cpu, String(format: "%8d articles; slowest %@ %.1f ms; most CPU %@ %.1f ms",
                                                       matched, worst.0, worst.1, mostCPU.0, mostCPU.1), slowest: worst.1)
            if !slow.isEmpty { say("      queries of 250 ms or more: " + slow.joined(separator: ", ")) }
        }
        say("pages and rendering, median of \(max(1, repeats)):")
        let overview = try target.overview(ReportFilter())
        let filtered = try target.overview(days(400, 30))
        let pages: [(String, () throws -> Int)] = [
            ("top persons", { try target.topEntities(ReportFilter(), limit: 20, type: .person).count }),
            ("story page, largest story", { try target.story(id: story)?.articles.count ?? -1 }),
            ("article page", { try target.article(id: articleID) == nil ? -1 : 1 }),
            ("entity page, commonest", { try target.entity(key: common, type: nil, filter: ReportFilter())?.articles.count ?? -1 }),
            ("entity page, 200th", { try target.entity(key: middle, type: nil, filter: ReportFilter())?.articles.count ?? -1 }),
            ("entity page, rare", { try target.entity(key: rare, type: nil, filter: ReportFilter())?.articles.count ?? -1 }),
            ("entity page, commonest, 7 days", { try target.entity(key: common, type: nil, filter: days(400, 7))?.articles.count ?? -1 }),
            ("entity page, commonest, 365 days", { try target.entity(key: common, type: nil, filter: days(200, 365))?.articles.count ?? -1 }),
            ("entity page, commonest --source", { try target.entity(key: common, type: nil, filter: ReportFilter(source: "BBC"))?.articles.count ?? -1 }),
            ("entity page, 200th --language", { try target.entity(key: middle, type: nil, filter: ReportFilter(language: "fr"))?.articles.count ?? -1 }),
            ("render overview as text (whole store)", { TableRendering.text(ReportTable.tables(overview)).utf8.count }),
            ("render overview as json (whole store)", { try Self.json(overview).count }),
            ("render overview as html (whole store)", { ReportPages.overview(overview).utf8.count }),
            ("render overview as text (30 days)", { TableRendering.text(ReportTable.tables(filtered)).utf8.count }),
            ("render overview as json (30 days)", { try Self.json(filtered).count }),
        ]
        for (name, query) in pages {
            let t = try time(query)
            if t.wall > slowest.1 { slowest = (name, t.wall) }
            line(name, t.wall, t.cpu, "(\(t.value))")
        }
        say(String(format: "slowest single query: %@, %.1f ms", slowest.0, slowest.1))
    }

    static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

extension ReportBenchmarkCommand {
    /// Where the comparison stores go: beside a SQLite store, or in schemas of a PostgreSQL store's database.
    /// The store of one variant of `--compare`: a file beside `--store`, or a schema `compare_NAME` of its database.
    func comparisonStore(_ name: String) -> String {
        guard PostgresLocation.isPostgresURL(store), var parts = URLComponents(string: store) else {
            return store + ".compare-" + name
        }
        parts.queryItems = (parts.queryItems ?? []).filter { $0.name != "schema" } + [URLQueryItem(name: "schema", value: "compare_" + name)]
        return parts.string ?? store
    }

    func removeComparisonStore(_ path: String) throws {
        if PostgresLocation.isPostgresURL(path) {
            try PostgresReportStore.drop(url: path)
        } else {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }

    /// The CPU time of the PostgreSQL server `--store` names, when it runs on this machine: its postmaster (with
    /// the children it has reaped) and its live backends, read from `/proc`; 0 for SQLite or a server not found.
    /// A query's server CPU is the difference over it (other clients of the same server would add theirs).
    func postgresServerCPUSeconds() -> Double {
        guard PostgresLocation.isPostgresURL(store), let port = URLComponents(string: store)?.port else { return 0 }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        func stat(_ pid: String) -> [String]? {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = text.lastIndex(of: ")") else { return nil }
            return text[text.index(after: close)...].split(separator: " ").map(String.init)
        }
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { $0.allSatisfy(\.isNumber) } ?? []
        var postmaster: String?
        for pid in pids {
            guard let line = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8) else { continue }
            let arguments = line.split(separator: "\0").map(String.init)
            if arguments.first?.hasSuffix("/postgres") == true,
               arguments.contains(where: { $0.contains("-p \(port)") || $0 == "\(port)" }) {
                postmaster = pid
                break
            }
        }
        guard let postmaster, let own = stat(postmaster) else { return 0 }
        // Fields after the command: state is 0, so utime 11, stime 12, cutime 13, cstime 14; the parent is 1.
        var total = own[11...14].compactMap(Double.init).reduce(0, +)
        for pid in pids where pid != postmaster {
            guard let fields = stat(pid), fields.count > 12, fields[1] == postmaster else { continue }
            total += fields[11...12].compactMap(Double.init).reduce(0, +)
        }
        return total / ticks
    }

    /// One line on standard output, written at once (progress shows as it comes when the output is a file);
    /// a failed write is dropped, as `print` drops it.
    func say(_ line: String) {
        try? StandardOutput.write(line + "\n")
    }

    /// User and system CPU time of this process: what the machine's other load does not inflate.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

/// A deterministic stream of synthetic analysed results.
///
/// Shaped like a news corpus over two years: 36 outlets, a few carrying most articles; 730 days; entities from a
/// pool of 60,000 drawn with Zipf-like frequencies (the commonest named by ~40% of articles, most by a handful);
/// 10 topics, one or two per article; Arabic for three articles in four, else English or French; quotes from 8,000
/// speakers, themselves Zipf-like.
struct SyntheticArticles {
    private var state: UInt64
    private var produced = 0
    static let sources = ["BBC", "CNN", "alarabiya", "france24", "aljazeera", "reuters", "afp", "ap", "asharq",
                          "alhurra", "skynews", "rt", "dw", "aawsat", "alquds", "annahar", "almasryalyoum",
                          "alahram", "elkhabar", "hespress", "alwatan", "okaz", "alriyadh", "albayan", "alittihad",
                          "alrai", "addustour", "alghad", "assafir", "alakhbar", "almayadeen", "alsumaria",
                          "rudaw", "shafaq", "alsharq", "arabi21"]
    static let topics = ["politics", "economy", "sport", "culture", "technology", "health", "war", "science",
                         "religion", "environment"]
    static let languages = ["ar", "ar", "ar", "ar", "ar", "ar", "en", "fr"]
    static let types: [EntityType] = [.person, .organization, .location, .miscellaneous]
    static let days = 730
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

    /// One result in 20 is an earlier article resubmitted unchanged and one in 50 a new version of an earlier one.
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
        let dayIndex = (number &* 7919) % (Self.days - 1) + uniform(2)
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
        let minhash = (0..<Fingerprinter.signatureLength).map { _ in UInt32(truncatingIfNeeded: random()) }
        var topics = [TopicScore(topic: Self.topics[uniform(Self.topics.count)], score: 0.6)]
        if uniform(3) == 0 { topics.append(TopicScore(topic: Self.topics[uniform(Self.topics.count)], score: 0.4)) }
        let analysis = Analysis(
            language: LanguageGuess(code: Self.languages[uniform(Self.languages.count)], confidence: 0.9),
            title: "خبر \(number)", cleanText: "نص الخبر \(text)", normalizedText: "نص الخبر \(text)",
            canonicalEntities: entities, quotes: quotes, sources: sources,
            keywords: keywords, topics: topics,
            tone: Double(Int(uniform(201)) - 100) / 100, summary: ["جملة"],
            fingerprint: Fingerprint(simhash: random(), minhash: minhash))
        return StoredResult(
            jobID: "job-\(job)-\(state % 100_000)", batchID: "synthetic",
            article: ArticleMetadata(id: "synthetic-\(number)", source: Self.sources[skewed(Self.sources.count)],
                                     title: "خبر \(number)", published: published.formatted(.iso8601)),
            outcome: .analysed(analysis), workerID: "synthetic", analysedAt: published)
    }
}
