import Foundation
import TestSupport
import Testing
@testable import ReportStore

/// `mirsad run`, `mirsad collector` and `mirsad report` with `--store postgres://...` through the built binary.
@Suite(.serialized, .needsPostgres, .offTheCooperativePool)
struct PostgresReportCommandTests {
    static func freshURL() throws -> String { try PostgresTestDatabase.freshStoreURL() }

    static func with(password: String? = nil, port: Int? = nil, _ url: String) -> String {
        var parts = URLComponents(string: url)!
        if let password { parts.password = password }
        if let port { parts.port = port }
        return parts.string!
    }

    @Test func runningTwiceIntoPostgreSQLCountsEachArticleOnce() async throws {
        try await offTheCooperativePool {
            let url = try Self.freshURL()
            defer { try? PostgresReportStore.drop(url: url) }
            for _ in 0..<2 {
                let run = try runMirsad(["run", ReportTestPaths.samples.path, "--store", url, "--workers", "1", "--log-level", "error"])
                #expect(run.status == 0, "\(run.stderr)")
                #expect(!run.stdout.contains(try #require(URLComponents(string: url)?.password)), "the password is never printed")
            }
            let json = try runMirsad(["report", "--store", url, "--format", "json"])
            #expect(json.status == 0, "\(json.stderr)")
            let overview = try reportDecoder().decode(ReportOverview.self, from: Data(json.stdout.utf8))
            let inputs = try runMirsad(["analyze", "--json", ReportTestPaths.samples.path]).stdout.split(separator: "\n").count
            #expect(overview.summary.articles == inputs)
            #expect(overview.summary.results == 2 * inputs)
            #expect(overview.summary.repeats == inputs)
            #expect(!overview.stories.isEmpty && !overview.topEntities.isEmpty)
            let text = try runMirsad(["report", "--store", url])
            #expect(text.status == 0 && !text.stdout.isEmpty, "\(text.stderr)")
            #expect(try PostgresReportStore(url: url).aggregateMismatches() == [])
            let story = try runMirsad(["report", "story", "999999", "--store", url])
            #expect(story.status == 4, "\(story.stderr)")
        }
    }

    @Test func aServerThatDoesNotAnswerIsAClearErrorForReportAndCollector() async throws {
        try await offTheCooperativePool {
            let url = Self.with(port: 9, try Self.freshURL())
            let report = try runMirsad(["report", "--store", url])
            #expect(report.status == 1)
            #expect(report.stderr.contains("cannot connect") && report.stderr.contains("127.0.0.1:9"), "\(report.stderr)")
            let collector = try runMirsad(["collector", "--store", url, "--bind", "tcp://127.0.0.1:*", "--log-level", "error"])
            #expect(collector.status != 0)
            #expect(collector.stderr.contains("cannot connect"), "\(collector.stderr)")
            let run = try runMirsad(["run", ReportTestPaths.samples.path, "--store", url, "--workers", "1", "--log-level", "error"])
            #expect(run.status != 0)
            #expect(run.stderr.contains("the collector could not start") && run.stderr.contains("cannot connect"), "\(run.stderr)")
        }
    }

    @Test func aRefusedPasswordIsAClearErrorAndWritesNothing() async throws {
        try await offTheCooperativePool {
            let url = try Self.freshURL()
            defer { try? PostgresReportStore.drop(url: url) }
            let wrong = Self.with(password: "wrong-password", url)
            for arguments in [["report", "--store", wrong], ["collector", "--store", wrong, "--bind", "tcp://127.0.0.1:*"]] {
                let run = try runMirsad(arguments)
                #expect(run.status != 0, "\(arguments[0])")
                #expect(run.stderr.contains("password authentication failed"), "\(arguments[0]): \(run.stderr)")
                #expect(!run.stderr.contains("wrong-password"))
            }
            // Nothing was created: a report with the right password finds no store (a report never creates one).
            let report = try runMirsad(["report", "--store", url])
            #expect(report.status == 1 && report.stderr.contains("no report store there"), "\(report.stderr)")
        }
    }
}
