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
    /// The content of <meta property="og:title">, if any.
    var metaTitle: String?
    /// False when the document has no <body> element (then the whole document is used).
    var hadBody = false

    /// The page's headline: the first <h1>, else the Open Graph title, else <title> without the site's name (the
    /// longest part when " | ", " - ", " – " or " — " divide it).
    var headline: String? {
        if let h1 = firstH1 { return h1 }
        if let meta = metaTitle, !meta.isEmpty { return meta }
        guard let title = documentTitle else { return nil }
        for separator in [" | ", " - ", " – ", " — "] where title.contains(separator) {
            return title.components(separatedBy: separator).max { $0.utf8.count < $1.utf8.count }
        }
        return title
    }
}

/// HTML to text: one forward scan builds the page's block structure (no full DOM, no regular expressions;
/// linear time), then `MainContentFinder` keeps the main text.
///
/// Dropped with their content while scanning: script, style, noscript, template, svg, iframe, button, select,
/// textarea, object, canvas, figure (captions are not article text) and input. Every other element that is not
/// inline makes a node and breaks lines. Unclosed elements end with the document; a closing tag closes the
/// innermost open element of its name and those opened inside it, and is ignored when none is open.
enum HTMLTextExtractor {
    static let skippedElements: Set<String> = [
        "script", "style", "noscript", "template", "svg", "iframe", "button", "select", "textarea", "object",
        "canvas", "figure", "math",
    ]
    static let rawTextElements: Set<String> = ["script", "style", "textarea", "template"]
    static let voidElements: Set<String> = [
        "br", "img", "hr", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr", "param",
    ]
    /// Elements that neither break lines nor make nodes.
    static let inlineElements: Set<String> = [
        "a", "span", "b", "i", "em", "strong", "font", "time", "small", "u", "abbr", "cite", "code", "mark", "q", "s",
        "sub", "sup", "label", "bdi", "bdo", "big", "tt", "strike", "ins", "del", "var", "kbd", "data", "dfn", "samp",
        "nobr", "wbr",
    ]
    /// Elements a new one of the same name closes (`<p>a<p>b`).
    static let selfNesting: Set<String> = ["p", "li", "tr", "td", "th", "dt", "dd", "option"]

    static func extract(_ html: String) -> HTMLText {
        var result = HTMLText()
        let tree = scan(html, into: &result)
        var body = MainContentFinder.mainLines(of: tree)
        if let title = result.documentTitle, let first = body.first, first == title { body.removeFirst() }
        result.lines = body
        return result
    }

    /// The page's nodes and lines; fills the title, first <h1>, headings and `hadBody` of `result`.
    static func scan(_ html: String, into result: inout HTMLText) -> PageTree {
        let b = Array(html.utf8)
        let n = b.count
        var tree = PageTree()
        var open: [Int] = [0]  // stack of open nodes
        var i = 0
        var line: [UInt8] = []
        var lineLinkBytes = 0
        var linkDepth = 0
        var skipName: String? = nil
        var skipDepth = 0
        var inHead = false
        var capture: String? = nil  // heading or title being captured
        var captureText: [UInt8] = []
        var pendingSpace = false

        func flushLine() {
            if !line.isEmpty {
                if !inHead {
                    tree.lines.append(PageTree.Line(
                        text: String(decoding: line, as: UTF8.self), node: open.last!, bytes: line.count,
                        linkBytes: min(lineLinkBytes, line.count)))
                }
                line.removeAll(keepingCapacity: true)
            }
            lineLinkBytes = 0
            pendingSpace = false
        }
        func appendText(_ bytes: [UInt8]) {
            for c in bytes {
                if c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D {
                    pendingSpace = !line.isEmpty
                    if capture != nil, !captureText.isEmpty, captureText.last != 0x20 { captureText.append(0x20) }
                } else {
                    if pendingSpace {
                        line.append(0x20)
                        if linkDepth > 0 { lineLinkBytes += 1 }
                        pendingSpace = false
                    }
                    line.append(c)
                    if linkDepth > 0 { lineLinkBytes += 1 }
                    if capture != nil { captureText.append(c) }
                }
            }
        }
        func closeNode(at k: Int) {
            flushLine()
            while open.count > k {
                let node = open.removeLast()
                tree.nodes[node].lines = tree.nodes[node].lines.lowerBound..<tree.lines.count
            }
        }

        while i < n {
            if b[i] != 0x3C {  // text up to the next "<"
                var j = i
                while j < n && b[j] != 0x3C { j += 1 }
                if skipName == nil { appendText(HTMLEntities.decode(b[i..<j])) }
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
                if let c = capture, c == name {
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
                if name == "a" {
                    linkDepth = max(0, linkDepth - 1)
                } else if name == "head" {
                    flushLine()
                    inHead = false
                } else if name == "title" {
                    flushLine()
                } else if !inlineElements.contains(name) {
                    if let k = open.lastIndex(where: { tree.nodes[$0].name == name }), k > 0 { closeNode(at: k) } else { flushLine() }
                }
                continue
            }
            if name == "head" {
                inHead = true
                continue
            }
            if name == "body" {
                flushLine()
                inHead = false
                result.hadBody = true
            }
            if name == "title" || name == "h1" || name == "h2" || name == "h3" || name == "h4" {
                capture = name
                captureText.removeAll()
            }
            if name == "a" {
                if !selfClosing { linkDepth += 1 }
                continue
            }
            if inlineElements.contains(name) { continue }
            if voidElements.contains(name) || selfClosing {
                if name == "meta", result.metaTitle == nil, let property = attribute("property", in: attributes),
                   property == "og:title", let content = attribute("content", in: attributes) {
                    result.metaTitle = String(decoding: HTMLEntities.decode(ArraySlice(content.utf8)), as: UTF8.self).trimmingSpaces()
                }
                if name == "br" || name == "hr" { flushLine() }
                continue
            }
            if rawTextElements.contains(name) {
                // Skip to the matching close tag without reading markup inside.
                let close = Array("</\(name)".utf8)
                i = findCaseInsensitive(close, in: b, from: i).map { k in (find([0x3E], in: b, from: k) ?? n - 1) + 1 } ?? n
                continue
            }
            if skippedElements.contains(name) {
                skipName = name
                skipDepth = 1
                continue
            }
            if name == "title" || inHead || name == "html" || name == "body" {
                flushLine()
                continue
            }
            if selfNesting.contains(name), let top = open.last, tree.nodes[top].name == name {
                closeNode(at: open.count - 1)
            }
            flushLine()
            let parent = open.last!
            tree.nodes.append(PageTree.Node(
                name: name, parent: parent, depth: tree.nodes[parent].depth + 1, names: names(attributes),
                lines: tree.lines.count..<tree.lines.count))
            open.append(tree.nodes.count - 1)
        }
        closeNode(at: 0)
        tree.nodes[0].lines = 0..<tree.lines.count
        tree.finishIndexes()
        return tree
    }

    @inline(__always)
    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2D
    }

