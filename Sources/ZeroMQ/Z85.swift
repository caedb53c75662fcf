import CZeroMQ

/// Z85 (ZeroMQ RFC 32) text encoding of binary keys, as used for CURVE keys.
public enum Z85 {
    /// Encodes bytes whose count is a multiple of 4 (a 32-byte key gives 40 characters).
    public static func encode(_ bytes: [UInt8]) throws -> String {
        guard bytes.count % 4 == 0 else {
            throw ZMQError(code: EINVAL, call: "zmq_z85_encode: \(bytes.count) bytes is not a multiple of 4")
        }
        var text = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        guard zmq_z85_encode(&text, bytes, bytes.count) != nil else {
            throw ZMQError(code: zmq_errno(), call: "zmq_z85_encode")
        }
        return String(decoding: text.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes Z85 text whose length is a multiple of 5; throws `EINVAL` on other lengths or characters.
    public static func decode(_ text: String) throws -> [UInt8] {
        let length = text.utf8.count
        guard length % 5 == 0 else {
            throw ZMQError(code: EINVAL, call: "zmq_z85_decode: \(length) characters is not a multiple of 5")
        }
        var bytes = [UInt8](repeating: 0, count: length / 5 * 4)
        guard zmq_z85_decode(&bytes, text) != nil else {
            throw ZMQError(code: EINVAL, call: "zmq_z85_decode: not Z85 text")
        }
        return bytes
    }
}
