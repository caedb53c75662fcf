/// A value given for a key, as written, with where it was given.
public struct ConfigurationValue: Sendable, Hashable {
    public var text: String
    /// The file (or `environment`) and line; line 0 for the environment.
    public var source: String
    public var line: Int
    public var column: Int

    public init(text: String, source: String, line: Int = 0, column: Int = 0) {
        self.text = text
        self.source = source
        self.line = line
        self.column = column
    }
}

extension ConfigurationValueKind {
    /// What is wrong with `text` for this kind; nil when it is fine.
    public func problem(_ text: String) -> String? {
        switch self {
        case .text, .path:
            return nil
        case .endpoint:
            if text.isEmpty { return nil }
            for scheme in ["tcp://", "ipc://", "inproc://"] where text.hasPrefix(scheme) {
                guard scheme == "tcp://" else { return nil }
                let rest = text.dropFirst(scheme.count)
                guard let colon = rest.lastIndex(of: ":"), !rest[..<colon].isEmpty else {
                    return "'\(text)' is not tcp://HOST:PORT"
                }
                let port = rest[rest.index(after: colon)...]
                if port == "*" || Int(port).map({ (0...65_535).contains($0) }) == true { return nil }
                return "the port of '\(text)' is not 0...65535 or *"
            }
            return "'\(text)' is not an endpoint (tcp://HOST:PORT)"
        case .address:
            if text.isEmpty { return nil }
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].isEmpty,
                  let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
                return "'\(text)' is not HOST:PORT with PORT 0...65535"
            }
            return nil
        case .integer(let range):
            guard let value = Int(text) else { return "'\(text)' is not a whole number" }
            return range.contains(value) ? nil : "\(value) is not in \(range.lowerBound)...\(range.upperBound)"
        case .seconds:
            guard let seconds = Self.seconds(text) else {
                return "'\(text)' is not a duration (a number of seconds, or 500ms, 30s, 5m, 2h, 1d)"
            }
            return seconds > 0 && seconds <= 86_400 * 365 ? nil : "'\(text)' must be above 0 and at most a year"
        case .duration:
            guard let seconds = Self.seconds(text), text.last?.isLetter == true else {
                return "'\(text)' is not a duration with a unit (90s, 30m, 24h, 7d)"
            }
            return seconds > 0 ? nil : "'\(text)' must be above 0"
        case .boolean:
            return ["true", "false"].contains(text) ? nil : "'\(text)' is not true or false"
        case .choice(let words):
            return words.contains(text) ? nil : "'\(text)' is not one of \(words.joined(separator: ", "))"
        }
    }

    /// Seconds in `text`: a plain number, or a number with ms, s, m, h or d.
    public static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            let number = text.dropLast(unit.count)
            if unit == "s", number.hasSuffix("m") { continue }
            guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
            return value * scale
        }
        guard let value = Double(text), value.isFinite, value >= 0 else { return nil }
        return value
    }
}
