/// Lines and tab-separated fields of the bundled text tables (`Resources/*.txt`), split on UTF-8 bytes.
///
/// `String.split` with a `Character` predicate walks grapheme clusters, which for Arabic text costs more than
/// everything else done with a table at start-up (about 0.3 s of a `mirsad analyze` start for the four largest
/// tables). Newline and tab are control characters, which are grapheme clusters of their own (and `"\r\n"` one
/// together), so splitting on their bytes yields the same lines and fields as splitting on `Character`s.
enum TableLines {
    /// The lines of `text`, each without its `"\n"` or `"\r\n"`, numbered from 1; like
    /// `split(omittingEmptySubsequences: false)`, a text ending in a newline has a last, empty line.
    static func lines(of text: String) -> [Substring] {
        split(text[...], at: UInt8(ascii: "\n"), droppingCarriageReturns: true)
    }

    /// The tab-separated fields of `line`, empty ones kept.
    static func fields(of line: Substring) -> [Substring] {
        split(line, at: UInt8(ascii: "\t"), droppingCarriageReturns: false)
    }

    /// The pieces of `text` between `separator` bytes, each without a `"\r"` before its separator when
    /// `droppingCarriageReturns`.
    private static func split(_ text: Substring, at separator: UInt8, droppingCarriageReturns: Bool) -> [Substring] {
        var text = text
        text.makeContiguousUTF8()
        let utf8 = text.utf8
        var pieces: [Substring] = []
        utf8.withContiguousStorageIfAvailable { bytes in
            // Offsets within contiguous UTF-8 make indices in constant time.
            func piece(_ start: Int, _ end: Int) -> Substring {
                text[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)]
            }
            var start = 0
            for offset in 0..<bytes.count where bytes[offset] == separator {
                let end = droppingCarriageReturns && offset > start && bytes[offset - 1] == UInt8(ascii: "\r")
                    ? offset - 1 : offset
                pieces.append(piece(start, end))
                start = offset + 1
            }
            pieces.append(piece(start, bytes.count))
        }
        return pieces
    }

    /// True when `line` starts with `#`.
    static func isComment(_ line: Substring) -> Bool {
        line.utf8.first == UInt8(ascii: "#")
    }
}
