import MirsadWire

/// Text a peer chose (ids, reasons, error messages, routing ids), made safe to put in a log line: it can neither
/// start a new line, nor hide or reorder text (control and format characters), nor fill the log (it is cut).
public enum PeerText {
    /// The most characters of one peer-supplied string put in a log line.
    public static let maxCharacters = 200

    /// `text` with every control, format and line/paragraph separator character written as `\u{XX}`, backslashes
    /// doubled, and cut to `limit` characters (the cut marked with the number of characters left out).
    public static func escaped(_ text: some StringProtocol, limit: Int = maxCharacters) -> String {
        var out = ""
        var kept = 0
        var total = 0
        for character in text {
            total += 1
            guard kept < limit else { continue }
            kept += 1
            for scalar in character.unicodeScalars {
                if scalar == "\\" {
                    out += "\\\\"
                } else if needsEscape(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        if total > kept { out += "...(\(total - kept) more characters)" }
        return out
    }

    /// A routing id for the log: as text when it is printable UTF-8 (cut like any peer text), else as zero-padded
    /// hex, so two different ids never read the same; "unknown peer" for none.
    public static func routingID(_ peer: RoutingID?) -> String {
        guard let peer else { return "unknown peer" }
        if let text = String(validating: peer, as: UTF8.self),
           !text.unicodeScalars.contains(where: { needsEscape($0) || $0 == "\\" }) {
            return escaped(text)
        }
        return peer.prefix(64).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            + (peer.count > 64 ? "...(\(peer.count - 64) more bytes)" : "")
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: true
        default: false
        }
    }
}
