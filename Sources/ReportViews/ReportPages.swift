import ArticleAnalysis
import Foundation
import ReportStore

/// The report's pages as HTML strings, from query results only: the static report writes one of them to a file,
/// a server returns them for its routes. Each page is a complete document (`HTMLDocument`).
public enum ReportPages {
    /// The overview: counts, top entities, timeline, source mix, largest stories, co-occurrence, sourcing per
    /// outlet, tone, quotes by speaker. Served (`links.isServed`), it also has the filter form, links from each
    /// source, day, topic and language to the overview narrowed to it, and `status` when given.
    public static func overview(_ o: ReportOverview, links: ReportLinks = .none, generated: String? = nil, status: ClusterStatus? = nil) -> String {
        typealias H = HTMLDocument
        let s = o.summary
        var body = navigation(links) + "<h1>مرصد · Mirsad report</h1>"
        body += "<p class=\"muted\" dir=\"auto\">\(H.escape(filterText(o.filter)))\(generated.map { " · " + H.escape($0) } ?? "")</p>"
        body += filterForm(o.filter, links: links)
        if let window = o.window { body += "<p class=\"problem\" dir=\"ltr\">\(H.escape(window.text))</p>" }
        if s.articles == 0 {
            body += "<p class=\"problem\">No article matches the filters (\(H.escape(filterText(o.filter)))).</p>"
        }
        body += "<ul class=\"stats\">"
        for (label, value) in [
            ("articles", "\(s.articles)"), ("results", "\(s.results)"), ("seen again", "\(s.repeats)"),
            ("revised", "\(s.revisedArticles)"), ("sources", "\(s.sources)"), ("stories", "\(s.stories)"),
            ("days", [s.firstDay, s.lastDay].compactMap { $0 }.joined(separator: " – ")),
        ] {
            body += "<li><b dir=\"ltr\">\(H.escape(value))</b> <span class=\"muted\">\(label)</span></li>"
        }
        body += "</ul>"
        if let status { body += statusSection(status) }
        body += "<div class=\"grid\">"
        body += H.section("الكيانات الأكثر ذكرًا · Top entities", SVGCharts.bars(
            o.topEntities.prefix(15).map { SVGCharts.Bar(label: $0.name, value: Double($0.mentions), note: " mentions in \($0.articles) articles") },
            title: "Top entities by mentions"), id: "entities")
        body += H.section("الخط الزمني · Articles per day", SVGCharts.timeline(
            o.timeline.map { ($0.value, $0.articles) }, title: "Articles per day"), id: "timeline")
        body += H.section("المصادر · Source mix", SVGCharts.bars(
            o.sources.map { SVGCharts.Bar(label: $0.value, value: Double($0.articles)) }, title: "Articles per source"), id: "sources")
        body += H.section("الإسناد · Named vs anonymous sourcing per outlet", SVGCharts.bars(
            o.sourcing.map { SVGCharts.Bar(label: $0.source, value: Double($0.named), second: Double($0.anonymous),
                                   note: String(format: " (%.0f%% anonymous)", 100 * $0.anonymousShare)) },
            title: "Named (blue) and anonymous (orange) attributions per outlet")
            + "<p class=\"muted\">blue: named · orange: anonymous</p>", id: "sourcing")
        body += "</div>"
        body += H.section("أكبر القصص · Largest stories", H.table(
            ["#", "story", "articles", "outlets", "days"],
            o.stories.map { story in
                [ReportLinks.link(links.story(story.id), "\(story.id)"), H.auto(story.label), "\(story.articles)",
                 "\(story.outlets)", "<span dir=\"ltr\">\(story.firstDay) – \(story.lastDay)</span>"]
            }, numeric: [0, 2, 3]) + SVGCharts.bars(
                o.stories.prefix(10).map { SVGCharts.Bar(label: $0.label, value: Double($0.articles)) }, title: "Largest stories"),
            id: "stories")
        let top = Array(o.topEntities.prefix(12))
        let index = Dictionary(top.enumerated().map { ($1.type.rawValue + "\u{1F}" + $1.key, $0) }, uniquingKeysWith: { a, _ in a })
        var counts = Array(repeating: Array(repeating: 0, count: top.count), count: top.count)
        for pair in o.cooccurrence {
            guard let i = index[pair.a.type.rawValue + "\u{1F}" + pair.a.key], let j = index[pair.b.type.rawValue + "\u{1F}" + pair.b.key] else { continue }
            counts[i][j] = pair.articles
            counts[j][i] = pair.articles
        }
        body += "<div class=\"grid\">"
        body += H.section("التواجد المشترك · Co-occurrence", SVGCharts.matrix(
            names: top.map(\.name), counts: counts, title: "Articles naming both entities")
            + H.table(["entity", "entity", "articles"], o.cooccurrence.prefix(12).map {
                [entityLink($0.a, links), entityLink($0.b, links), "\($0.articles)"]
            }, numeric: [2]), id: "cooccurrence")
        body += H.section("النبرة حسب المصدر · Tone per outlet", H.table(
            ["source", "articles", "mean tone"], o.sources.map {
                [ReportLinks.link(links.overview(narrowed(o.filter) { f, v in f.source = v }($0.value)), H.auto($0.value)),
                 "\($0.articles)", String(format: "%+.3f", $0.meanTone)]
            },
            numeric: [1, 2]) + "<h2>Tone per day</h2>" + H.table(
                ["day", "articles", "mean tone"], o.timeline.suffix(14).map {
                    [ReportLinks.link(links.overview(oneDay(o.filter, $0.value)), "<span dir=\"ltr\">\($0.value)</span>"),
                     "\($0.articles)", String(format: "%+.3f", $0.meanTone)]
                },
                numeric: [1, 2]), id: "tone")
        body += "</div><div class=\"grid\">"
        body += H.section("الاقتباسات حسب المتحدث · Quotes by speaker", H.table(
            ["speaker", "quotes", "articles"], o.speakers.map { [H.auto($0.name), "\($0.quotes)", "\($0.articles)"] }, numeric: [1, 2]), id: "speakers")
        body += H.section("الكيانات · Entities", H.table(
            ["entity", "type", "mentions", "articles"], o.topEntities.map {
                [entityLink(EntityRef(key: $0.key, name: $0.name, type: $0.type), links), $0.type.rawValue, "\($0.mentions)", "\($0.articles)"]
            }, numeric: [2, 3]), id: "entity-table")
        body += H.section("المواضيع واللغات · Topics and languages", H.table(
            ["topic", "articles"], o.topics.map {
                [ReportLinks.link(links.overview(narrowed(o.filter) { f, v in f.topic = v }($0.value)), H.auto($0.value)), "\($0.articles)"]
            }, numeric: [1])
            + H.table(["language", "articles"], o.languages.map {
                [ReportLinks.link(links.overview(narrowed(o.filter) { f, v in f.language = v }($0.value)), H.escape($0.value)), "\($0.articles)"]
            }, numeric: [1]), id: "topics")
        body += "</div>"
        return H.page(title: "Mirsad report", body: body)
    }

