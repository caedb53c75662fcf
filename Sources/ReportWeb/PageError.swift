import Hummingbird
import ReportViews

/// A request the pages cannot answer, answered with an HTML page that says why (`ReportPages.problem`).
struct PageError: HTTPResponseError {
    let status: HTTPResponse.Status
    let title: String
    let message: String

    /// 400 naming the query parameter (or path part) whose value is wrong.
    static func badParameter(_ name: String, _ problem: String) -> PageError {
        PageError(status: .badRequest, title: "Bad parameter: \(name)", message: "The parameter \(name) \(problem).")
    }

    /// 404 for an id or key the store does not hold.
    static func unknown(_ what: String, _ id: String) -> PageError {
        PageError(status: .notFound, title: "No such \(what)", message: "The report store holds no \(what) \(id).")
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        HTMLResponse.page(ReportPages.problem(title: title, message: message, links: ReportRoutes.links), status: status)
    }
}

enum HTMLResponse {
    static func page(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
