/// Finds the main text of a page by scoring its blocks on text length and link density (in the manner of
/// Readability), then prunes chrome inside it.
///
/// 1. Each line of at least `minParagraphScalars` characters whose link density is below 0.5 scores
///    1 + its commas + min(characters / 100, 3). The score goes to the block that holds the paragraph — the
///    paragraph element's parent (for <p>, <li>, headings) or the element itself (text separated by <br>) — in
///    full, to the next ancestor in half and to the one above in a third.
/// 2. A block's score is multiplied by (1 - its link density); the highest is the main block. Class names do not
///    choose it, and no ancestor's class name can remove it: a wrapper named `tag-social-media` or `has-sidebar`
///    around the article is never looked at.
/// 3. Siblings of the main block join it when they score at least a fifth of it (and their names and elements are
///    not chrome), or when they are dense text next to it (a standfirst): every line long, few links.
/// 4. Inside what is kept, blocks are dropped when they are navigation, asides, footers, headers or forms, when their
///    class or id names chrome and they hold under half of the kept paragraph text, or when most of their text is
///    links; lines are dropped when most of their text is links.
///
/// When no line qualifies as a paragraph the page has no main block; then every line outside navigation,
/// asides, footers, headers, forms and chrome-named blocks is kept.
enum MainContentFinder {
    static let minParagraphScalars = 25
    /// Elements whose content is a paragraph (their parent holds the article's paragraphs).
    static let paragraphElements: Set<String> = ["p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt"]
    /// Elements that are page furniture wherever they stand (inside the main block too).
    static let furnitureElements: Set<String> = ["nav", "aside", "footer", "header", "form", "menu", "amp-sidebar"]
    /// Markers of chrome in class, id and role values (matched inside each space-separated value).
    static let chromeMarkers = [
        "share", "social", "comment", "breadcrumb", "crumb", "menu", "related", "newsletter", "subscribe", "cookie",
        "consent", "gdpr", "advert", "sidebar", "banner", "popup", "promo", "widget", "ticker", "breaking", "footer",
        "byline", "author", "popular", "most-read", "read-also", "readalso", "navigation", "navbar", "masthead",
        "tags", "meta",
    ]

    static func namesChrome(_ names: String) -> Bool {
        guard !names.isEmpty else { return false }
        for value in names.split(separator: " ") {
            if value == "nav" || value == "ad" || value == "ads" { return true }
            for marker in chromeMarkers where value.contains(marker) { return true }
        }
        return false
    }

    static func scalarCount(_ s: String) -> Int {
        var count = 0
        for c in s.utf8 where c & 0xC0 != 0x80 { count += 1 }
        return count
    }

    static func paragraphScore(_ line: PageTree.Line) -> Double? {
        guard line.linkDensity < 0.5 else { return nil }
        let chars = scalarCount(line.text)
        guard chars >= minParagraphScalars else { return nil }
        var commas = 0
        for s in line.text.unicodeScalars where s == "," || s == "،" { commas += 1 }
        return 1 + Double(commas) + min(Double(chars) / 100, 3)
    }

    /// The lines of the main text, in document order.
    static func mainLines(of tree: PageTree) -> [String] {
        let nodes = tree.nodes
        var score = [Double](repeating: 0, count: nodes.count)
        var paragraphText = [Int](repeating: 0, count: nodes.count)  // bytes of paragraph lines, by holding block
        for line in tree.lines {
            guard let s = paragraphScore(line) else { continue }
            var holder = line.node
            if paragraphElements.contains(nodes[holder].name), nodes[holder].parent > 0 { holder = nodes[holder].parent }
            var n = holder
            var level = 0
            while n > 0 && level < 3 {
                score[n] += s / Double(level + 1)
                n = nodes[n].parent
                level += 1
            }
            // Paragraph bytes count for every ancestor (used for shares inside the kept blocks).
            n = line.node
            while n >= 0 {
                paragraphText[n] += line.bytes
                n = nodes[n].parent
            }
        }
        var best = -1
        var bestScore = 0.0
        for i in nodes.indices.dropFirst() where score[i] > 0 {
            score[i] *= 1 - tree.linkDensity(i)
            if score[i] > bestScore {
                bestScore = score[i]
                best = i
            }
        }
        guard best > 0 else { return fallbackLines(of: tree) }

        // The main block and the siblings that join it.
        var kept: [Int] = []
        let parent = nodes[best].parent
        let siblings = parent >= 0 ? nodes[parent].children : [best]
        let bestPosition = siblings.firstIndex(of: best)!
        // Positions counted over siblings that hold text.
        var textPosition: [Int: Int] = [:]
        var position = 0
        for s in siblings where tree.textBytes(s) > 0 {
            textPosition[s] = position
            position += 1
        }
        for (k, s) in siblings.enumerated() {
            if s == best { kept.append(s); continue }
            if furnitureElements.contains(nodes[s].name) || namesChrome(nodes[s].names) { continue }
            if score[s] >= max(bestScore * 0.2, 3) && tree.linkDensity(s) < 0.3 {
                kept.append(s)
                continue
            }
            guard let p = textPosition[s], let bp = textPosition[best], abs(p - bp) <= 2, abs(k - bestPosition) <= 4 else { continue }
            if isDenseText(s, in: tree) { kept.append(s) }
        }

        let mainParagraphText = kept.reduce(0) { $0 + paragraphText[$1] }
        var dropped = [Bool](repeating: false, count: tree.lines.count)
        for root in kept {
            // Descendants of root in pre-order are the nodes root+1 ..< (first node after the subtree).
            var i = root + 1
            while i < nodes.count && nodes[i].depth > nodes[root].depth {
                let node = nodes[i]
                let chrome = furnitureElements.contains(node.name)
                    || (namesChrome(node.names) && paragraphText[i] * 2 < mainParagraphText)
                    || (tree.linkDensity(i) >= 0.5 && paragraphText[i] * 2 < mainParagraphText)
                if chrome {
                    for l in node.lines { dropped[l] = true }
                    // Skip the subtree.
                    var j = i + 1
                    while j < nodes.count && nodes[j].depth > node.depth { j += 1 }
                    i = j
                    continue
                }
                i += 1
            }
        }
        var out: [String] = []
        for root in kept {
            for l in nodes[root].lines where !dropped[l] {
                let line = tree.lines[l]
                if line.linkDensity > 0.5 { continue }
                out.append(line.text)
            }
        }
        return out
    }

    /// Text that reads as prose: at least 80 characters, under a fifth links, every line at least 60 characters.
    static func isDenseText(_ node: Int, in tree: PageTree) -> Bool {
        let range = tree.nodes[node].lines
        guard !range.isEmpty, tree.linkDensity(node) < 0.2 else { return false }
        var chars = 0
        for l in range {
            let c = scalarCount(tree.lines[l].text)
            if c < 60 { return false }
            chars += c
        }
        return chars >= 80
    }

    /// Every line outside furniture and chrome-named blocks.
    static func fallbackLines(of tree: PageTree) -> [String] {
        var dropped = [Bool](repeating: false, count: tree.lines.count)
        for node in tree.nodes.dropFirst() where furnitureElements.contains(node.name) || namesChrome(node.names) {
            for l in node.lines { dropped[l] = true }
        }
        return tree.lines.indices.filter { !dropped[$0] }.map { tree.lines[$0].text }
    }
}
