import ArticleAnalysis
import Foundation
import MirsadWire
import TestSupport
import ReportStore
import Testing
@testable import MirsadServices

/// Two `CollectorService`s, each through a `PostgresReportStore` of its own as collectors on two machines have, storing into
/// one database at once: overlapping results (the same job sent to both, the same article under different jobs,
/// changed versions) and distinct ones. Every result is acknowledged, stored once, and every aggregate equals its
/// recomputation from the article rows.
@Suite(.needsPostgres, .timeLimit(.minutes(6)))
struct PostgresCollectorsTests {
    static let sentences = [
        "وصل وفد قيادي من حركة حماس إلى القاهرة لبحث الملفات المتعلقة بإدارة قطاع غزة.",
        "وقال مسؤول مصري إن المحادثات ستستمر حتى نهاية الأسبوع.",
        "وأعلنت الأمم المتحدة عن خطة جديدة لإيصال المساعدات إلى غزة.",
        "وزار الرئيس الأمريكي دونالد ترامب الرياض واجتمع بولي العهد.",
        "وقالت مصادر مطلعة إن إيران رفضت العرض الأوروبي.",
        "وشهدت أسعار النفط ارتفاعا كبيرا في الأسواق العالمية.",
    ]

    /// The wire result of job `job` for article `article`, its text chosen by `variant`.
    static func result(job: String, article: Int, variant: Int) -> Mirsad_V1_Result {
        let text = (0..<3).map { sentences[(article + variant + $0 * 2) % sentences.count] }.joined(separator: " ")
        let source = ["وكالة", "BBC", "CNN"][article % 3]
        return SampleResults.result(jobID: job, article: Article(
            id: "pg-\(article)", url: nil, source: source, category: nil, title: "خبر \(article)",
            published: "2024-05-0\(1 + article % 5)T10:00:00Z", author: nil, content: .text(text))).0
    }

    @Test func twoCollectorsWritingOneStoreAtOnceKeepTheAggregatesRight() async throws {
        let url = try PostgresTestDatabase.freshStoreURL(lockTimeout: "2min")
        defer { try? PostgresReportStore.drop(url: url) }
        // Each collector's messages: 10 RESULTS of 6 results. Both see articles 0..<20; the jobs of every
        // third message of the first collector go to the second as well.
        var plans: [[[Mirsad_V1_Result]]] = [[], []]
        for side in 0..<2 {
            for message in 0..<10 {
                plans[side].append((0..<6).map { i in
                    let n = message * 6 + i
                    return Self.result(job: "side\(side)-\(n)", article: (n * 7 + side) % 20, variant: (n / 20 + side) % 2)
                })
            }
        }
        for message in stride(from: 0, to: 10, by: 3) { plans[1][message] += plans[0][message] }
        let sent = plans
        let jobs = Set(plans.flatMap { $0.flatMap { $0.map(\.jobID) } })

        let dispatcher = try CollectorServiceTests.fakeDispatcher()
        defer { dispatcher.stop() }
        // What the collectors log at warning and above is shown when the test fails.
        let logged = Locked<[String]>([])
        var logger = capturingLogger(logged)
        logger.logLevel = .warning
        let first = try await CollectorServiceTests.startCollector(
            dispatcher: dispatcher.endpoint, store: try PostgresReportStore(url: url), logger: logger)
        let second = try await CollectorServiceTests.startCollector(
            dispatcher: dispatcher.endpoint, store: try PostgresReportStore(url: url), logger: logger)
        let collectors = [first, second]
        let missing = Locked<[String]>([])
        try await offTheCooperativePool {
            DispatchQueue.concurrentPerform(iterations: 2) { side in
                do {
                    let worker = try FakeDealer(endpoint: collectors[side].endpoint, identity: "pg-worker-\(side)")
                    let expected = Set(sent[side].flatMap { $0.map(\.jobID) })
                    // Every acknowledgement of every round counts: a round resends only what none acknowledged.
                    var acked = Set<String>()
                    // As a worker does, what is not acknowledged is sent again after 10 s (a commit that met the
                    // other writer's lock past its lock timeout acknowledges nothing), for up to three minutes: a
                    // loaded machine commits slowly, and a test that gave up sooner would measure the machine.
                    let deadline = ContinuousClock.now + .seconds(180)
                    while ContinuousClock.now < deadline {
                        let unacknowledged = sent[side].filter { !Set($0.map(\.jobID)).isSubset(of: acked) }
                        if unacknowledged.isEmpty { break }
                        for message in unacknowledged {
                            var body = Mirsad_V1_Results()
                            body.results = message
                            try worker.send(.results(body))
                        }
                        let before = acked
                        let replies = try worker.receive(seconds: 10) {
                            expected.isSubset(of: before.union(CollectorServiceTests.acked($0)))
                        }
                        acked.formUnion(CollectorServiceTests.acked(replies))
                    }
                    let unacked = expected.subtracting(acked)
                    if !unacked.isEmpty { missing.withLock { $0.append("side \(side): \(unacked.count) not acknowledged") } }
                } catch {
                    missing.withLock { $0.append("side \(side): \(error)") }
                }
            }
        }
        try await first.stop()
        try await second.stop()
        #expect(missing.withLock { $0 } == [], "the collectors logged: \(logged.withLock { $0.suffix(20) })")

        try await offTheCooperativePool {
            let store = try PostgresReportStore(url: url)
            #expect(try store.aggregateMismatches() == [])
            #expect(try store.count().total == jobs.count)
            let summary = try store.summary(ReportFilter(since: Date(timeIntervalSince1970: 0)))
            #expect(summary.articles == 20)
            #expect(summary.results == jobs.count, "every stored job is one sighting of its article")
        }
    }
}
