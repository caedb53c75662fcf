/// The body text of a page split into chrome, headline, headings and paragraphs.
struct PageStructure: Sendable {
    var headline: String?
    var headings: [String] = []
    /// Paragraphs kept, in order (headings included, the headline not).
    var paragraphs: [String] = []
    var removedLines: [String] = []
}

/// Finds chrome, the headline and section headings among the lines of a page.
///
/// - The headline (only looked for when `findHeadline`): the first line after leading chrome that is short (at most
///   30 words), does not end like a sentence, and is followed by a longer line.
/// - A heading: a later line of at most 12 words that does not end like a sentence (. ! ? ؟ : ، " ” »), is
///   followed by a line at least twice its length, and is not the last line.
enum PageStructureFinder {
    static func find(lines rawLines: [String], findHeadline: Bool, knownHeadings: [String] = []) -> PageStructure {
        var page = PageStructure()
        var lines: [String] = []
        var sawParagraph = false
        for raw in rawLines {
            let line = raw.trimmingSpaces()
            if line.isEmpty { continue }
            if Boilerplate.isChrome(line, nearTop: !sawParagraph) {
                page.removedLines.append(line)
                continue
            }
            if !sawParagraph && wordCount(line, upTo: 31) > 30 { sawParagraph = true }
            lines.append(line)
        }
        var start = 0
        if findHeadline, let first = lines.first, lines.count > 1, wordCount(first, upTo: 31) <= 30, !endsLikeSentence(first),
           lines[1].utf8.count > first.utf8.count {
            page.headline = first
            start = 1
        }
        let known = Set(knownHeadings)
        for i in start..<lines.count {
            let line = lines[i]
            if (!known.isEmpty && known.contains(line)) || (i > start && i + 1 < lines.count && wordCount(line, upTo: 13) <= 12 && !endsLikeSentence(line)
                && lines[i + 1].utf8.count >= 2 * line.utf8.count) {
                page.headings.append(line)
            }
            page.paragraphs.append(line)
        }
        return page
    }

    /// The non-empty lines of a text, in order ("\n" separates lines).
    static func lines(of text: String) -> [String] {
        var copy = text
        return copy.withUTF8 { b in
            var out: [String] = []
            var start = 0
            for i in 0..<b.count where b[i] == 0x0A {
                if i > start { out.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)) }
                start = i + 1
            }
            if start < b.count { out.append(String(decoding: UnsafeBufferPointer(rebasing: b[start..<b.count]), as: UTF8.self)) }
            return out
        }
    }

    /// The number of words (runs of characters other than space and tab) in `line`, counting no further than
    /// `limit` (a longer line gives `limit`).
    static func wordCount(_ line: String, upTo limit: Int = .max) -> Int {
        var copy = line
        return copy.withUTF8 { b in
            var count = 0
            var inWord = false
            for c in b {
                if c == 0x20 || c == 0x09 {
                    inWord = false
                } else if !inWord {
                    inWord = true
                    count += 1
                    if count == limit { return count }
                }
            }
            return count
        }
    }

    static let sentenceEnds: Set<Unicode.Scalar> = [".", "!", "?", "؟", ":", "،", ",", "\"", "”", "»", "…", ";", "؛"]

    static func endsLikeSentence(_ line: String) -> Bool {
        guard let last = line.unicodeScalars.last else { return false }
        return sentenceEnds.contains(last)
    }
}
