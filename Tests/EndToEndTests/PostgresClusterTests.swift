import Foundation
import MirsadServices
import TestSupport
import Testing
@testable import ReportStore

/// Two `mirsad collector` processes writing one PostgreSQL store at once, as collectors on two machines do: one
/// dispatcher, each collector with a worker of its own, the same articles submitted twice so that both collectors
/// store sightings of the same articles. Every article is counted once, every sighting once, and every aggregate
/// equals its recomputation from the article rows.
@Suite(.serialized, .needsPostgres, .timeLimit(.minutes(5)))
struct PostgresClusterTests {
    @Test func twoCollectorProcessesKeepOneStoreRight() async throws {
        let url = try PostgresTestDatabase.freshStoreURL()
        defer { try? PostgresReportStore.drop(url: url) }
        let directory = try TestPaths.temporaryDirectory()
        var children: [ManagedProcess] = []
        func start(_ name: String, _ arguments: [String]) async throws -> String {
            var launch = ManagedProcess.Configuration(executable: TestPaths.mirsad, arguments: arguments + ["--log-level", "info"])
            launch.errorLogPath = directory.appendingPathComponent("\(name).log").path
            let child = try await ManagedProcess.start(name, launch)
            children.append(child)
            return try await child.awaitLine(prefix: "READY", timeout: .seconds(60))
        }
        let input = TestPaths.samples.appendingPathComponent("ant-sample.jsonl")
        let articles = try String(contentsOf: input, encoding: .utf8).split(separator: "\n").count
        do {
            let journal = directory.appendingPathComponent("journal.sqlite").path
            let dispatcher = try await start("dispatcher", ["dispatcher", "--bind", "tcp://127.0.0.1:*", "--journal", journal])
            for side in 0..<2 {
                let collector = try await start("collector-\(side)", [
                    "collector", "--bind", "tcp://127.0.0.1:*", "--dispatcher", dispatcher, "--store", url])
                _ = try await start("worker-\(side)", [
                    "worker", "--dispatcher", dispatcher, "--collector", collector, "--threads", "1", "--no-supervise"])
            }
            // Two batches of the same articles at once: each article stored twice, by whichever collector its
            // worker sends to.
            async let first = runMirsad(["submit", input.path, "--dispatcher", dispatcher, "--wait", "--json"])
            async let second = runMirsad(["submit", input.path, "--dispatcher", dispatcher, "--wait", "--json"])
            for submitted in try await [first, second] {
                #expect(submitted.status == 0, "submit failed: \(submitted.stderr)")
                #expect(try decodeJSON(submitted.stdout)["stored"] as? Int == articles)
            }
        } catch {
            await ManagedProcess.stop(children.reversed())
            throw error
        }
        let killed = await ManagedProcess.stop(children.reversed())
        #expect(killed == [], "every process ends on SIGTERM")

        try await offTheCooperativePool {
            let store = try PostgresReportStore(url: url)
            #expect(try store.aggregateMismatches() == [])
            #expect(try store.count().analysed == 2 * articles)
            let summary = try store.summary(ReportFilter())
            #expect(summary.articles == articles)
            #expect(summary.results == 2 * articles && summary.repeats == articles)
            // Both collectors wrote: each worker sends to one collector only, and both workers' results are there.
            let workers = try store.perform("listing workers") { connections in
                try await connections.withConnection { db in
                    try await db.rows("SELECT DISTINCT worker_id FROM results").map { try $0.value("worker_id", as: String.self) }
                }
            }
            #expect(workers.count == 2, "\(workers)")
        }
    }
}
