import Foundation
import ReportStore

/// Where a page links an entity, a story, an article or a filtered view to: the one thing static and served pages
/// do differently.
///
/// A static report is one file with no other pages (`none`): names are shown without links and nothing offers a
/// filter. A server passes its base path (`""` at the root) and serves `/`, `/entity/KEY?type=TYPE`,
/// `/story/ID`, `/article/ID`, `/status`, with the filters as query parameters (`FilterParameters` in
/// `ReportWeb` reads the same names this writes).
public struct ReportLinks: Sendable, Hashable {
    public var base: String?

    public init(base: String?) { self.base = base }

    public static let none = ReportLinks(base: nil)

    /// Whether the pages are served (they link to one another, offer the filter form and the live status).
    public var isServed: Bool { base != nil }

    func entity(key: String, type: String) -> String? {
        base.map { "\($0)/entity/\(component(key))?type=\(component(type))" }
    }

    func story(_ id: Int64) -> String? { base.map { "\($0)/story/\(id)" } }

    func article(_ id: String) -> String? { base.map { "\($0)/article/\(component(id))" } }

    var home: String? { base.map { "\($0)/" } }

    var status: String? { base.map { "\($0)/status" } }

    /// The overview narrowed to `filter`.
    func overview(_ filter: ReportFilter) -> String? {
        guard let base else { return nil }
        let query = Self.parameters(filter).map { "\($0.name)=\(component($0.value))" }.joined(separator: "&")
        return query.isEmpty ? "\(base)/" : "\(base)/?\(query)"
    }

    /// The filter's query parameters, in the order the form shows them; names are those of `mirsad report`'s options.
    static func parameters(_ f: ReportFilter) -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        if let v = f.since { out.append(("since", ReportPages.filterDay(v))) }
        if let v = f.until { out.append(("until", ReportPages.filterDay(v))) }
        if let v = f.source { out.append(("source", v)) }
        if let v = f.entity { out.append(("entity", v)) }
        if let v = f.topic { out.append(("topic", v)) }
        if let v = f.story { out.append(("story", "\(v)")) }
        if let v = f.language { out.append(("language", v)) }
        return out
    }

    /// `html` as a link to `href`, or as it is without one.
    static func link(_ href: String?, _ html: String) -> String {
        guard let href else { return html }
        return "<a href=\"\(HTMLDocument.escape(href))\">\(html)</a>"
    }

    /// Everything but ASCII letters, digits and `-_.~` percent-encoded (UTF-8), so `/`, `?`, `&`, `+` and Arabic
    /// letters in keys and ids survive the round trip.
    private func component(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? text
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
}
