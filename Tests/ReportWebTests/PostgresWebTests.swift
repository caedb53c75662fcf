import Foundation
import TestSupport
import ReportStore
import Testing

/// `mirsad web --store postgres://...`: the same pages served from a PostgreSQL store, and a clear refusal of a
/// server that does not answer.
@Suite(.serialized, .needsPostgres, .offTheCooperativePool)
struct PostgresWebTests {
    @Test func pagesAreServedFromAPostgreSQLStore() async throws {
        let url = try PostgresTestDatabase.freshStoreURL()
        defer { try? PostgresReportStore.drop(url: url) }
        let samples = WebFixture.repositoryRoot.appendingPathComponent("Samples/ant-sample.jsonl").path
        let run = try await offTheCooperativePool {
            try runMirsad(["run", samples, "--store", url, "--workers", "1", "--log-level", "error"])
        }
        #expect(run.status == 0, "\(run.stderr)")

        let web = try await offTheCooperativePool { try ServiceProcess(["web", "--store", url, "--bind", "127.0.0.1:0"]) }
        defer { web.stop() }
        let overview = try await httpGet(web.ready + "/")
        #expect(overview.status == 200 && overview.contentType.hasPrefix("text/html"))
        let entityLink = try #require(firstLink(overview.body, startingWith: "/entity/"))
        let entity = try await httpGet(web.ready + entityLink)
        #expect(entity.status == 200, "\(entityLink): \(entity.body.prefix(300))")
        let missing = try await httpGet(web.ready + "/story/999999")
        #expect(missing.status == 404)
        #expect(web.stop() == 0)
    }

    @Test func aServerThatDoesNotAnswerIsRefusedWithItsReason() async throws {
        try await offTheCooperativePool {
            var parts = try #require(URLComponents(string: try PostgresTestDatabase.freshStoreURL()))
            parts.port = 9
            let web = try runMirsad(["web", "--store", try #require(parts.string), "--bind", "127.0.0.1:0"])
            #expect(web.status != 0)
            #expect(web.stderr.contains("cannot connect") && web.stderr.contains("127.0.0.1:9"), "\(web.stderr)")
            #expect(!web.stderr.contains(try #require(parts.password)), "the password is never printed")
        }
    }
}
