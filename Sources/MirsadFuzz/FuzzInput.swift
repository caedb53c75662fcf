/// How the fuzz target reads its input: a sequence of messages, each
///
///     frame count (1 octet, 1 + value % 6), sender (1 octet, one of 4 routing ids),
///     then per frame: length (2 octets, big endian, cut to what is left) and that many octets.
///
/// Coverage-guided mutation of such inputs explores message sequences from several peers (a HELLO, then DONE from
/// the same peer, ...), not only single messages. `encode` writes the same form, for the seed corpus.
struct FuzzInput {
    struct Message: Equatable {
        var sender: UInt8
        var frames: [[UInt8]]
    }

    static func messages(_ bytes: UnsafeRawBufferPointer) -> [Message] {
        var messages: [Message] = []
        var at = 0
        func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard at < bytes.count else { return nil }
            let end = min(bytes.count, at + count)
            defer { at = end }
            return ArraySlice(bytes[at..<end])
        }
        while messages.count < 64, let header = take(2), header.count == 2 {
            let frameCount = 1 + Int(header[header.startIndex]) % 6
            var frames: [[UInt8]] = []
            for _ in 0..<frameCount {
                guard let length = take(2), length.count == 2 else { break }
                let size = Int(length[length.startIndex]) << 8 | Int(length[length.startIndex + 1])
                frames.append(Array(take(size) ?? []))
            }
            messages.append(Message(sender: header[header.startIndex + 1] % 4, frames: frames))
        }
        return messages
    }

    static func encode(_ messages: [Message]) -> [UInt8] {
        var bytes: [UInt8] = []
        for message in messages {
            bytes += [UInt8(max(message.frames.count - 1, 0)), message.sender]
            for frame in message.frames {
                let size = min(frame.count, 0xFFFF)
                bytes += [UInt8(size >> 8), UInt8(size & 0xFF)] + frame.prefix(size)
            }
        }
        return bytes
    }
}
