/// Decoding of HTML character references: numeric ones and the named ones that occur in news pages.
enum HTMLEntities {
    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "laquo": "«", "raquo": "»",
        "ldquo": "“", "rdquo": "”", "lsquo": "‘", "rsquo": "’", "hellip": "…", "mdash": "—", "ndash": "–",
        "copy": "©", "reg": "®", "eacute": "é", "egrave": "è", "agrave": "à", "ccedil": "ç", "ecirc": "ê",
        "ocirc": "ô", "icirc": "î", "ucirc": "û", "acirc": "â", "zwnj": "\u{200C}", "zwj": "\u{200D}",
        "lrm": "\u{200E}", "rlm": "\u{200F}", "shy": "",
    ]

    /// The bytes with every well-formed reference decoded; anything else is left as it was.
    static func decode(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        guard bytes.contains(0x26) else { return Array(bytes) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let c = bytes[i]
            guard c == 0x26 else { out.append(c); i += 1; continue }
            var j = i + 1
            while j < bytes.endIndex && j - i <= 10 && bytes[j] != 0x3B && bytes[j] != 0x26 && bytes[j] != 0x20 { j += 1 }
            guard j < bytes.endIndex, bytes[j] == 0x3B, j > i + 1 else { out.append(c); i += 1; continue }
            let name = String(decoding: bytes[(i + 1)..<j], as: UTF8.self)
            var replacement: String? = nil
            if name.hasPrefix("#") {
                let digits = name.dropFirst()
                let value: UInt32? = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                if let v = value, let s = Unicode.Scalar(v), v != 0 { replacement = String(Character(s)) }
            } else {
                replacement = named[name] ?? named[name.lowercased()]
            }
            if let r = replacement {
                out.append(contentsOf: r.utf8)
                i = j + 1
            } else {
                out.append(c)
                i += 1
            }
        }
        return out
    }
}
