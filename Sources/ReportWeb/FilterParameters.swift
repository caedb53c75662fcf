import Foundation
import ReportStore

/// The query parameters a served page reads, under the names of `mirsad report`'s options: `since`, `until`
/// (`YYYY-MM-DD`, UTC, `until` exclusive), `source`, `entity`, `topic`, `story` (a number), `language`, `limit`
/// (1...500) and, on an entity page, `type`. An empty value is the same as none (what an empty form field sends).
struct FilterParameters {
    private var values: [String: String] = [:]

    /// Reads an `application/x-www-form-urlencoded` query: `+` is a space, `%XX` a UTF-8 byte. A repeated name
    /// keeps its first value.
    init(query: String?) {
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), values[name] == nil else { continue }
            let value = parts.count > 1 ? Self.decode(parts[1]) ?? "" : ""
            if !value.isEmpty { values[name] = value }
        }
    }

    subscript(name: String) -> String? { values[name] }

    /// The filter, or `PageError.badParameter` naming the first parameter whose value is not valid.
    func filter() throws -> ReportFilter {
        var f = ReportFilter()
        f.since = try day("since")
        f.until = try day("until")
        if let since = f.since, let until = f.until, since >= until {
            throw PageError.badParameter("until", "must be after since (\(values["since"]!)), got \(values["until"]!)")
        }
        f.source = values["source"]
        f.entity = values["entity"]
        f.topic = values["topic"]
        if let story = values["story"] {
            guard let id = Int64(story), id > 0 else { throw PageError.badParameter("story", "must be a story number, got \(story)") }
            f.story = id
        }
        if let language = values["language"] {
            guard (2...3).contains(language.count), language.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw PageError.badParameter("language", "must be an ISO 639-1 code such as ar, en or fr, got \(language)")
            }
            f.language = language.lowercased()
        }
        return f
    }

    /// Rows per list, 20 unless given.
    func limit() throws -> Int {
        guard let text = values["limit"] else { return 20 }
        guard let n = Int(text), (1...Self.maximumLimit).contains(n) else {
            throw PageError.badParameter("limit", "must be a number from 1 to \(Self.maximumLimit), got \(text)")
        }
        return n
    }

    static let maximumLimit = 500

    private func day(_ name: String) throws -> Date? {
        guard let text = values[name] else { return nil }
        guard let date = ReportFilter.day(text) else { throw PageError.badParameter(name, "must be a date YYYY-MM-DD, got \(text)") }
        return date
    }


    static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
