import Foundation

/// Where a page links an entity, a story or an article to. A static report has no other pages (`none`): names are
/// shown without links. A server passes its base path and serves `entity/KEY?type=TYPE`, `story/ID`, `article/ID`.
public struct ReportLinks: Sendable, Hashable {
    public var base: String?

    public init(base: String?) { self.base = base }

    public static let none = ReportLinks(base: nil)

    func entity(key: String, type: String) -> String? {
        base.map { "\($0)/entity/\(component(key))?type=\(component(type))" }
    }

    func story(_ id: Int64) -> String? { base.map { "\($0)/story/\(id)" } }

    func article(_ id: String) -> String? { base.map { "\($0)/article/\(component(id))" } }

    /// `html` as a link to `href`, or as it is without one.
    static func link(_ href: String?, _ html: String) -> String {
        guard let href else { return html }
        return "<a href=\"\(HTMLDocument.escape(href))\">\(html)</a>"
    }

    private func component(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? text
    }
}
