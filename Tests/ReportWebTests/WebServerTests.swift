import Foundation
import Testing
import TestSupport

/// `mirsad web` as a separate process over real HTTP, on a store of real ANT articles.
@Suite(.serialized, .offTheCooperativePool, .enabled(if: WebFixture.corpusTestsRun, "needs ../shared/corpus/ant/sample-500.jsonl"))
struct WebServerTests {
    @Test func pagesLinkEntitiesStoriesAndArticlesToEachOther() async throws {
        let web = try ServiceProcess(["web", "--store", try WebFixture.store.get(), "--bind", "127.0.0.1:0"])
        defer { web.stop() }
        #expect(web.ready.hasPrefix("http://127.0.0.1:"))
        let overview = try await httpGet(web.ready + "/")
        #expect(overview.status == 200 && overview.contentType.hasPrefix("text/html"))
        #expect(overview.body.components(separatedBy: "<svg").count >= 6)
        #expect(overview.body.contains("No dispatcher named"))
        #expect(overview.body.contains("<form class=\"filters\""))

        let entityLink = try #require(firstLink(overview.body, startingWith: "/entity/"))
        let entity = try await httpGet(web.ready + entityLink)
        #expect(entity.status == 200, "\(entityLink): \(entity.body.prefix(300))")
        let articleLink = try #require(firstLink(entity.body, startingWith: "/article/"))
        let article = try await httpGet(web.ready + articleLink)
        #expect(article.status == 200 && article.body.contains("النص · Text"), "\(articleLink)")
        #expect(firstLink(article.body, startingWith: "/entity/") != nil)

        let storyLink = try #require(firstLink(overview.body, startingWith: "/story/"))
        let story = try await httpGet(web.ready + storyLink)
        #expect(story.status == 200 && firstLink(story.body, startingWith: "/article/") != nil, "\(storyLink)")
        let storyArticles = try #require(firstLink(story.body, startingWith: "/?story="))
        let narrowed = try await httpGet(web.ready + storyArticles)
        #expect(narrowed.status == 200 && narrowed.body.contains("story \(storyLink.split(separator: "/").last!)"))
        #expect(web.stop() == 0)
    }

    @Test func filtersAreQueryParametersAndBadValuesAre400() async throws {
        let web = try ServiceProcess(["web", "--store", try WebFixture.store.get(), "--bind", "127.0.0.1:0"])
        defer { web.stop() }
        let overview = try await httpGet(web.ready + "/")
        let sourceLink = try #require(firstLink(overview.body, startingWith: "/?source="))
        let bySource = try await httpGet(web.ready + sourceLink)
        let source = try #require(sourceLink.split(separator: "=").last?.removingPercentEncoding)
        #expect(bySource.status == 200 && bySource.body.contains("source \(source)"))
        let dated = try await httpGet(web.ready + "/?since=2018-01-01&until=2031-01-01&language=ar&limit=5")
        #expect(dated.status == 200 && dated.body.contains("since 2018-01-01, until 2031-01-01, language ar"))
        let none = try await httpGet(web.ready + "/?source=no+such+outlet")
        #expect(none.status == 200 && none.body.contains("No article matches the filters (source no such outlet)"))

        for (query, parameter) in [
            ("/?since=yesterday", "since"), ("/?until=2018-02-30", "until"), ("/?since=2019-01-02&until=2019-01-01", "until"),
            ("/?story=abc", "story"), ("/?limit=0", "limit"), ("/?language=arabic", "language"),
            ("/entity/x?type=PLACE", "type"), ("/story/abc", "story id"),
        ] {
            let reply = try await httpGet(web.ready + query)
            #expect(reply.status == 400, "\(query): \(reply.status)")
            #expect(reply.body.contains("Bad parameter: \(parameter)") && reply.body.contains("The parameter \(parameter) "), "\(query)")
        }
    }

    @Test func unknownIdsAndPathsAre404WithAMessage() async throws {
        let web = try ServiceProcess(["web", "--store", try WebFixture.store.get(), "--bind", "127.0.0.1:0"])
        defer { web.stop() }
        for (path, message) in [
            ("/article/no-such-article", "no article no-such-article"), ("/story/999999", "no story 999999"),
            ("/entity/%D9%84%D8%A7-%D8%A3%D8%AD%D8%AF", "no entity لا-أحد"), ("/nowhere", "no page at /nowhere"),
        ] {
            let reply = try await httpGet(web.ready + path)
            #expect(reply.status == 404, "\(path): \(reply.status)")
            #expect(reply.body.lowercased().contains(message.lowercased()), "\(path): \(reply.body.suffix(400))")
            #expect(reply.body.contains("href=\"/\""))
        }
    }

    @Test func liveStatusComesFromTheDispatcherOrSaysItDoesNotAnswer() async throws {
        let store = try WebFixture.store.get()
        let journal = try WebFixture.temporaryDirectory().appendingPathComponent("journal.sqlite").path
        let dispatcher = try ServiceProcess(["dispatcher", "--bind", "tcp://127.0.0.1:*", "--journal", journal, "--log-level", "error"])
        defer { dispatcher.stop() }
        let web = try ServiceProcess(["web", "--store", store, "--bind", "127.0.0.1:0", "--dispatcher", dispatcher.ready])
        defer { web.stop() }
        let status = try await httpGet(web.ready + "/status")
        #expect(status.status == 200)
        #expect(status.body.contains("dispatcher \(dispatcher.ready)") && status.body.contains("queued") && status.body.contains("mirsad"),
                "\(status.body.suffix(800))")
        #expect(try await httpGet(web.ready + "/").body.contains("id=\"live-status\""))

        dispatcher.stop()
        let gone = try await httpGet(web.ready + "/status")
        #expect(gone.status == 200 && gone.body.contains("does not answer"), "\(gone.body.suffix(600))")
    }

    @Test func aMissingStoreOrABadAddressIsRefused() throws {
        let directory = try WebFixture.temporaryDirectory()
        let missing = try runMirsad(["web", "--store", directory.appendingPathComponent("none.sqlite").path, "--bind", "127.0.0.1:0"])
        #expect(missing.status == 1 && missing.stderr.contains("no report store"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("none.sqlite").path))
        let badBind = try runMirsad(["web", "--store", try WebFixture.store.get(), "--bind", "localhost"])
        #expect(badBind.status == 64 && badBind.stderr.contains("--bind"))
    }
}
