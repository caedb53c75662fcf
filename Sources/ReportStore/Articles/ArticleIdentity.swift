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
    ///
    /// Invariant: equal to `characterTextHash` (the definition stores were written with) for every string. It walks
    /// scalars instead of `Character`s, a fifth of the cost; the two differ only where a grapheme cluster joins
    /// white space to a neighbour (a mark after a space, a prepended sign before one), and such text is hashed by
    /// the definition itself.
    public static func textHash(_ normalizedText: String) -> UInt64 {
        var hash = StableHash.fnv1a64Basis
        var spacePending = false
        var wroteAny = false
        var afterJoinableSpace = false
        var previous: Unicode.Scalar?
        for scalar in normalizedText.unicodeScalars {
            if isWhiteSpace(scalar) {
                if let previous, mayPrepend(previous) { return characterTextHash(normalizedText) }
                spacePending = wroteAny
                afterJoinableSpace = !scalar.properties.generalCategory.isControlOrSeparatorBreak
            } else {
                if afterJoinableSpace, mayExtend(scalar) { return characterTextHash(normalizedText) }
                if spacePending {
                    hash = StableHash.fnv1a64(bytes: CollectionOfOne(UInt8(ascii: " ")), seed: hash)
                    spacePending = false
                }
                hash = StableHash.fnv1a64(bytes: UTF8.encode(scalar)!, seed: hash)
                wroteAny = true
                afterJoinableSpace = false
            }
            previous = scalar
        }
        return hash
    }

    /// The definition of `textHash`, over `Character`s.
    static func characterTextHash(_ normalizedText: String) -> UInt64 {
        StableHash.fnv1a64(normalizedText.split(whereSeparator: \.isWhitespace).joined(separator: " "))
    }

    /// Whether `scalar` may join the white space before it into one grapheme cluster (Grapheme_Cluster_Break
    /// Extend, SpacingMark or ZWJ, over-approximated: every mark, format and modifier character).
    private static func mayExtend(_ scalar: Unicode.Scalar) -> Bool {
        guard !scalar.isASCII, !isArabicLetter(scalar) else { return false }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .format, .modifierLetter, .modifierSymbol: return true
        default: return (0x1F3FB...0x1F3FF).contains(scalar.value) || (0xE0000...0xE0FFF).contains(scalar.value)
        }
    }

    /// Whether `scalar` may join the white space after it into one grapheme cluster (Grapheme_Cluster_Break
    /// Prepend: format characters, and the few letters Unicode lists).
    private static func mayPrepend(_ scalar: Unicode.Scalar) -> Bool {
        guard !scalar.isASCII, !isArabicLetter(scalar) else { return false }
        if scalar.properties.generalCategory == .format { return true }
        switch scalar.value {
        case 0x0D4E, 0x111C2, 0x111C3, 0x1193F, 0x11941, 0x11A3A, 0x11A84...0x11A89, 0x11D46, 0x11F02: return true
        default: return false
        }
    }
}

extension ArticleIdentity {
    /// Unicode's White_Space property, written out: the same 25 code points as `properties.isWhitespace` (a
    /// property lookup per scalar, most of the hash's cost on Arabic text); the set has not changed since
    /// Unicode 6.3.
    static func isWhiteSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// The Arabic block's letters (general category Lo), without the tatweel (U+0640, a modifier letter): no
    /// mark, format or prepended character among them.
    private static func isArabicLetter(_ scalar: Unicode.Scalar) -> Bool {
        (0x0621...0x063F).contains(scalar.value) || (0x0641...0x064A).contains(scalar.value)
    }
}

extension Unicode.GeneralCategory {
    /// Controls (tab, line feed, ...) and the line and paragraph separators end a grapheme cluster whatever
    /// follows; other white space (space, no-break space, ...) does not.
    fileprivate var isControlOrSeparatorBreak: Bool {
        self == .control || self == .lineSeparator || self == .paragraphSeparator
    }
}
