import ArticleAnalysis

extension Mirsad_V1_ArticleMetadata {
    /// The metadata of `article` (its body is left out).
    public init(_ article: Article) {
        self.init()
        id = article.id
        if let v = article.url { url = v }
        if let v = article.source { source = v }
        if let v = article.category { category = v }
        if let v = article.title { title = v }
        if let v = article.published { published = v }
        if let v = article.author { author = v }
        inputFlags = article.inputFlags.map(\.rawValue)
    }
}

extension Mirsad_V1_Article {
    public init(_ article: Article) {
        self.init()
        metadata = Mirsad_V1_ArticleMetadata(article)
        switch article.content {
        case .text(let s): content = .text(s)
        case .html(let s): content = .html(s)
        }
    }

    /// The body's size in UTF-8 bytes (0 when there is none).
    public var contentBytes: Int {
        switch content {
        case .text(let s)?, .html(let s)?: s.utf8.count
        case nil: 0
        }
    }
}

extension Article {
    /// The article a job carries. Throws when the id is empty, the body is missing or a flag is unknown.
    public init(wire: Mirsad_V1_Article, field: String = "article") throws(WireConversionError) {
        let body: Content
        switch wire.content {
        case .text(let s)?: body = .text(s)
        case .html(let s)?: body = .html(s)
        case nil: throw WireConversionError(field: "\(field).content", problem: "missing (neither text nor html)")
        }
        try self.init(metadata: wire.metadata, content: body, field: "\(field).metadata")
    }

    /// An article from metadata and a body given separately (a RESULT carries metadata only).
    public init(metadata: Mirsad_V1_ArticleMetadata, content: Content, field: String = "metadata") throws(WireConversionError) {
        guard !metadata.id.isEmpty else { throw WireConversionError(field: "\(field).id", problem: "empty") }
        self.init(
            id: metadata.id,
            url: metadata.hasURL ? metadata.url : nil,
            source: metadata.hasSource ? metadata.source : nil,
            category: metadata.hasCategory ? metadata.category : nil,
            title: metadata.hasTitle ? metadata.title : nil,
            published: metadata.hasPublished ? metadata.published : nil,
            author: metadata.hasAuthor ? metadata.author : nil,
            content: content,
            inputFlags: try decodeFlags(metadata.inputFlags, field: "\(field).input_flags")
        )
    }
}

func decodeFlags(_ raw: [String], field: String) throws(WireConversionError) -> [AnalysisFlag] {
    var flags: [AnalysisFlag] = []
    flags.reserveCapacity(raw.count)
    for (i, value) in raw.enumerated() {
        guard let flag = AnalysisFlag(rawValue: value) else {
            throw WireConversionError(field: "\(field)[\(i)]", problem: "unknown flag \(value.debugDescription)")
        }
        flags.append(flag)
    }
    return flags
}