    /// The value of the attribute `key` (a lowercase name), entities not decoded; nil when absent.
    static func attribute(_ key: String, in attributes: ArraySlice<UInt8>) -> String? {
        let b = Array(attributes)
        let k = Array(key.utf8)
        var i = 0
        while i < b.count {
            // An attribute name starts after white space.
            if (i == 0 || b[i - 1] == 0x20 || b[i - 1] == 0x0A || b[i - 1] == 0x09), i + k.count < b.count {
                var m = 0
                while m < k.count && (b[i + m] | 0x20) == k[m] { m += 1 }
                if m == k.count && b[i + m] == 0x3D {  // "="
                    var j = i + m + 1
                    guard j < b.count else { return "" }
                    let q = b[j]
                    if q == 0x22 || q == 0x27 {
                        j += 1
                        let start = j
                        while j < b.count && b[j] != q { j += 1 }
                        return String(decoding: b[start..<j], as: UTF8.self)
                    }
                    let start = j
                    while j < b.count && b[j] != 0x20 && b[j] != 0x3E && b[j] != 0x2F { j += 1 }
                    return String(decoding: b[start..<j], as: UTF8.self)
                }
            }
            i += 1
        }
        return nil
    }

    /// The lowercased values of the class, id and role attributes, space-separated ("" when none).
    static func names(_ attributes: ArraySlice<UInt8>) -> String {
        guard !attributes.isEmpty else { return "" }
        let text = String(decoding: attributes, as: UTF8.self).lowercased()
        guard text.contains("class") || text.contains("id") || text.contains("role") else { return "" }
        var values = ""
        for key in ["class=", "id=", "role="] {
            var rest = Substring(text)
            while let r = rest.range(of: key) {
                // Only whole attribute names: "data-id=" is not "id=".
                let before = r.lowerBound == text.startIndex ? " " : text[text.index(before: r.lowerBound)]
                rest = rest[r.upperBound...]
                let q = rest.first
                var value: Substring
                if q == "\"" || q == "'" {
                    rest = rest.dropFirst()
                    let end = rest.firstIndex(of: q!) ?? rest.endIndex
                    value = rest[..<end]
                    rest = rest[end...]
                } else {
                    let end = rest.firstIndex(where: { $0 == " " || $0 == ">" }) ?? rest.endIndex
                    value = rest[..<end]
                    rest = rest[end...]
                }
                if before == " " || before == "\t" || before == "\n" { values += " " + value }
            }
        }
        return values
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
        // Most lines start and end with printable ASCII or an Arabic-block scalar (never white space): no copy.
        let bytes = utf8
        if let first = bytes.first, first > 0x20 && first < 0x7F || first >= 0xD8 && first <= 0xDB, let last = bytes.last {
            if last > 0x20 && last < 0x7F { return self }
            if last >= 0x80 && last <= 0xBF && bytes.count >= 2 {
                let lead = bytes[bytes.index(bytes.endIndex, offsetBy: -2)]
                if lead >= 0xD8 && lead <= 0xDB { return self }
            }
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
