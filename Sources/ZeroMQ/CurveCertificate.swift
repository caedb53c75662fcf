/// A CURVE key pair or public key in ZeroMQ's certificate text format (CZMQ's `zcert`, written in ZPL, RFC 4):
/// a `metadata` section of name/value pairs and a `curve` section with `public-key` and, in a secret
/// certificate, `secret-key`, both Z85.
///
/// ```
/// #   ZeroMQ CURVE Public Certificate
/// metadata
///     name = "worker-1"
///     role = "worker"
/// curve
///     public-key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
/// ```
///
/// Invariant: `publicKey` (and `secretKey` when present) are 40 Z85 characters; a parsed secret key's public key is
/// the one `CurveKeys.publicKey(fromSecret:)` derives (checked when parsing).
public struct CurveCertificate: Sendable, Hashable {
    public var publicKey: String
    /// Nil in a public certificate.
    public var secretKey: String?
    /// Name/value pairs of the `metadata` section, in order.
    public var metadata: [(name: String, value: String)]

    public init(publicKey: String, secretKey: String? = nil, metadata: [(name: String, value: String)] = []) {
        self.publicKey = publicKey
        self.secretKey = secretKey
        self.metadata = metadata
    }

    /// A fresh key pair with `metadata`.
    public static func generate(metadata: [(name: String, value: String)] = []) throws -> CurveCertificate {
        let pair = try CurveKeys.generate()
        return CurveCertificate(publicKey: pair.publicKey, secretKey: pair.secretKey, metadata: metadata)
    }

    /// The value of a metadata name, nil when absent.
    public func metadata(_ name: String) -> String? { metadata.first { $0.name == name }?.value }

    /// This certificate without its secret key: what is given to peers.
    public var publicOnly: CurveCertificate {
        CurveCertificate(publicKey: publicKey, metadata: metadata)
    }

    /// The certificate's text; a secret certificate when it holds a secret key.
    public var text: String {
        var lines: [String] = []
        if secretKey == nil {
            lines += [
                "#   ZeroMQ CURVE Public Certificate",
                "#   Exchange securely, or use a secure mechanism to verify the contents",
                "#   of this file after exchange.",
            ]
        } else {
            lines += [
                "#   ZeroMQ CURVE **Secret** Certificate",
                "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.",
            ]
        }
        lines += ["", "metadata"]
        lines += metadata.map { "    \($0.name) = \"\(Self.escaped($0.value))\"" }
        lines += ["curve", "    public-key = \"\(publicKey)\""]
        if let secretKey { lines.append("    secret-key = \"\(secretKey)\"") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads a certificate's text. Throws ``CurveCertificateError`` naming the line or key that is wrong.
    public init(text: String) throws(CurveCertificateError) {
        var section = ""
        var metadata: [(name: String, value: String)] = []
        var publicKey: String?
        var secretKey: String?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let indented = trimmed.count != line.count
            guard indented else {
                section = String(trimmed.prefix { $0 != " " && $0 != "=" })
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw .badLine(index + 1, String(line))
            }
            let name = trimmed[..<equals].trimmingSpaces
            var value = trimmed[trimmed.index(after: equals)...].trimmingSpaces
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            switch (section, name) {
            case ("curve", "public-key"): publicKey = value
            case ("curve", "secret-key"): secretKey = value
            case ("metadata", _): metadata.append((name, value))
            default: break
            }
        }
        guard let publicKey else { throw .missingPublicKey }
        guard publicKey.utf8.count == 40, (try? Z85.decode(publicKey)) != nil else { throw .badKey("public-key") }
        if let secretKey {
            guard secretKey.utf8.count == 40, let derived = try? CurveKeys.publicKey(fromSecret: secretKey) else {
                throw .badKey("secret-key")
            }
            guard derived == publicKey else { throw .keysDoNotMatch }
        }
        self.init(publicKey: publicKey, secretKey: secretKey, metadata: metadata)
    }

    private static func escaped(_ value: String) -> String {
        String(value.filter { $0 != "\"" && !$0.isNewline })
    }

    public static func == (lhs: CurveCertificate, rhs: CurveCertificate) -> Bool {
        lhs.publicKey == rhs.publicKey && lhs.secretKey == rhs.secretKey
            && lhs.metadata.map(\.name) == rhs.metadata.map(\.name) && lhs.metadata.map(\.value) == rhs.metadata.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(publicKey)
        hasher.combine(secretKey)
    }
}

/// Why a certificate's text could not be read.
public enum CurveCertificateError: Error, Sendable, Hashable, CustomStringConvertible {
    case badLine(Int, String)
    case missingPublicKey
    case badKey(String)
    case keysDoNotMatch

    public var description: String {
        switch self {
        case .badLine(let number, let line): "line \(number) is not `name = value`: \(line)"
        case .missingPublicKey: "no curve/public-key"
        case .badKey(let name): "curve/\(name) is not 40 Z85 characters"
        case .keysDoNotMatch: "curve/public-key is not the public key of curve/secret-key"
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
