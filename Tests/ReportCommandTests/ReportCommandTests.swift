import Foundation
import GRDB
import Testing
@testable import ReportStore
import TestSupport

/// `mirsad report` end to end through the built binary, on a store that `mirsad run` filled twice from `Samples/`.
@Suite(.serialized, .offTheCooperativePool) struct ReportCommandTests {
    /// One store for the suite: `mirsad run Samples/` twice.
    static let store: Result<String, any Error> = Result {
        let directory = try ReportTestPaths.temporaryDirectory()
        let path = directory.appendingPathComponent("report.sqlite").path
        for _ in 0..<2 {
            let run = try runMirsad(["run", ReportTestPaths.samples.path, "--store", path, "--workers", "1", "--log-level", "error"])
            guard run.status == 0 else { throw ReportTestFailure("mirsad run exited \(run.status): \(run.stderr)") }
        }
        return path
    }

    @Test func runningTwiceCountsEachArticleOnce() throws {
        let store = try Self.store.get()
        let json = try runMirsad(["report", "--store", store, "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let overview = try reportDecoder().decode(ReportOverview.self, from: Data(json.stdout.utf8))
        let inputs = try runMirsad(["analyze", "--json", ReportTestPaths.samples.path]).stdout.split(separator: "\n").count
        #expect(overview.summary.articles == inputs)
        #expect(overview.summary.results == 2 * inputs)
        #expect(overview.summary.repeats == inputs)
        #expect(overview.sources.map(\.articles).reduce(0, +) == inputs)
        #expect(overview.topEntities.allSatisfy { $0.articles <= inputs })
        #expect(!overview.stories.isEmpty)
    }

    @Test func everyFormatIsWritten() throws {
        let store = try Self.store.get()
        let text = try runMirsad(["report", "--store", store])
        #expect(text.status == 0 && text.stdout.contains("top entities:") && text.stdout.contains("stories:"), "\(text.stderr)")
        let csv = try runMirsad(["report", "--store", store, "--format", "csv"])
        #expect(csv.status == 0 && csv.stdout.hasPrefix("table,articles,"))
        #expect(csv.stdout.contains("\r\ntop_entities,"))
        let directory = try ReportTestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.html").path
        let html = try runMirsad(["report", "--store", store, "--format", "html", "--output", file])
        #expect(html.status == 0, "\(html.stderr)")
        let page = try String(contentsOfFile: file, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("<meta name=\"viewport\""))
        #expect(page.contains("dir=\"rtl\"") && page.contains("dir=\"auto\""))
        #expect(page.components(separatedBy: "<svg").count >= 6)
        #expect(!page.contains("<link") && !page.contains("src=\"http"))
        #expect(!page.contains("<script"))
        for id in ["entities", "timeline", "sources", "sourcing", "stories", "cooccurrence"] { #expect(page.contains("id=\"\(id)\"")) }
    }

    @Test func onePageEachForAnArticleAnEntityAndAStory() throws {
        let store = try Self.store.get()
        let overview = try reportDecoder().decode(ReportOverview.self, from: Data(try runMirsad(["report", "--store", store, "--format", "json"]).stdout.utf8))
        let entity = try #require(overview.topEntities.first)
        let story = try #require(overview.stories.first)
        let entityPage = try runMirsad(["report", "entity", entity.name, "--store", store, "--format", "json"])
        #expect(entityPage.status == 0, "\(entityPage.stderr)")
        let decodedEntity = try reportDecoder().decode(EntityPage.self, from: Data(entityPage.stdout.utf8))
        #expect(decodedEntity.entity.articles == entity.articles)
        let article = try #require(decodedEntity.articles.first)
        let articlePage = try runMirsad(["report", "article", article.id, "--store", store, "--format", "json"])
        #expect(articlePage.status == 0, "\(articlePage.stderr)")
        let decodedArticle = try reportDecoder().decode(ArticlePage.self, from: Data(articlePage.stdout.utf8))
        #expect(decodedArticle.seen == 2 && !decodedArticle.analysis.cleanText.isEmpty)
        let storyPage = try runMirsad(["report", "story", "\(story.id)", "--store", store])
        #expect(storyPage.status == 0 && storyPage.stdout.contains("articles:"))
        for format in ["html", "csv", "text"] {
            #expect(try runMirsad(["report", "article", article.id, "--store", store, "--format", format]).status == 0)
            #expect(try runMirsad(["report", "entity", entity.key, "--store", store, "--format", format]).status == 0)
            #expect(try runMirsad(["report", "story", "\(story.id)", "--store", store, "--format", format]).status == 0)
        }
    }

    @Test func filtersNarrowAndAFilterThatMatchesNothingSaysSo() throws {
        let store = try Self.store.get()
        let all = try reportDecoder().decode(ReportOverview.self, from: Data(try runMirsad(["report", "--store", store, "--format", "json"]).stdout.utf8))
        let source = try #require(all.sources.first)
        let bySource = try runMirsad(["report", "--store", store, "--format", "json", "--source", source.value])
        let narrowed = try reportDecoder().decode(ReportOverview.self, from: Data(bySource.stdout.utf8))
        #expect(narrowed.summary.articles == source.articles && narrowed.sources.map(\.value) == [source.value])
        let since = try runMirsad(["report", "--store", store, "--format", "json", "--since", "2018-06-01", "--until", "2018-07-01", "--language", "ar"])
        #expect(since.status == 0, "\(since.stderr)")
        let june = try reportDecoder().decode(ReportOverview.self, from: Data(since.stdout.utf8))
        #expect(june.timeline.allSatisfy { $0.value.hasPrefix("2018-06") } && june.summary.articles > 0)

        for filter in [["--source", "no such outlet"], ["--since", "2031-01-01"], ["--topic", "nothing"], ["--entity", "لا أحد"], ["--story", "999999"]] {
            let none = try runMirsad(["report", "--store", store] + filter)
            #expect(none.status == 3, "\(filter): \(none.status) \(none.stderr)")
            #expect(none.stderr.contains("no article matches") && none.stdout.isEmpty)
        }
    }

    @Test func badInputExitsWithAReason() throws {
        let store = try Self.store.get()
        let directory = try ReportTestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = try runMirsad(["report", "--store", directory.appendingPathComponent("none.sqlite").path])
        #expect(missing.status == 1 && missing.stderr.contains("no report store"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("none.sqlite").path))
        for (command, word) in [(["article", "no-such-article"], "article"), (["entity", "لا-أحد-بهذا-الاسم"], "entity"), (["story", "999999"], "story")] {
            let unknown = try runMirsad(["report"] + command + ["--store", store])
            #expect(unknown.status == 4 && unknown.stderr.contains("no \(word)"), "\(command): \(unknown.stderr)")
        }
        let badDate = try runMirsad(["report", "--store", store, "--since", "yesterday"])
        #expect(badDate.status == 64 && badDate.stderr.contains("--since"))
        let badFormat = try runMirsad(["report", "--store", store, "--format", "pdf"])
        #expect(badFormat.status == 64)

        let newer = directory.appendingPathComponent("newer.sqlite").path
        try FileManager.default.copyItem(atPath: store, toPath: newer)
        try DatabaseQueue(path: newer).write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9: later')") }
        let refused = try runMirsad(["report", "--store", newer])
        #expect(refused.status == 1 && refused.stderr.contains("newer mirsad"), "\(refused.stderr)")

        let notADatabase = directory.appendingPathComponent("text.sqlite")
        try Data("not a database".utf8).write(to: notADatabase)
        let garbage = try runMirsad(["report", "--store", notADatabase.path])
        #expect(garbage.status == 1 && garbage.stderr.contains("cannot open"))
    }

    @Test(.enabled(if: ReportTestPaths.shared != nil, "needs ../shared (the ANT corpus)"))
    func storyClustersOnTheGoldSetStayAboveAFloor() throws {
        let corpus = ReportTestPaths.shared!.appendingPathComponent("corpus/ant/articles.jsonl.gz").path
        let gold = ReportTestPaths.repositoryRoot.appendingPathComponent("Benchmarks/stories/gold.json").path
        let eval = try runMirsad(["eval", "stories", gold, "--corpus", corpus])
        #expect(eval.status == 0, "\(eval.stderr)")
        let all = try #require(eval.stdout.split(separator: "\n").first { $0.hasPrefix("all:") })
        let f1 = try #require(Double(all.split(separator: " ").last!))
        let precision = try #require(Double(all.components(separatedBy: "precision ")[1].split(separator: " ")[0]))
        // Well below the measured figures (Benchmarks/stories/README.md).
        #expect(f1 >= 0.6, "\(all)")
        #expect(precision >= 0.7, "\(all)")
    }
}

struct ReportTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum ReportTestPaths {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = repositoryRoot.appendingPathComponent("Samples")

    /// The `mirsad` executable built beside the test bundle (or MIRSAD_BINARY).
    static var mirsad: String {
        if let path = ProcessInfo.processInfo.environment["MIRSAD_BINARY"] { return path }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for directory in [beside, beside.deletingLastPathComponent()] {
            let candidate = directory.appendingPathComponent("mirsad").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/mirsad").path
    }

    static var shared: URL? {
        let url = ProcessInfo.processInfo.environment["MIRSAD_SHARED"].map(URL.init(fileURLWithPath:))
            ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct CommandOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}

func runMirsad(_ arguments: [String]) throws -> CommandOutput {
    let scratch = try ReportTestPaths.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ReportTestPaths.mirsad)
    process.arguments = arguments
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return CommandOutput(
        status: process.terminationStatus,
        stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}

/// Reads what `mirsad report --format json` writes (dates in ISO 8601).
func reportDecoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return decoder
}
