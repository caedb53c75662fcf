import Foundation

/// One line of a JSON Lines corpus: `id, url, source, category, title, published, author` and `text` or `html`.
///
/// Metadata given as a number or a boolean is kept as its text; `null` counts as absent. Any other type, or
/// a `text`/`html` that is not a string, makes the line malformed.
struct JSONLineArticle: Decodable {
    var id: String?
    var url: String?
    var source: String?
    var category: String?
    var title: String?
    var published: String?
    var author: String?
    var text: String?
    var html: String?

    private enum CodingKeys: String, CodingKey {
        case id, url, source, category, title, published, author, text, html
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try Self.metadata(container, .id)
        url = try Self.metadata(container, .url)
        source = try Self.metadata(container, .source)
        category = try Self.metadata(container, .category)
        title = try Self.metadata(container, .title)
        published = try Self.metadata(container, .published)
        author = try Self.metadata(container, .author)
        text = try container.decodeIfPresent(String.self, forKey: .text)
        html = try container.decodeIfPresent(String.self, forKey: .html)
    }

    private static func metadata(
        _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
    ) throws -> String? {
        guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
        if let string = try? container.decode(String.self, forKey: key) { return string }
        if let integer = try? container.decode(Int.self, forKey: key) { return String(integer) }
        if let number = try? container.decode(Double.self, forKey: key) { return String(number) }
        if let flag = try? container.decode(Bool.self, forKey: key) { return String(flag) }
        throw DecodingError.typeMismatch(String.self, .init(
            codingPath: [key], debugDescription: "\"\(key.stringValue)\" must be a string, a number or null"))
    }

    /// A short reason for a decoding failure, for a person reading the summary.
    static func explain(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context):
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            if field.isEmpty { return "not a JSON object" }
            return "field \"\(field)\": \(context.debugDescription)"
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError as NSError?,
               let detail = underlying.userInfo[NSDebugDescriptionErrorKey] as? String {
                return detail
            }
            return context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}
