/// One unit of the clean text: a word, a number or a punctuation mark.
struct Lexeme: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case word
        case number
        case punctuation
    }
    var kind: Kind
    /// UTF-8 byte offsets into the clean text, `[start, end)`.
    var start: Int
    var end: Int
    /// True when a line break separates this lexeme from the previous one.
    var startsParagraph: Bool
    /// The script of the word's letters; `.other` when letters of several scripts are mixed.
    var script: Script
    /// For words: letters of more than one script inside the word.
    var mixesScripts: Bool
}

/// Splits clean text into lexemes in one pass over its scalars (linear time, no regular expressions).
///
/// Words are runs of letters, combining marks, tatweel and digits that start with a letter; numbers are runs
/// of digits (any digit script) with inner "." "," "٫" "٬"; every other non-space scalar is a punctuation
/// lexeme of its own. An apostrophe or hyphen ends a word ("l'armée" -> "l", "'", "armée").
enum Tokenizer {
    static func lexemes(of text: String) -> [Lexeme] {
        var out: [Lexeme] = []
        out.reserveCapacity(text.utf8.count / 6)
        var offset = 0
        var current: Lexeme? = nil
        var sawNewline = true
        var pendingNumberSeparator: (start: Int, end: Int)? = nil

        func close() {
            if var c = current {
                if let sep = pendingNumberSeparator {
                    c.end = sep.start
                    out.append(c)
                    out.append(Lexeme(kind: .punctuation, start: sep.start, end: sep.end, startsParagraph: false, script: .none, mixesScripts: false))
                } else {
                    out.append(c)
                }
            }
            current = nil
            pendingNumberSeparator = nil
        }

        for scalar in text.unicodeScalars {
            let v = scalar.value
            let width = v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4
            defer { offset += width }
            if isSpace(v) {
                close()
                if v == 0x0A { sawNewline = true }
                continue
            }
            let script = Script.of(scalar)
            if script != .none {
                if var c = current, c.kind == .word, pendingNumberSeparator == nil {
                    if c.script != script {
                        if c.script == .none { c.script = script } else { c.mixesScripts = true; c.script = .other }
                    }
                    c.end = offset + width
                    current = c
                } else {
                    close()
                    current = Lexeme(kind: .word, start: offset, end: offset + width, startsParagraph: sawNewline, script: script, mixesScripts: false)
                    sawNewline = false
                }
                continue
            }
            // Digits, marks and punctuation (letters went on above).
            let isDigit = (v >= 0x30 && v <= 0x39) || (0x0660...0x0669).contains(v) || (0x06F0...0x06F9).contains(v)
            if isDigit {
                if var c = current, pendingNumberSeparator == nil || c.kind == .number {
                    pendingNumberSeparator = nil
                    c.end = offset + width
                    current = c
                } else {
                    close()
                    current = Lexeme(kind: .number, start: offset, end: offset + width, startsParagraph: sawNewline, script: .none, mixesScripts: false)
                    sawNewline = false
                }
                continue
            }
            let isMark = v == 0x0640 || v == 0x200C || v == 0x200D
                || (v >= 0x0600 && v <= 0x06FF ? ArabicNormalizer.isDiacriticOrTatweel(scalar)
                    : v >= 0x0300 && scalar.properties.generalCategory == .nonspacingMark)
            if isMark, var c = current, c.kind == .word, pendingNumberSeparator == nil {
                c.end = offset + width
                current = c
                continue
            }
            if let c = current, c.kind == .number, pendingNumberSeparator == nil,
               v == 0x2E || v == 0x2C || v == 0x066B || v == 0x066C {
                pendingNumberSeparator = (offset, offset + width)
                continue
            }
            close()
            out.append(Lexeme(kind: .punctuation, start: offset, end: offset + width, startsParagraph: sawNewline, script: .none, mixesScripts: false))
            sawNewline = false
        }
        close()
        return out
    }

    /// White space: ASCII spaces and controls \t \n \v \f \r, NEL, no-break and typographic spaces, line and
    /// paragraph separators.
    @inline(__always)
    static func isSpace(_ v: UInt32) -> Bool {
        if v <= 0x20 { return v == 0x20 || v == 0x0A || v == 0x09 || v == 0x0D || v == 0x0B || v == 0x0C }
        if v < 0x85 { return false }
        return v == 0x85 || v == 0xA0 || v == 0x1680 || (v >= 0x2000 && v <= 0x200A) || v == 0x2028 || v == 0x2029
            || v == 0x202F || v == 0x205F || v == 0x3000
    }
}
