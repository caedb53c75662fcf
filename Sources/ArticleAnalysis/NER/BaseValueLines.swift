/// The lines of the recognizer's resource files (`ner-lexicon.txt`, `ner-clusters.txt`, `ner-name-lists.txt`): one
/// `base<TAB>value` pair a line, blank lines and `#` comments skipped. Each file reads its own values; a line that
/// is not a pair with a non-empty base comes with `base` nil, for the file to refuse with its own message.
struct BaseValueLine {
    /// 1-based, counting every line of the text.
    let number: Int
    let text: Substring
    let base: Substring?
    let value: Substring

    static func lines(of text: String) -> [BaseValueLine] {
        var lines: [BaseValueLine] = []
        for (index, line) in TableLines.lines(of: text).enumerated() {
            if line.isEmpty || TableLines.isComment(line) { continue }
            let fields = TableLines.fields(of: line)
            let isPair = fields.count == 2 && !fields[0].isEmpty
            lines.append(BaseValueLine(number: index + 1, text: line, base: isPair ? fields[0] : nil, value: isPair ? fields[1] : ""))
        }
        return lines
    }
}
