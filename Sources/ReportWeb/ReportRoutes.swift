import ArticleAnalysis
import Foundation
import Hummingbird
import ReportStore
import ReportViews

/// The served pages: the same `ReportPages` as the static report, linked to one another (`links`).
///
/// | path | page |
/// |---|---|
/// | `/` | the overview, narrowed by the filter parameters (`FilterParameters`), with the live status |
/// | `/entity/KEY?type=TYPE` | an entity, its articles (filters apply) |
/// | `/story/ID` | a story and its articles |
/// | `/article/ID` | an article's full analysis (its input id, identity key or URL, percent-encoded) |
/// | `/status` | the cluster's live status and the store's counts |
///
/// An unknown id or path is a 404 page, a bad parameter value a 400 page naming the parameter.
struct ReportRoutes: Sendable {
    let reads: StoreReads
    let status: ClusterStatusProbe

    /// Pages are served from the root.
    static let links = ReportLinks(base: "")

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { request, _ in try await overview(request) }
        router.get("/entity/**") { request, _ in try await entity(request) }
        router.get("/story/{id}") { request, context in try await story(context.parameters.require("id")) }
        router.get("/article/**") { request, _ in try await article(request) }
        router.get("/status") { _, _ in try await statusPage() }
        // Browsers ask for it unprompted; a 404 would show as an error in their console.
        router.get("/favicon.ico") { _, _ in Response(status: .noContent) }
        router.get("**") { request, _ -> Response in
            throw PageError(status: .notFound, title: "No such page", message: "There is no page at \(request.uri.path).")
        }
    }

    func overview(_ request: Request) async throws -> Response {
        let parameters = FilterParameters(query: request.uri.query)
        let filter = try parameters.filter()
        let limit = try parameters.limit()
        async let live = status.current()
        let overview = try await reads.run { try $0.overview(filter, limit: limit) }
        return HTMLResponse.page(ReportPages.overview(overview, links: Self.links, status: await live))
    }

    func entity(_ request: Request) async throws -> Response {
        let key = try Self.remainder(of: request.uri.path, after: "/entity/", naming: "entity key")
        let parameters = FilterParameters(query: request.uri.query)
        let filter = try parameters.filter()
        let type = try parameters["type"].map { text in
            guard let t = EntityType(rawValue: text) else {
                throw PageError.badParameter("type", "must be PERS, ORG, LOC or MISC, got \(text)")
            }
            return t
        }
        guard let page = try await reads.run({ try $0.entity(key: key, type: type, filter: filter) }) else {
            throw PageError.unknown("entity", key)
        }
        return HTMLResponse.page(ReportPages.entity(page, filter: filter, links: Self.links))
    }

    func story(_ text: String) async throws -> Response {
        guard let id = Int64(text) else { throw PageError.badParameter("story id", "must be a story number, got \(text)") }
        guard let page = try await reads.run({ try $0.story(id: id) }) else { throw PageError.unknown("story", text) }
        return HTMLResponse.page(ReportPages.story(page, links: Self.links))
    }

    func article(_ request: Request) async throws -> Response {
        let id = try Self.remainder(of: request.uri.path, after: "/article/", naming: "article id")
        guard let page = try await reads.run({ try $0.article(id: id) }) else { throw PageError.unknown("article", id) }
        return HTMLResponse.page(ReportPages.article(page, links: Self.links))
    }

    func statusPage() async throws -> Response {
        async let live = status.current()
        let summary = try await reads.run { try $0.summary(ReportFilter()) }
        return HTMLResponse.page(ReportPages.status(await live, summary: summary, links: Self.links))
    }

    /// The percent-decoded rest of `path` after `prefix`, slashes included (ids and keys may hold `/`, sent as `%2F`).
    static func remainder(of path: String, after prefix: String, naming name: String) throws -> String {
        guard path.hasPrefix(prefix), let decoded = String(path.dropFirst(prefix.count)).removingPercentEncoding,
              !decoded.isEmpty else {
            throw PageError.badParameter(name, "must be percent-encoded UTF-8, got \(path.dropFirst(prefix.count))")
        }
        return decoded
    }
}
