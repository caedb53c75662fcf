import ArticleAnalysis
import Foundation
import ReportStore

/// A report as named tables of text cells: what the text and CSV formats print.
public struct ReportTable: Sendable, Hashable {
    public var name: String
    public var columns: [String]
    public var rows: [[String]]

    public init(name: String, columns: [String], rows: [[String]]) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }
}

extension ReportTable {
    /// The label of a bounded computation, first of the tables it qualifies (`CountedWindow`).
    static func bounded(_ window: CountedWindow?) -> [ReportTable] {
        guard let window else { return [] }
        return [ReportTable(name: "bounded", columns: ["note", "articles_counted", "since_ms", "matching", "parts"],
                            rows: [[window.text, "\(window.articles)", "\(window.since)", window.matching.map { "\($0)" } ?? "",
                                    window.parts.map(\.rawValue).joined(separator: "; ")]])]
    }

    /// A table only when results wait to be indexed: the report leaves them out, and says so.
    static func notYetIndexed(_ summary: ReportSummary) -> [ReportTable] {
        guard let waiting = summary.notYetIndexed else { return [] }
        return [ReportTable(name: "not_yet_indexed", columns: ["results", "note"], rows: [[
            "\(waiting)", "stored results not yet indexed, left out of this report; the collector indexes them when its cores are free",
        ]])]
    }

    public static func tables(_ o: ReportOverview) -> [ReportTable] {
        let s = o.summary
        return notYetIndexed(s) + bounded(o.window) + [
            ReportTable(name: "summary", columns: ["articles", "results", "failed", "seen_again", "revised", "sources", "stories", "first_day", "last_day"],
                        rows: [["\(s.articles)", "\(s.results)", "\(s.failedResults)", "\(s.repeats)", "\(s.revisedArticles)", "\(s.sources)", "\(s.stories)", s.firstDay ?? "", s.lastDay ?? ""]]),
            ReportTable(name: "top_entities", columns: ["key", "name", "type", "mentions", "articles"],
                        rows: o.topEntities.map { [$0.key, $0.name, $0.type.rawValue, "\($0.mentions)", "\($0.articles)"] }),
            ReportTable(name: "stories", columns: ["story", "label", "articles", "outlets", "first_day", "last_day"],
                        rows: o.stories.map { ["\($0.id)", $0.label, "\($0.articles)", "\($0.outlets)", $0.firstDay, $0.lastDay] }),
            tallies("sources", o.sources), tallies("days", o.timeline), tallies("topics", o.topics), tallies("languages", o.languages),
            ReportTable(name: "cooccurrence", columns: ["entity_a", "entity_b", "articles"],
                        rows: o.cooccurrence.map { [$0.a.name, $0.b.name, "\($0.articles)"] }),
            ReportTable(name: "quotes_by_speaker", columns: ["speaker", "name", "quotes", "articles"],
                        rows: o.speakers.map { [$0.speaker, $0.name, "\($0.quotes)", "\($0.articles)"] }),
            ReportTable(name: "sourcing", columns: ["source", "articles", "named", "anonymous", "anonymous_share"],
                        rows: o.sourcing.map { [$0.source, "\($0.articles)", "\($0.named)", "\($0.anonymous)", String(format: "%.3f", $0.anonymousShare)] }),
        ]
    }

    public static func tables(_ page: EntityPage) -> [ReportTable] {
        let e = page.entity
        return bounded(page.window) + [
            ReportTable(name: "entity", columns: ["key", "name", "type", "mentions", "articles"],
                        rows: [[e.key, e.name, e.type.rawValue, "\(e.mentions)", "\(e.articles)"]]),
            ReportTable(name: "cooccurring", columns: ["key", "name", "type", "articles"],
                        rows: page.cooccurring.map { [$0.b.key, $0.b.name, $0.b.type.rawValue, "\($0.articles)"] }),
            ReportTable(name: "timeline", columns: ["day", "articles"], rows: page.timeline.map { [$0.day, "\($0.articles)"] }),
            tallies("sources", page.sources),
            articles("articles", page.articles),
        ]
    }

