import ArticleAnalysis
import Foundation

/// What makes two results the same article, whatever job brought them.
///
/// The key is, in order of preference:
/// - `id:` + the input's own id, when the input gave one (an id the reader made up from a file path or a
///   `FILE:LINE` position is not the input's own: the same article read from another path must still match);
/// - `url:` + the normalised URL (`normalizedURL`);
/// - `text:` + a 64-bit hash of the analysis's normalised text, white space collapsed.
///
/// Invariant: the key depends only on the article's metadata and text, never on the job, batch or time, so
/// resubmitting a file gives every article the key it had.
public enum ArticleIdentity {
    /// The key of an article with `metadata` whose normalised text is `normalizedText`.
    public static func key(metadata: ArticleMetadata, normalizedText: String) -> String {
        if isInputID(metadata.id) { return "id:" + metadata.id }
        if let url = metadata.url.flatMap(normalizedURL) { return "url:" + url }
        return "text:" + String(textHash(normalizedText), radix: 16)
    }

    /// Whether `id` came with the input rather than from the reader (`ArticleReader`: a `.txt`/`.html` path,
    /// `FILE.jsonl:LINE`, or standard input's name).
    public static func isInputID(_ id: String) -> Bool {
        let trimmed = id.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || trimmed.hasPrefix("<stdin>") { return false }
        let lower = trimmed.lowercased()
        for suffix in [".txt", ".html", ".htm"] where lower.hasSuffix(suffix) { return false }
        if let colon = lower.lastIndex(of: ":") {
            let file = lower[..<colon]
            let line = lower[lower.index(after: colon)...]
            if !line.isEmpty, line.allSatisfy(\.isASCII), line.allSatisfy(\.isNumber),
               file.hasSuffix(".jsonl") || file.hasSuffix(".jsonl.gz") || file.hasSuffix(".json") {
                return false
            }
        }
        return true
    }

    /// The URL with its scheme and host lower-cased, `www.` and default ports dropped, no fragment, no
    /// tracking parameters (`utm_*`, `fbclid`, `gclid`), the remaining parameters sorted and no trailing `/`;
    /// http and https are the same. Nil when `text` is not an absolute URL with a host.
    public static func normalizedURL(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard var parts = URLComponents(string: trimmed), let rawHost = parts.host, !rawHost.isEmpty,
              let scheme = parts.scheme?.lowercased(), scheme == "http" || scheme == "https" else { return nil }
        var host = rawHost.lowercased()
        if host.hasPrefix("www.") { host.removeFirst(4) }
        parts.fragment = nil
        let kept = (parts.queryItems ?? []).filter { item in
            let name = item.name.lowercased()
            return !name.hasPrefix("utm_") && name != "fbclid" && name != "gclid"
        }.sorted { ($0.name, $0.value ?? "") < ($1.name, $1.value ?? "") }
        var path = parts.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        var result = host
        if let port = parts.port, port != 80, port != 443 { result += ":\(port)" }
        result += path
        if !kept.isEmpty {
            let pairs: [String] = kept.map { item in
                guard let value = item.value else { return item.name }
                return item.name + "=" + value
            }
            result += "?" + pairs.joined(separator: "&")
        }
        return result
    }

    /// FNV-1a of the text with runs of white space made one space and the ends trimmed.
    public static func textHash(_ normalizedText: String) -> UInt64 {
        StableHash.fnv1a64(normalizedText.split(whereSeparator: \.isWhitespace).joined(separator: " "))
    }
}
