import ReportStore

// The pieces only served pages have: navigation, the filter form, the live status and the problem page.
extension ReportPages {
    /// The cluster's live status, with the store's own counts beside it.
    public static func status(_ status: ClusterStatus, summary: ReportSummary, links: ReportLinks) -> String {
        typealias H = HTMLDocument
        var body = navigation(links) + "<h1>حالة العنقود · Cluster status</h1>"
        body += statusSection(status)
        let rows = [
            ["articles", "\(summary.articles)"], ["results", "\(summary.results)"], ["failed results", "\(summary.failedResults)"],
            ["seen again", "\(summary.repeats)"], ["stories", "\(summary.stories)"],
        ] + (summary.notYetIndexed.map { [["not yet indexed", "\($0)"]] } ?? [])
        body += H.section("المخزن · Store", H.table(["", ""], rows.map { [H.escape($0[0]), "<span dir=\"ltr\">\(H.escape($0[1]))</span>"] }, numeric: [1]), id: "store")
        return H.page(title: "Cluster status", body: body)
    }

    static func statusSection(_ status: ClusterStatus) -> String {
        typealias H = HTMLDocument
        switch status {
        case .notConfigured:
            return H.section("الحالة المباشرة · Live status",
                "<p class=\"muted\" dir=\"ltr\">No dispatcher named: start <code dir=\"ltr\">mirsad web</code> with <code dir=\"ltr\">--dispatcher tcp://HOST:PORT</code> to show the cluster's queue and workers.</p>",
                id: "live-status")
        case .unreachable(let endpoint, let reason):
            return H.section("الحالة المباشرة · Live status",
                "<p class=\"problem\" dir=\"ltr\">The dispatcher at \(H.escape(endpoint)) does not answer: \(H.escape(reason))</p>",
                id: "live-status")
        case .answered(let endpoint, let facts, let workers):
            let table = H.table(["", ""], facts.map { [H.escape($0.label), "<span dir=\"ltr\">\(H.escape($0.value))</span>"] }, numeric: [1])
            let workerTable = H.table(ClusterStatus.workerColumns, workers.map { $0.map { "<span dir=\"ltr\">\(H.escape($0))</span>" } },
                                      numeric: [2, 3, 4, 5, 6, 7])
            return H.section("الحالة المباشرة · Live status",
                "<p class=\"muted\" dir=\"ltr\">dispatcher \(H.escape(endpoint))</p>" + table + "<h2>Workers</h2>" + workerTable,
                id: "live-status")
        }
    }

    /// A page that says what went wrong (an unknown id, a bad filter value), with the way back.
    public static func problem(title: String, message: String, links: ReportLinks) -> String {
        typealias H = HTMLDocument
        let body = navigation(links) + "<h1 dir=\"auto\">\(H.escape(title))</h1><p class=\"problem\" dir=\"auto\">\(H.escape(message))</p>"
        return H.page(title: title, body: body)
    }

    /// Links to the overview and the status; empty on a static report.
    static func navigation(_ links: ReportLinks) -> String {
        guard let home = links.home, let status = links.status else { return "" }
        return "<nav><a href=\"\(HTMLDocument.escape(home))\">مرصد · Overview</a><a href=\"\(HTMLDocument.escape(status))\">Cluster status</a></nav>"
    }

    /// A GET form whose fields are the filter's query parameters, filled with `filter`; empty on a static report.
    static func filterForm(_ filter: ReportFilter, links: ReportLinks) -> String {
        guard let home = links.home else { return "" }
        typealias H = HTMLDocument
        let values = Dictionary(ReportLinks.parameters(filter).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        var form = "<form class=\"filters\" method=\"get\" action=\"\(H.escape(home))\">"
        for (name, placeholder, kind) in [
            ("since", "YYYY-MM-DD", "date"), ("until", "YYYY-MM-DD", "date"), ("source", "", "text"), ("entity", "", "text"),
            ("topic", "", "text"), ("story", "", "number"), ("language", "ar", "text"),
        ] {
            form += "<label>\(name) <input name=\"\(name)\" type=\"\(kind)\" dir=\"auto\" placeholder=\"\(placeholder)\" value=\"\(H.escape(values[name] ?? ""))\"></label>"
        }
        return form + "<button type=\"submit\">تصفية · Filter</button></form>"
    }
}
