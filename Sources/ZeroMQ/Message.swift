/// One frame of a message: its bytes, copied out of / into libzmq.
public typealias Frame = [UInt8]

/// One whole multipart message. ZeroMQ delivers a multipart message atomically: all of its frames or none.
public struct Message: Sendable, Equatable {
    /// The frames in order. A message sent must have at least one frame; frames may be empty.
    public var frames: [Frame]
    /// The ZAP `User-Id` of the connection the message arrived on: what the ZAP handler answered for the
    /// peer's credentials. `nil` when there is none (no ZAP handler, or an empty user id) and ignored on send.
    public var userID: String?

    public init(_ frames: [Frame]) {
        self.frames = frames
        self.userID = nil
    }

    public init(_ frames: [Frame], userID: String?) {
        self.frames = frames
        self.userID = userID
    }
}