    public static func entity(_ page: EntityPage, filter: ReportFilter = ReportFilter(), links: ReportLinks = .none) -> String {
        typealias H = HTMLDocument
        let e = page.entity
        var body = navigation(links) + "<h1>\(H.auto(e.name)) <span class=\"muted\">\(e.type.rawValue)</span></h1>"
        body += "<p class=\"muted\" dir=\"auto\">\(H.escape(filterText(filter)))</p>"
        if let window = page.window { body += "<p class=\"problem\" dir=\"ltr\">\(H.escape(window.text))</p>" }
        body += "<ul class=\"stats\"><li><b>\(e.articles)</b> articles</li><li><b>\(e.mentions)</b> mentions</li>"
        if let first = e.firstSeen, let last = e.lastSeen {
            body += "<li dir=\"ltr\">\(day(first)) – \(day(last))</li>"
        }
        var named = filter
        named.entity = e.key
        if let overview = links.overview(named) { body += "<li><a href=\"\(H.escape(overview))\">overview of these articles</a></li>" }
        body += "</ul><div class=\"grid\">"
        body += H.section("الخط الزمني · Timeline", SVGCharts.timeline(page.timeline.map { ($0.day, $0.articles) }, title: "Articles per day"))
        body += H.section("يذكر معه · Named together with", SVGCharts.bars(
            page.cooccurring.map { SVGCharts.Bar(label: $0.b.name, value: Double($0.articles)) }, title: "Co-occurring entities"))
        body += H.section("المصادر · Sources", SVGCharts.bars(page.sources.map { SVGCharts.Bar(label: $0.value, value: Double($0.articles)) }, title: "Sources"))
        body += "</div>"
        body += H.section("المقالات · Articles", articleTable(page.articles, links: links))
        return H.page(title: e.name, body: body)
    }

    public static func story(_ page: StoryPage, links: ReportLinks = .none) -> String {
        typealias H = HTMLDocument
        let s = page.story
        var body = navigation(links) + "<h1>\(H.auto(s.label.isEmpty ? "story \(s.id)" : s.label))</h1>"
        body += "<ul class=\"stats\"><li>story <b>\(s.id)</b></li><li><b>\(s.articles)</b> articles</li><li><b>\(s.outlets)</b> outlets</li><li dir=\"ltr\">\(s.firstDay) – \(s.lastDay)</li>"
        if let overview = links.overview(ReportFilter(story: s.id)) { body += "<li><a href=\"\(HTMLDocument.escape(overview))\">overview of these articles</a></li>" }
        body += "</ul>"
        body += "<div class=\"grid\">"
        body += H.section("المصادر · Outlets", SVGCharts.bars(page.outlets.map { SVGCharts.Bar(label: $0.value, value: Double($0.articles)) }, title: "Outlets"))
        body += H.section("المصطلحات · Terms", H.table(["term", "articles"], page.terms.map { [H.auto($0.name), "\($0.articles)"] }, numeric: [1]))
        body += "</div>"
        body += H.section("المقالات · Articles", articleTable(page.articles, links: links))
        return H.page(title: s.label, body: body)
    }

