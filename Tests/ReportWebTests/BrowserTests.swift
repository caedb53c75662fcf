import Foundation
import Testing
import TestSupport

/// The static report and the served pages in headless Chromium, on a store of real ANT articles: they draw without
/// console errors, the charts have marks, Arabic runs right to left, and nothing overflows a phone's width.
///
/// With MIRSAD_SCREENSHOTS=DIR the screenshots are kept in DIR (`Benchmarks/report/screenshots/` holds a set).
@Suite(.serialized, .offTheCooperativePool,
       .enabled(if: Chromium.executable != nil, "needs Debian's chromium (apt-get install chromium)"),
       .enabled(if: WebFixture.corpusTestsRun, "needs ../shared/corpus/ant/sample-500.jsonl"))
struct BrowserTests {
    static var screenshots: URL {
        if let dir = ProcessInfo.processInfo.environment["MIRSAD_SCREENSHOTS"] {
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            return URL(fileURLWithPath: dir)
        }
        return (try? WebFixture.temporaryDirectory()) ?? FileManager.default.temporaryDirectory
    }

    @Test func theStaticReportDrawsInChromium() throws {
        let store = try WebFixture.store.get()
        let directory = try WebFixture.temporaryDirectory()
        let file = directory.appendingPathComponent("report.html")
        let report = try runMirsad(["report", "--store", store, "--format", "html", "--output", file.path])
        #expect(report.status == 0, "\(report.stderr)")

        let (dom, console) = try Chromium.dumpDOM(file.absoluteString)
        #expect(console.isEmpty, "\(console)")
        expectChartsHaveMarks(dom)

        try checkDirections(try String(contentsOf: file, encoding: .utf8), base: nil, name: "static report")

        for (window, suffix) in [(Chromium.Window.desktop, "desktop"), (.phone, "phone")] {
            let shot = Self.screenshots.appendingPathComponent("static-report-\(suffix).png").path
            #expect(try Chromium.screenshot(file.absoluteString, to: shot, window: window).isEmpty)
            #expect(try pngWidth(shot) == window.width)
        }
    }

    @Test func theServedPagesDrawInChromium() async throws {
        let web = try ServiceProcess(["web", "--store", try WebFixture.store.get(), "--bind", "127.0.0.1:0"])
        defer { web.stop() }
        let overview = try await httpGet(web.ready + "/")
        let entity = try #require(firstLink(overview.body, startingWith: "/entity/"))
        let story = try #require(firstLink(overview.body, startingWith: "/story/"))
        let storyPage = try await httpGet(web.ready + story)
        // An Arabic article of the largest story, so its page has Arabic text to check.
        let article = try #require(firstLink(storyPage.body, startingWith: "/article/"))

        let (dom, console) = try Chromium.dumpDOM(web.ready + "/")
        #expect(console.isEmpty, "overview: \(console)")
        expectChartsHaveMarks(dom)

        for (name, path) in [("overview", "/"), ("entity", entity), ("story", story), ("article", article), ("status", "/status")] {
            let url = web.ready + path
            let (dom, console) = try Chromium.dumpDOM(url)
            #expect(console.isEmpty, "\(name): \(console)")
            #expect(dom.contains("<main>"), "\(name) did not draw")
            if name == "entity" || name == "story" {
                #expect(count("<rect class=\"bar\"", in: dom) >= 1, "\(name) page has an empty chart")
            }
            // The status page's only Arabic is in headings, which take the page's direction.
            try checkDirections(try await httpGet(url).body, base: url, name: name, minimumArabic: name == "status" ? 0 : 3)
            for (window, suffix) in [(Chromium.Window.desktop, "desktop"), (.phone, "phone")] where name != "overview" {
                let shot = Self.screenshots.appendingPathComponent("web-\(name)-\(suffix).png").path
                #expect(try Chromium.screenshot(url, to: shot, window: window).isEmpty, "\(name)")
            }
        }
    }

    /// Every chart of the overview has marks: bars, timeline columns, matrix cells.
    func expectChartsHaveMarks(_ dom: String) {
        #expect(count("<rect class=\"bar\"", in: section("entities", in: dom)) >= 10)
        #expect(count("<rect class=\"bar\"", in: section("timeline", in: dom)) >= 3)
        #expect(count("<rect class=\"bar\"", in: section("sources", in: dom)) >= 3)
        #expect(count("<rect class=\"bar\"", in: section("sourcing", in: dom)) >= 3)
        #expect(count("<rect class=\"bar\"", in: section("stories", in: dom)) >= 3)
        #expect(count("fill-opacity=", in: section("cooccurrence", in: dom)) >= 16)
        for id in ["entities", "sources", "stories"] {
            #expect(count("<text", in: section(id, in: dom)) >= 3, "\(id) has no labels")
        }
    }

    /// Arabic blocks compute `rtl`, Latin ones `ltr`, the page `rtl`, at phone width without sideways overflow.
    func checkDirections(_ html: String, base: String?, name: String, minimumArabic: Int = 3) throws {
        let directory = try WebFixture.temporaryDirectory()
        let probe = directory.appendingPathComponent("probe.html")
        try Data(DirectionProbe.instrument(html, base: base).utf8).write(to: probe)
        let (dom, console) = try Chromium.dumpDOM(probe.absoluteString, window: .phone)
        #expect(console.isEmpty, "\(name) probe: \(console)")
        let reading = try #require(DirectionProbe.read(dom), "\(name): the probe wrote nothing")
        #expect(reading.root == "rtl", "\(name)")
        #expect(reading.arabic.count >= minimumArabic, "\(name): \(reading.arabic.count) Arabic blocks")
        #expect(reading.arabic.allSatisfy { $0 == "rtl" }, "\(name): Arabic blocks \(reading.arabic.filter { $0 != "rtl" }.count) not rtl")
        #expect(reading.latin.allSatisfy { $0 == "ltr" }, "\(name): Latin blocks \(reading.latin.filter { $0 != "ltr" }.count) not ltr")
        #expect(reading.overflow <= 0, "\(name) overflows a 390 px window by \(reading.overflow) px")
    }

    /// The width in a PNG's IHDR.
    func pngWidth(_ path: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count > 24 else { return 0 }
        return data[16..<20].reduce(0) { $0 << 8 | Int($1) }
    }
}
