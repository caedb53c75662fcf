/// The one entry point of the analysis core: an article in, its analysis out.
///
/// An analyzer is immutable once made, so one instance serves any number of threads at once.
public struct ArticleAnalyzer: Sendable {
    public init() {}

    /// Analyses one article. Never traps, whatever the input; oddities are reported in `Analysis.flags`.
    public func analyze(_ article: Article) -> Analysis {
        let text = article.content.raw
        var tokens: [Token] = []
        var offset = 0
        for piece in text.split(separator: " ", omittingEmptySubsequences: false) {
            let length = piece.utf8.count
            if length > 0 {
                let word = String(piece)
                tokens.append(Token(
                    text: word, normalized: word, base: word, stem: word,
                    span: TextSpan(start: offset, end: offset + length), isStopword: false))
            }
            offset += length + 1
        }
        return Analysis(
            language: LanguageGuess(code: "und", confidence: 0),
            title: article.title,
            cleanText: text,
            normalizedText: text,
            tokens: tokens,
            flags: article.inputFlags
        )
    }
}
