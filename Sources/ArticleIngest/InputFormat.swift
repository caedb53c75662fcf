/// How an input's bytes hold articles.
enum InputFormat: Equatable {
    /// The whole input is one plain-text article.
    case text
    /// The whole input is one HTML page.
    case html
    /// One JSON object per line.
    case jsonLines
    /// JSON Lines compressed with gzip.
    case gzipJSONLines

    /// The format a file name promises (case-insensitive), or nil for a name this reader does not know.
    init?(path: String) {
        let name = path.lowercased()
        if name.hasSuffix(".jsonl.gz") || name.hasSuffix(".ndjson.gz") {
            self = .gzipJSONLines
        } else if name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") {
            self = .jsonLines
        } else if name.hasSuffix(".txt") {
            self = .text
        } else if name.hasSuffix(".html") || name.hasSuffix(".htm") {
            self = .html
        } else {
            return nil
        }
    }

    /// The format the first bytes of a stream suggest: gzip magic means gzipped JSON Lines; otherwise the first
    /// character that is not white space (after a byte-order mark) decides: `{` JSON Lines, `<` HTML, else text.
    init(sniffing start: [UInt8]) {
        if start.count >= 2, start[0] == 0x1F, start[1] == 0x8B {
            self = .gzipJSONLines
            return
        }
        var bytes = start[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        switch bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
        case UInt8(ascii: "{"): self = .jsonLines
        case UInt8(ascii: "<"): self = .html
        default: self = .text
        }
    }
}
