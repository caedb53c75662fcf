import CZeroMQ

/// CURVE (Curve25519) long-term key pairs in Z85 text form (40 characters each).
public enum CurveKeys {
    /// A fresh key pair. Throws `ENOTSUP` when libzmq was built without CURVE.
    public static func generate() throws -> (publicKey: String, secretKey: String) {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        try libzmqChecked("zmq_curve_keypair") { zmq_curve_keypair(&publicKey, &secretKey) }
        return (decodeZ85Buffer(publicKey), decodeZ85Buffer(secretKey))
    }

    /// The public key belonging to a Z85 secret key. Throws `EINVAL` when `secret` is not 40 Z85 characters.
    public static func publicKey(fromSecret secret: String) throws -> String {
        guard secret.utf8.count == 40 else {
            throw ZMQError(code: EINVAL, call: "zmq_curve_public: a Z85 secret key has 40 characters, not \(secret.utf8.count)")
        }
        var publicKey = [CChar](repeating: 0, count: 41)
        try libzmqChecked("zmq_curve_public") { zmq_curve_public(&publicKey, secret) }
        return decodeZ85Buffer(publicKey)
    }

    private static func decodeZ85Buffer(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