    public static func tables(_ page: StoryPage) -> [ReportTable] {
        let s = page.story
        return [
            ReportTable(name: "story", columns: ["story", "label", "articles", "outlets", "first_day", "last_day"],
                        rows: [["\(s.id)", s.label, "\(s.articles)", "\(s.outlets)", s.firstDay, s.lastDay]]),
            tallies("outlets", page.outlets),
            ReportTable(name: "terms", columns: ["term", "name", "articles"], rows: page.terms.map { [$0.term, $0.name, "\($0.articles)"] }),
            articles("articles", page.articles),
        ]
    }

    public static func tables(_ page: ArticlePage) -> [ReportTable] {
        let a = page.analysis
        let row = page.article
        return [
            ReportTable(name: "article", columns: ["id", "key", "title", "source", "day", "language", "tone", "seen", "versions", "story"],
                        rows: [[row.id, row.key, row.title ?? "", row.source, row.day, a.language.code, String(format: "%.3f", a.tone),
                                "\(page.seen)", "\(page.versions.count)", row.storyID.map { "\($0)" } ?? ""]]),
            ReportTable(name: "summary", columns: ["sentence"], rows: a.summary.map { [$0] }),
            ReportTable(name: "entities", columns: ["key", "name", "type", "mentions"],
                        rows: a.canonicalEntities.map { [$0.key, $0.name, $0.type.rawValue, "\($0.mentions)"] }),
            ReportTable(name: "keywords", columns: ["phrase", "score"], rows: a.keywords.map { [$0.phrase, String(format: "%.3f", $0.score)] }),
            ReportTable(name: "topics", columns: ["topic", "score"], rows: a.topics.map { [$0.topic, String(format: "%.3f", $0.score)] }),
            ReportTable(name: "quotes", columns: ["kind", "speaker", "text"], rows: a.quotes.map { [$0.kind.rawValue, $0.speaker ?? "", $0.text] }),
            ReportTable(name: "sources_cited", columns: ["kind", "text"], rows: a.sources.map { [$0.kind.rawValue, $0.text] }),
            ReportTable(name: "versions", columns: ["version", "job_id", "stored_at_ms"], rows: page.versions.map { ["\($0.version)", $0.jobID, "\($0.storedAt)"] }),
        ]
    }

    static func tallies(_ name: String, _ tallies: [Tally]) -> ReportTable {
        ReportTable(name: name, columns: ["value", "articles", "mean_tone", "named_sources", "anonymous_sources", "quotes"],
                    rows: tallies.map { [$0.value, "\($0.articles)", String(format: "%.3f", $0.meanTone), "\($0.namedSources)", "\($0.anonymousSources)", "\($0.quotes)"] })
    }

    static func articles(_ name: String, _ rows: [ArticleRow]) -> ReportTable {
        ReportTable(name: name, columns: ["id", "day", "source", "title", "story"],
                    rows: rows.map { [$0.id, $0.day, $0.source, $0.title ?? "", $0.storyID.map { "\($0)" } ?? ""] })
    }
}

/// Tables as text for a terminal and as CSV.
public enum TableRendering {
    /// Each table under its name, columns padded to their widest cell (in characters), cells cut at 60.
    public static func text(_ tables: [ReportTable]) -> String {
        var out = ""
        for table in tables {
            out += "\(table.name.replacingOccurrences(of: "_", with: " ")):\n"
            if table.rows.isEmpty { out += "  (none)\n\n"; continue }
            let cells = [table.columns] + table.rows.map { $0.map { clip($0) } }
            var widths = Array(repeating: 0, count: table.columns.count)
            for row in cells { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
            for row in cells {
                var line = " "
                for (i, cell) in row.enumerated() {
                    line += " " + (i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0))
                }
                out += line + "\n"
            }
            out += "\n"
        }
        return out
    }

    /// One CSV (RFC 4180) of every table: a `table` column first, then the union of the tables' columns in order
    /// of appearance; a cell a table has no column for is empty.
    public static func csv(_ tables: [ReportTable]) -> String {
        var columns: [String] = []
        for table in tables { for c in table.columns where !columns.contains(c) { columns.append(c) } }
        var out = (["table"] + columns).map(quote).joined(separator: ",") + "\r\n"
        for table in tables {
            for row in table.rows {
                var line = [table.name]
                for c in columns { line.append(table.columns.firstIndex(of: c).map { $0 < row.count ? row[$0] : "" } ?? "") }
                out += line.map(quote).joined(separator: ",") + "\r\n"
            }
        }
        return out
    }

    static func quote(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func clip(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= 60 ? flat : String(flat.prefix(59)) + "…"
    }
}
