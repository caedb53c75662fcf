import SwiftProtobuf

/// One `Result` already encoded, so a worker encodes it once (on the thread that analysed it), knows its exact
/// size when it packs RESULTS messages under the frame limit, and resends the same bytes.
public struct EncodedResult: Sendable, Hashable {
    public let jobID: String
    /// The protobuf encoding of a `Mirsad_V1_Result`.
    public let bytes: [UInt8]

    public init(_ result: Mirsad_V1_Result) throws {
        jobID = result.jobID
        bytes = try result.serializedBytes()
    }

    /// The size this result adds inside a RESULTS body: its bytes plus the field tag and length prefix.
    public var sizeInMessage: Int { bytes.count + 1 + Self.varintSize(bytes.count) }

    /// A RESULTS message carrying `results` (field 1, repeated) and `worker_idle` (field 2, revision 6), byte for
    /// byte what encoding the decoded message again would give.
    public static func resultsMessage(_ results: some Collection<EncodedResult>, workerIdle: Bool = false) -> [[UInt8]] {
        var body: [UInt8] = []
        body.reserveCapacity(results.reduce(0) { $0 + $1.sizeInMessage } + 2)
        for result in results {
            body.append(0x0A)  // field 1, length-delimited
            var length = UInt64(result.bytes.count)
            while length >= 0x80 {
                body.append(UInt8(length & 0x7F) | 0x80)
                length >>= 7
            }
            body.append(UInt8(length))
            body.append(contentsOf: result.bytes)
        }
        if workerIdle { body += [0x10, 0x01] }  // field 2, varint: true
        return [FrameCodec.protocolID, [Command.results.rawValue], body]
    }

    static func varintSize(_ value: Int) -> Int {
        var v = UInt64(value), n = 1
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
    }
}