    public static func article(_ page: ArticlePage, links: ReportLinks = .none) -> String {
        typealias H = HTMLDocument
        let a = page.analysis
        let title = page.article.title ?? a.title ?? page.article.id
        var body = navigation(links) + "<h1>\(H.auto(title))</h1>"
        body += "<ul class=\"stats\"><li>\(H.auto(page.article.source))</li><li dir=\"ltr\">\(page.article.day)</li>"
        body += "<li>language <b>\(H.escape(a.language.code))</b></li><li>tone <b dir=\"ltr\">\(String(format: "%+.2f", a.tone))</b></li>"
        body += "<li>seen <b>\(page.seen)</b></li><li>version <b>\(page.versions.count)</b></li>"
        if let story = page.story {
            body += "<li>story " + ReportLinks.link(links.story(story.id), "<b>\(story.id)</b> \(H.auto(story.label))") + "</li>"
        }
        body += "</ul>"
        if let url = page.article.url { body += "<p dir=\"ltr\"><a href=\"\(H.escape(url))\">\(H.escape(url))</a></p>" }
        if !a.summary.isEmpty {
            body += H.section("الملخص · Summary", a.summary.map { "<p dir=\"auto\">\(H.escape($0))</p>" }.joined())
        }
        body += "<div class=\"grid\">"
        body += H.section("الكيانات · Entities", H.table(["entity", "type", "mentions"], a.canonicalEntities.map {
            [entityLink(EntityRef(key: $0.key, name: $0.name, type: $0.type), links), $0.type.rawValue, "\($0.mentions)"]
        }, numeric: [2]))
        body += H.section("الكلمات المفتاحية والمواضيع · Keywords and topics",
            H.table(["keyword", "score"], a.keywords.prefix(12).map { [H.auto($0.phrase), String(format: "%.2f", $0.score)] }, numeric: [1])
            + H.table(["topic", "score"], a.topics.map { [H.escape($0.topic), String(format: "%.2f", $0.score)] }, numeric: [1]))
        body += "</div>"
        body += H.section("الاقتباسات · Quotes", a.quotes.isEmpty ? "<p class=\"empty\">—</p>" : a.quotes.map {
            "<blockquote dir=\"auto\">\(H.escape($0.text))<br><span class=\"muted\">\($0.speaker.map(H.auto) ?? "—") · \($0.kind.rawValue)</span></blockquote>"
        }.joined())
        body += H.section("الإسناد · Sources cited", H.table(["kind", "as written"], a.sources.map { [$0.kind.rawValue, H.auto($0.text)] }))
        body += H.section("النص · Text", "<div class=\"text\" dir=\"auto\">\(H.escape(a.cleanText))</div>")
        return H.page(title: title, body: body)
    }

    // MARK: - Pieces

    static func articleTable(_ articles: [ArticleRow], links: ReportLinks) -> String {
        HTMLDocument.table(["day", "source", "title", "story"], articles.map { row in
            ["<span dir=\"ltr\">\(row.day)</span>", HTMLDocument.auto(row.source),
             ReportLinks.link(links.article(row.id), HTMLDocument.auto(row.title ?? row.id)),
             row.storyID.map { ReportLinks.link(links.story($0), "\($0)") } ?? ""]
        }, numeric: [3])
    }

    /// `filter` with one more field set, as a function of that field's value.
    static func narrowed(_ filter: ReportFilter, _ set: @escaping (inout ReportFilter, String) -> Void) -> (String) -> ReportFilter {
        { value in
            var f = filter
            set(&f, value)
            return f
        }
    }

    /// `filter` narrowed to the UTC day `day` (`YYYY-MM-DD`); as it is when `day` is not a date.
    static func oneDay(_ filter: ReportFilter, _ day: String) -> ReportFilter {
        var f = filter
        guard let start = ISO8601DateFormatter().date(from: day + "T00:00:00Z") else { return f }
        f.since = start
        f.until = start.addingTimeInterval(86_400)
        return f
    }

    static func entityLink(_ e: EntityRef, _ links: ReportLinks) -> String {
        ReportLinks.link(links.entity(key: e.key, type: e.type.rawValue), HTMLDocument.auto(e.name))
    }

    static func day(_ milliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
    }

    /// The UTC day of `date`, `YYYY-MM-DD`.
    public static func filterDay(_ date: Date) -> String { day(Int64(date.timeIntervalSince1970 * 1000)) }

    /// The filter in words, "all articles" when empty.
    public static func filterText(_ f: ReportFilter) -> String {
        var parts: [String] = []
        if let since = f.since { parts.append("since \(day(Int64(since.timeIntervalSince1970 * 1000)))") }
        if let until = f.until { parts.append("until \(day(Int64(until.timeIntervalSince1970 * 1000)))") }
        if let v = f.source { parts.append("source \(v)") }
        if let v = f.entity { parts.append("entity \(v)") }
        if let v = f.topic { parts.append("topic \(v)") }
        if let v = f.story { parts.append("story \(v)") }
        if let v = f.language { parts.append("language \(v)") }
        return parts.isEmpty ? "all articles" : parts.joined(separator: ", ")
    }
}
