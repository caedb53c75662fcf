/// A kind of thing a peer did that a service dropped, refused or cut short: the keys of the per-kind counts that
/// `status` reports (`StatusReply.peer_problems`). A new kind is a new constant here, never a new wire field.
///
/// Kinds are named by the code, never by a peer, so the set of keys (and of log throttles keyed by them) is small.
public struct PeerProblem: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// Not a protocol message (section 3.1): wrong framing, unknown command, a body that does not decode.
    public static let malformed = PeerProblem(rawValue: "malformed")
    /// More frames than any protocol message has: drained frame by frame and dropped.
    public static let tooManyFrames = PeerProblem(rawValue: "too_many_frames")
    /// More bytes than any protocol message has: drained frame by frame and dropped.
    public static let tooManyBytes = PeerProblem(rawValue: "too_many_bytes")
    /// A well-formed message refused with ERROR (a command the sender's role may not send, a broken rule).
    public static let refused = PeerProblem(rawValue: "refused")
    /// A peer whose queue was full when something was sent to it (it does not read): cut off, the message dropped.
    public static let cutOff = PeerProblem(rawValue: "cut_off")
    /// A message from a peer while it was cut off: dropped unread.
    public static let droppedWhileCutOff = PeerProblem(rawValue: "dropped_while_cut_off")

    public var description: String { rawValue }

    public static func < (lhs: PeerProblem, rhs: PeerProblem) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Kinds that make a message malformed in the sense of STATUS_REPLY `malformed_messages`.
    public static let malformedKinds: Set<PeerProblem> = [.malformed, .tooManyFrames, .tooManyBytes]
}

/// How many of each `PeerProblem` a service has seen since it started.
public struct PeerProblemCounts: Sendable, Hashable {
    public private(set) var counts: [PeerProblem: UInt64] = [:]

    public init() {}

    public subscript(_ kind: PeerProblem) -> UInt64 { counts[kind] ?? 0 }

    public mutating func add(_ kind: PeerProblem, _ count: UInt64 = 1) {
        counts[kind, default: 0] &+= count
    }

    /// The sum over `kinds`.
    public func total(of kinds: Set<PeerProblem>) -> UInt64 {
        kinds.reduce(0) { $0 &+ self[$1] }
    }

    /// As sent in STATUS_REPLY `peer_problems`: kind name to count, kinds never seen left out.
    public var wire: [String: UInt64] {
        Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })
    }
}
