import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct HTTPReply {
    var status: Int
    var contentType: String
    var body: String
}

/// One GET over a real connection, without a cache.
func httpGet(_ url: String) async throws -> HTTPReply {
    guard let target = URL(string: url) else { throw WebTestFailure("not a URL: \(url)") }
    let session = URLSession(configuration: .ephemeral)
    defer { session.finishTasksAndInvalidate() }
    let (data, response) = try await session.data(from: target)
    guard let http = response as? HTTPURLResponse else { throw WebTestFailure("no HTTP response from \(url)") }
    return HTTPReply(
        status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type") ?? "",
        body: String(decoding: data, as: UTF8.self))
}

/// The first `href` in `html` that starts with `prefix`, unescaped (`&amp;` back to `&`).
func firstLink(_ html: String, startingWith prefix: String) -> String? {
    guard let start = html.range(of: "href=\"\(prefix)") else { return nil }
    let rest = html[html.index(start.lowerBound, offsetBy: 6)...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return rest[..<end].replacingOccurrences(of: "&amp;", with: "&")
}
