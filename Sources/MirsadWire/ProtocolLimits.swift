/// The limits of wire protocol v1, stated in `Protocols/mirsad-protocol.md` ("Limits").
///
/// Every service enforces them on what it receives and respects them in what it sends. A change here is a change of
/// the protocol text as well.
public enum ProtocolLimits {
    /// Frames in a message as a DEALER sees it: protocol id, command, body.
    public static let framesPerMessage = 3
    /// Frames in a message as a ROUTER sees it: the routing id, then the three above.
    public static let framesPerRoutedMessage = framesPerMessage + 1
    /// The largest frame any service accepts (set as `ZMQ_MAXMSGSIZE` on every socket): 32 MiB.
    public static let maxFrameBytes = 32 * 1024 * 1024
    /// The largest article body (text or HTML, UTF-8 bytes): 4 MiB.
    public static let maxArticleBytes = 4 * 1024 * 1024
    /// The most jobs in one SUBMIT or JOBS message, and the most results in one RESULTS message.
    public static let maxJobsPerMessage = 256
    /// The most job ids in one DONE, STORED, STORED_ACK or RESULTS_ACK message.
    public static let maxIDsPerMessage = 4096
    /// The largest credit a worker may announce in HELLO.
    public static let maxCredit = 1024
    /// The longest identifier (request, batch, job, worker, article id), in UTF-8 bytes.
    public static let maxIdentifierBytes = 256
    /// The longest routing id a ROUTER assigns or a peer may set (libzmq's own limit is 255).
    public static let maxRoutingIDBytes = 255
}

/// Time settings of wire protocol v1 and their defaults.
public enum ProtocolTiming {
    /// How often a peer sends HEARTBEAT when it has sent nothing else: 1 s.
    public static let defaultHeartbeatInterval: Duration = .seconds(1)
    /// A peer silent for this long is dead: 5 heartbeat intervals.
    public static let defaultLivenessTimeout: Duration = .seconds(5)
    /// How long a job stays with a worker that does not list it in its HEARTBEATs (each listing extends it by as
    /// much): 30 s.
    public static let defaultJobLease: Duration = .seconds(30)
}
