/// Turns raw bytes into article text and decides whether the text is worth analysing.
///
/// One set of rules for every format: a `.txt` file, an HTML page and a JSON line's `text` field are judged alike.
enum TextCheck {
    /// Bytes as text; invalid UTF-8 is replaced with U+FFFD and `repaired` says so.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> (text: String, repaired: Bool) {
        if #available(macOS 15, *) {
            if let text = String(validating: bytes, as: UTF8.self) { return (text, false) }
            return (String(decoding: bytes, as: UTF8.self), true)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return (text, !text.utf8.elementsEqual(bytes))
    }

    /// Why `text` cannot be an article (kind and message), or nil when it can.
    ///
    /// - `tooLarge`: more than `maxBytes` bytes of UTF-8.
    /// - `binary`: a NUL character, or control characters (other than tab, line and page breaks) — together with
    ///   replacement characters when `repaired` — making up more than a tenth of the characters.
    /// - `empty`: nothing but white space.
    static func problem(with text: String, repaired: Bool, maxBytes: Int) -> (IngestProblem.Kind, String)? {
        var text = text
        let byteCount = text.utf8.count
        if byteCount > maxBytes {
            return (.tooLarge, "the text is \(byteCount) bytes, over the limit of \(maxBytes) bytes; skipped")
        }
        let scan = text.withUTF8 { scanBytes($0) }
        if scan.hasNUL {
            return (.binary, "binary data (NUL bytes); skipped")
        }
        let suspicious = scan.controls + (repaired ? scan.replacements : 0)
        if scan.characters > 0, suspicious * 10 > scan.characters {
            return (.binary, "binary data (\(suspicious) of \(scan.characters) characters are control or undecodable); skipped")
        }
        if !scan.hasPrintableASCII, text.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
            return (.empty, byteCount == 0 ? "no text; skipped" : "only white space; skipped")
        }
        return nil
    }

    private struct Scan {
        var hasNUL = false
        var controls = 0
        var replacements = 0
        /// Code points (UTF-8 lead bytes).
        var characters = 0
        /// Whether some byte is printable ASCII, so the text cannot be white space only.
        var hasPrintableASCII = false
    }

    private static func scanBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> Scan {
        var scan = Scan()
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte & 0xC0 != 0x80 { scan.characters += 1 }
            if byte < 0x20 {
                switch byte {
                case 0: scan.hasNUL = true
                case 0x09, 0x0A, 0x0B, 0x0C, 0x0D: break
                default: scan.controls += 1
                }
            } else if byte == 0x7F {
                scan.controls += 1
            } else if byte < 0x7F {
                if byte != 0x20 { scan.hasPrintableASCII = true }
            } else if byte == 0xEF, index + 2 < count, bytes[index + 1] == 0xBF, bytes[index + 2] == 0xBD {
                scan.replacements += 1
            }
            index += 1
        }
        return scan
    }
}
