/// The text of an HTML document: its lines, and the headline and headings its markup marks.
struct HTMLText: Sendable {
    /// Text lines in document order (block elements and <br> break lines), entities decoded, spaces collapsed.
    var lines: [String] = []
    /// The text of <title>, if any.
    var documentTitle: String?
    /// The text of the first <h1>, if any.
    var firstH1: String?
    /// The texts of <h2> ... <h4>, in order.
    var headings: [String] = []
    /// False when the document has no <body> element (then the whole document is used).
    var hadBody = false
}

/// HTML to text by a single forward scan over the bytes (no DOM, no regular expressions; linear time).
///
/// Dropped with their content: script, style, noscript, template, svg, iframe, nav, header, footer, aside, form,
/// button, select, and any element whose class or id names site chrome (share, social, comment, breadcrumb,
/// menu, related, newsletter, subscribe, cookie, advert, sidebar). Unclosed elements end with the document.
enum HTMLTextExtractor {
    static let skippedElements: Set<String> = [
        "script", "style", "noscript", "template", "svg", "iframe", "nav", "header", "footer", "aside", "form",
        "button", "select", "textarea", "object", "canvas", "figure",
    ]
    static let rawTextElements: Set<String> = ["script", "style", "textarea", "template"]
    static let voidElements: Set<String> = [
        "br", "img", "hr", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr", "param",
    ]
    static let blockElements: Set<String> = [
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "article", "section",
        "blockquote", "main", "body", "html", "title", "dd", "dt", "dl", "pre", "hr", "figcaption", "td", "th",
    ]
    static let chromeMarkers = [
        "share", "social", "comment", "breadcrumb", "menu", "related", "newsletter", "subscribe", "cookie", "advert",
        "sidebar", "banner", "popup", "promo",
    ]

