/// One self-contained HTML page: inline CSS, no script, no request to the network; fluid layout with a viewport
/// for phones. Text whose direction is not known (names, titles, labels) is wrapped with `dir="auto"` so that
/// Arabic runs right to left and English left to right.
enum HTMLDocument {
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="ar" dir="rtl">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>\(css)</style>
        </head>
        <body>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    /// Text made safe inside elements and quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `text` in a span whose direction follows its first strong character.
    static func auto(_ text: String) -> String { "<bdi dir=\"auto\">\(escape(text))</bdi>" }

    static func section(_ title: String, _ content: String, id: String? = nil) -> String {
        "<section\(id.map { " id=\"\($0)\"" } ?? "")><h2>\(escape(title))</h2>\n\(content)\n</section>"
    }

    /// A table; cells are HTML already.
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = []) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\">لا شيء · nothing</p>" }
        var html = "<div class=\"scroll\"><table>"
        // A table of labelled values has no header row.
        if header.contains(where: { !$0.isEmpty }) {
            html += "<thead><tr>"
            for (i, h) in header.enumerated() { html += "<th\(numeric.contains(i) ? " class=\"n\"" : "")>\(escape(h))</th>" }
            html += "</tr></thead>"
        }
        html += "<tbody>"
        for row in rows {
            html += "<tr>"
            for (i, cell) in row.enumerated() { html += "<td\(numeric.contains(i) ? " class=\"n\"" : "")>\(cell)</td>" }
            html += "</tr>"
        }
        return html + "</tbody></table></div>"
    }

    static let css = """
        :root{--fg:#1d2330;--muted:#5b6475;--line:#dde2ea;--accent:#1f6fb2;--accent2:#d9822b;--bg:#fafbfc}
        *{box-sizing:border-box}
        body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI","Noto Naskh Arabic","Noto Sans Arabic",Tahoma,sans-serif;color:var(--fg);background:var(--bg)}
        main{max-width:1100px;margin:0 auto;padding:1rem}
        h1{font-size:1.5rem;margin:.2rem 0 .6rem}
        h2{font-size:1.15rem;margin:0 0 .6rem;border-bottom:1px solid var(--line);padding-bottom:.3rem}
        section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:.8rem 1rem;margin:0 0 1rem}
        .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:1rem}
        .stats{display:flex;flex-wrap:wrap;gap:.5rem;margin:0 0 1rem;padding:0;list-style:none}
        .stats li{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.3rem .7rem}
        .stats b{font-size:1.15rem}
        .muted,.empty{color:var(--muted)}
        .scroll{overflow-x:auto}
        table{border-collapse:collapse;width:100%;font-size:.92rem}
        th,td{border-bottom:1px solid var(--line);padding:.3rem .45rem;text-align:start;vertical-align:top}
        td.n,th.n{text-align:end;font-variant-numeric:tabular-nums;white-space:nowrap}
        svg{width:100%;height:auto;display:block}
        svg text{font:12px system-ui,"Noto Sans Arabic",Tahoma,sans-serif;fill:var(--fg)}
        .bar{fill:var(--accent)}.bar2{fill:var(--accent2)}.axis{stroke:var(--line)}
        a{color:var(--accent)}
        td,th,h1,li,p,blockquote,.problem{overflow-wrap:anywhere}
        nav{display:flex;flex-wrap:wrap;gap:1rem;margin:0 0 .6rem;font-size:.95rem}
        .problem{color:#a4262c;background:#fff;border:1px solid #f1c4c6;border-radius:6px;padding:.5rem .8rem}
        .filters{display:flex;flex-wrap:wrap;gap:.4rem .8rem;align-items:end;margin:0 0 1rem;font-size:.9rem}
        .filters label{display:flex;flex-direction:column;color:var(--muted)}
        .filters input{font:inherit;width:9.5rem;max-width:100%;padding:.2rem .3rem;border:1px solid var(--line);border-radius:4px}
        .filters button{font:inherit;padding:.25rem .8rem}
        .text{white-space:pre-wrap;line-height:1.8;overflow-wrap:anywhere}
        blockquote{margin:.3rem 0;padding:.3rem .7rem;border-inline-start:3px solid var(--accent2);background:#fdf7f0}
        """
}
