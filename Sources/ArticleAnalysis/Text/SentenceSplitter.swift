/// Sentence boundaries over lexemes.
///
/// A sentence ends after ". ! ? ؟ …" (and any closing quotes or brackets right after it) and at every paragraph
/// break. A "." after a single Latin letter or a known abbreviation does not end a sentence ("U.S.", "Mr.").
enum SentenceSplitter {
    static let abbreviations: Set<String> = ["mr", "mrs", "ms", "dr", "st", "prof", "gen", "col", "lt", "sgt", "jr", "sr", "vs", "etc", "mme", "mm", "no"]
    static let enders: Set<UInt8> = [0x2E, 0x21, 0x3F]
    static let closers: Set<UInt32> = [0x201D, 0xBB, 0x22, 0x27, 0x29, 0x5D, 0x2019]

    /// Ranges of lexeme indices, one per sentence, covering every lexeme in order.
    static func split(_ lexemes: [Lexeme], bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        var i = 0
        while i < lexemes.count {
            let lx = lexemes[i]
            if lx.startsParagraph && i > start {
                out.append(start..<i)
                start = i
            }
            if lx.kind == .punctuation && isEnder(lx, bytes: bytes) && !isAbbreviation(before: i, lexemes, bytes: bytes) {
                var end = i + 1
                while end < lexemes.count, lexemes[end].kind == .punctuation, !lexemes[end].startsParagraph,
                      closers.contains(firstScalar(lexemes[end], bytes)) || isEnder(lexemes[end], bytes: bytes) {
                    end += 1
                }
                out.append(start..<end)
                start = end
                i = end
                continue
            }
            i += 1
        }
        if start < lexemes.count { out.append(start..<lexemes.count) }
        return out
    }

    @inline(__always)
    static func firstScalar(_ lx: Lexeme, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var it = UnsafeBufferPointer(rebasing: bytes[lx.start..<lx.end]).makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let s) = decoder.decode(&it) { return s.value }
        return 0
    }

    @inline(__always)
    static func isEnder(_ lx: Lexeme, bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if lx.end - lx.start == 1 { return enders.contains(bytes[lx.start]) }
        let v = firstScalar(lx, bytes)
        return v == 0x061F || v == 0x2026 || v == 0x06D4
    }

    static func isAbbreviation(before i: Int, _ lexemes: [Lexeme], bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes[lexemes[i].start] == 0x2E, i > 0 else { return false }
        let prev = lexemes[i - 1]
        guard prev.kind == .word, prev.end == lexemes[i].start, prev.script == .latin else { return false }
        if prev.end - prev.start == 1 { return true }
        guard prev.end - prev.start <= 4 else { return false }
        let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[prev.start..<prev.end]), as: UTF8.self).lowercased()
        return abbreviations.contains(word)
    }
}