    static func extract(_ html: String) -> HTMLText {
        let b = Array(html.utf8)
        var result = HTMLText()
        let n = b.count
        var i = 0
        var line: [UInt8] = []
        var lines: [String] = []
        var skipName: String? = nil
        var skipDepth = 0
        var capture: (name: String, start: Int)? = nil   // heading or title being captured, from lines.count
        var captureText: [UInt8] = []
        var sawBody = false
        var bodyLinesStart = 0
        var pendingSpace = false

        func flushLine() {
            if !line.isEmpty {
                lines.append(String(decoding: line, as: UTF8.self))
                line.removeAll(keepingCapacity: true)
            }
            pendingSpace = false
        }
        func appendText(_ bytes: ArraySlice<UInt8>) {
            for c in bytes {
                if c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D {
                    pendingSpace = !line.isEmpty
                    if capture != nil, !captureText.isEmpty { captureText.append(0x20) }
                } else {
                    if pendingSpace { line.append(0x20); pendingSpace = false }
                    line.append(c)
                    if capture != nil { captureText.append(c) }
                }
            }
        }

        while i < n {
            if b[i] != 0x3C {  // text up to the next "<"
                var j = i
                while j < n && b[j] != 0x3C { j += 1 }
                if skipName == nil {
                    appendText(ArraySlice(HTMLEntities.decode(b[i..<j])))
                }
                i = j
                continue
            }
            // Comment, doctype, processing instruction.
            if i + 3 < n && b[i + 1] == 0x21 && b[i + 2] == 0x2D && b[i + 3] == 0x2D {
                i = find([0x2D, 0x2D, 0x3E], in: b, from: i + 4).map { $0 + 3 } ?? n
                continue
            }
            if i + 1 < n && (b[i + 1] == 0x21 || b[i + 1] == 0x3F) {
                i = (find([0x3E], in: b, from: i + 1) ?? n - 1) + 1
                continue
            }
            let closing = i + 1 < n && b[i + 1] == 0x2F
            var j = i + (closing ? 2 : 1)
            let nameStart = j
            while j < n, isNameByte(b[j]) { j += 1 }
            if j == nameStart {  // a lone "<" is text
                if skipName == nil { appendText([0x3C]) }
                i += 1
                continue
            }
            let name = String(decoding: b[nameStart..<j], as: UTF8.self).lowercased()
            // Attributes, up to ">" outside quotes.
            var quote: UInt8 = 0
            let attrStart = j
            while j < n {
                let c = b[j]
                if quote != 0 { if c == quote { quote = 0 } } else if c == 0x22 || c == 0x27 { quote = c } else if c == 0x3E { break }
                j += 1
            }
            let attributes = b[attrStart..<min(j, n)]
            i = min(j + 1, n)
            let selfClosing = j > attrStart && b[j - 1] == 0x2F

            if let skipping = skipName {
                if name == skipping {
                    if closing { skipDepth -= 1 } else if !selfClosing { skipDepth += 1 }
                    if skipDepth == 0 { skipName = nil }
                }
                continue
            }
            if closing {
                if let c = capture, c.name == name {
                    let text = String(decoding: captureText, as: UTF8.self).trimmingSpaces()
                    if !text.isEmpty {
                        switch name {
                        case "title": if result.documentTitle == nil { result.documentTitle = text }
                        case "h1": if result.firstH1 == nil { result.firstH1 = text }
                        default: result.headings.append(text)
                        }
                    }
                    capture = nil
                    captureText.removeAll()
                }
                if blockElements.contains(name) { flushLine() }
                if name == "head" { flushLine(); lines.removeAll(); }
                continue
            }
            if name == "body" {
                flushLine()
                sawBody = true
                bodyLinesStart = lines.count
                continue
            }
            if voidElements.contains(name) || selfClosing {
                if blockElements.contains(name) { flushLine() }
                continue
            }
            if rawTextElements.contains(name) {
                // Skip to the matching close tag without reading markup inside.
                let close = Array("</\(name)".utf8)
                i = findCaseInsensitive(close, in: b, from: i).map { k in (find([0x3E], in: b, from: k) ?? n - 1) + 1 } ?? n
                continue
            }
            if skippedElements.contains(name) || namesChrome(attributes) {
                skipName = name
                skipDepth = 1
                continue
            }
            if blockElements.contains(name) { flushLine() }
            if name == "title" || name == "h1" || name == "h2" || name == "h3" || name == "h4" {
                capture = (name, lines.count)
                captureText.removeAll()
            }
        }
        flushLine()
        result.hadBody = sawBody
        var body = sawBody ? Array(lines[min(bodyLinesStart, lines.count)...]) : lines
        if let title = result.documentTitle, let first = body.first, first == title { body.removeFirst() }
        result.lines = body
        return result
    }

    @inline(__always)
    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2D
    }

    static func namesChrome(_ attributes: ArraySlice<UInt8>) -> Bool {
        guard !attributes.isEmpty else { return false }
        let text = String(decoding: attributes, as: UTF8.self).lowercased()
        guard text.contains("class") || text.contains("id") || text.contains("role") else { return false }
        // Only the values of class, id and role are looked at.
        var values = ""
        for key in ["class=", "id=", "role="] {
            var rest = Substring(text)
            while let r = rest.range(of: key) {
                rest = rest[r.upperBound...]
                let q = rest.first
                if q == "\"" || q == "'" {
                    rest = rest.dropFirst()
                    let end = rest.firstIndex(of: q!) ?? rest.endIndex
                    values += " " + rest[..<end]
                    rest = rest[end...]
                } else {
                    let end = rest.firstIndex(where: { $0 == " " || $0 == ">" }) ?? rest.endIndex
                    values += " " + rest[..<end]
                    rest = rest[end...]
                }
            }
        }
        if values.contains("navigation") { return true }
        return chromeMarkers.contains { values.contains($0) }
    }

    static func find(_ needle: [UInt8], in b: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, from < b.count else { return nil }
        var i = from
        while i + needle.count <= b.count {
            if b[i] == needle[0] {
                var k = 1
                while k < needle.count && b[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    static func findCaseInsensitive(_ needle: [UInt8], in b: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, from < b.count else { return nil }
        var i = from
        while i + needle.count <= b.count {
            var k = 0
            while k < needle.count && (b[i + k] | 0x20) == (needle[k] | 0x20) { k += 1 }
            if k == needle.count { return i }
            i += 1
        }
        return nil
    }
}

extension String {
    /// Without leading and trailing white space (Unicode white space).
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
