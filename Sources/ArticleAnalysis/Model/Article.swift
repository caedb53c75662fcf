/// An article as it enters the analysis: its text or HTML and the metadata that came with it.
///
/// Every field but `id` and `content` is optional: a plain `.txt` file has none of them.
public struct Article: Sendable, Hashable, Codable {
    /// What the article's body is; HTML is cleaned to text by the analysis.
    public enum Content: Sendable, Hashable, Codable {
        case text(String)
        case html(String)

        /// The raw body, whatever its kind.
        public var raw: String {
            switch self {
            case .text(let s), .html(let s): return s
            }
        }
    }

    /// The caller's identifier for the article (a corpus id, a file path, a URL).
    public var id: String
    public var url: String?
    public var source: String?
    public var category: String?
    public var title: String?
    /// Publication time as the source gave it (ISO 8601 where known).
    public var published: String?
    public var author: String?
    public var content: Content
    /// Oddities found before the analysis saw the text (for example invalid UTF-8 that a reader replaced).
    public var inputFlags: [AnalysisFlag]

    public init(
        id: String,
        url: String? = nil,
        source: String? = nil,
        category: String? = nil,
        title: String? = nil,
        published: String? = nil,
        author: String? = nil,
        content: Content,
        inputFlags: [AnalysisFlag] = []
    ) {
        self.id = id
        self.url = url
        self.source = source
        self.category = category
        self.title = title
        self.published = published
        self.author = author
        self.content = content
        self.inputFlags = inputFlags
    }
}
