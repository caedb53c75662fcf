/// The first stage: bounds the input's size and removes characters that must never reach the clean text.
///
/// One pass over the scalars, linear time. Output has no bidi controls, no NUL or other binary controls (each
/// becomes a space), no byte order mark, and "\r\n" / "\r" become "\n".
enum InputSanitizer {
    /// Inputs longer than this many UTF-8 bytes are cut (at a line or scalar boundary) and flagged `truncated`.
    static let maxInputBytes = 1 << 20

    static func sanitize(_ raw: String, maxBytes: Int = maxInputBytes) -> (text: String, flags: Set<AnalysisFlag>) {
        if raw.utf8.count <= maxBytes && isClean(raw) { return (raw, []) }
        var flags: Set<AnalysisFlag> = []
        var out = String.UnicodeScalarView()
        var bytes = 0
        var previousWasCR = false
        for scalar in raw.unicodeScalars {
            let v = scalar.value
            let width = v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4
            if bytes + width > maxBytes {
                flags.insert(.truncated)
                break
            }
            bytes += width
            if v == 0x0D {
                out.append("\n")
                previousWasCR = true
                continue
            }
            defer { previousWasCR = false }
            if v == 0x0A && previousWasCR { continue }
            if InvisibleCharacters.isBidiControl(v) {
                flags.insert(.bidiControls)
                continue
            }
            if InvisibleCharacters.isBinaryControl(v) {
                flags.insert(.binaryContent)
                out.append(" ")
                continue
            }
            if v == 0xFEFF { continue }
            if v == 0xFFFD { flags.insert(.invalidUTF8Replaced) }
            out.append(scalar)
        }
        var text = String(out)
        if flags.contains(.truncated), let cut = text.lastIndex(of: "\n"), text.utf8.distance(from: cut, to: text.endIndex) < 4096 {
            text = String(text[..<cut])
        }
        return (text, flags)
    }

    /// True when no scalar of the text would be changed or flagged (checked on the UTF-8 bytes, fast).
    static func isClean(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { b in
            let n = b.count
            var i = 0
            while i < n {
                let c = b[i]
                if c < 0x80 {
                    if (c < 0x20 && c != 0x0A && c != 0x09) || c == 0x7F { return false }
                    i += 1
                    continue
                }
                if c == 0xD8 && i + 1 < n && b[i + 1] == 0x9C { return false }  // U+061C
                if c == 0xE2 && i + 2 < n {
                    let c1 = b[i + 1], c2 = b[i + 2]
                    if c1 == 0x80 && (c2 == 0x8E || c2 == 0x8F || (0xAA...0xAE).contains(c2)) { return false }
                    if c1 == 0x81 && (0xA6...0xA9).contains(c2) { return false }
                }
                if c == 0xEF && i + 2 < n && ((b[i + 1] == 0xBB && b[i + 2] == 0xBF) || (b[i + 1] == 0xBF && b[i + 2] == 0xBD)) { return false }
                i += 1
            }
            return true
        }
    }
}
