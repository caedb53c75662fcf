import MirsadWire
/// What the service around a `DispatcherStateMachine` must do, in order, after committing the journal.
public enum DispatcherAction: Sendable, Equatable {
    /// Send `message` to the peer with this routing id.
    case send(MirsadMessage, to: RoutingID)
    /// Send this STATUS_REPLY after filling in the figures only the service has (`latencyP50Ms`, `latencyP99Ms`).
    case replyStatus(Mirsad_V1_StatusReply, to: RoutingID)
    /// A message that is not a protocol message was dropped (already counted in `malformedMessages` and
    /// `peerProblems`): log it.
    case droppedMalformed(MalformedMessage, from: RoutingID?)
    /// A well-formed message was refused with ERROR (already counted in `refusedMessages`; the ERROR is the
    /// `send` that follows): log it.
    case refused(Command, from: RoutingID, code: Mirsad_V1_ErrorCode, reason: String)
    /// A send to this peer found its queue full (it does not read): the peer is cut off for the configured cooldown
    /// (counted in `peerProblems` as `cut_off`); `sessionID` names the session that ended with it, if any.
    case cutOff(RoutingID, sessionID: String?)
    /// A peer sent ERROR: log it (never answered).
    case peerReportedError(Mirsad_V1_Error, from: RoutingID)
    case peerJoined(id: String, role: PeerRole, capacity: Int)
    /// A worker or collector session ended; `requeued` of its jobs went back to the queue (no attempt counted).
    case peerLeft(id: String, role: PeerRole, reason: PeerLeaveReason, requeued: Int)
    /// A job's lease lapsed: its worker did not list it in a HEARTBEAT for a lease period. The worker no longer
    /// holds it (its credit is free); a failed attempt follows (`retryScheduled` or `deadLettered`).
    case leaseExpired(jobID: String, workerID: String)
    /// A replacement worker's HELLO reported that its previous process crashed while running `jobID`. `counted`:
    /// the job was in flight with that process, and a failed attempt follows; otherwise the report is ignored.
    case crashReported(jobID: String, workerID: String, error: String, counted: Bool)
    /// A failed attempt below the limit: the job waits until `notBefore` (a whole millisecond), then is queued again.
    case retryScheduled(jobID: String, batchID: String, failures: Int, notBefore: UnixTime, error: String)
    /// A job failed on its last allowed attempt, or permanently: it is a dead letter.
    case deadLettered(jobID: String, batchID: String, attempts: Int, error: String)
    /// `count` jobs awaiting store got no STORED within `deadline` of their DONE (the first of them `firstJobID`)
    /// and were queued again, no attempt counted: the collector stores a job once, so a second run is harmless.
    case storeOverdue(count: Int, firstJobID: String, deadline: Duration)
    /// RETRY_DEAD_LETTERS queued this many dead letters again.
    case deadLettersRequeued(count: Int, from: RoutingID)
    /// A job's result is in the report store. `latency` runs from its (first) submission, by the wall clock, in
    /// whole milliseconds (as submission times are kept); never negative.
    case jobStored(jobID: String, batchID: String, latency: Duration)
    /// A worker that said in DONE it has nothing to analyse (`worker_idle`, revision 6) is sent JOBS that wait for
    /// this turn's commit: commit now instead of gathering more messages for it. Carried out before the commit.
    case endCommitWindow
}

public enum PeerLeaveReason: Sendable, Hashable {
    /// The peer said BYE.
    case bye
    /// Silent past the liveness timeout.
    case silent
    /// The same peer id said HELLO again, on this or another connection, or a new process named it in `replaces`.
    case replaced
    /// The dispatcher is stopping.
    case dispatcherStopping
    /// Its queue was full when the dispatcher sent to it: it does not read (`DispatcherAction.cutOff`).
    case cutOff
}

extension DispatcherAction {
    /// Whether the service must carry this action out only after the journal's commit of every change made before
    /// it.
    ///
    /// Invariant: a message that acknowledges or hands out something durable waits for the commit: SUBMIT_ACK (the
    /// jobs are kept), JOBS (the dispatch is journaled), STORED_ACK (the job is stored), WELCOME, RETRY_DEAD_LETTERS_REPLY,
    /// HEARTBEAT, ERROR, and every log line and figure of a change. Only the read replies, STATUS_REPLY,
    /// BATCH_STATUS_REPLY and DEAD_LETTERS_REPLY, may go out at once, as soon as their request is read: they
    /// acknowledge nothing, so a client can take nothing from them as kept. They may show a change whose commit is
    /// still pending in the same turn; a commit that fails reverts it (the journal is reopened at its last committed
    /// state), and a later reply shows that state.
    public var waitsForCommit: Bool {
        switch self {
        case .replyStatus, .send(.batchStatusReply, _), .send(.deadLettersReply, _), .endCommitWindow: false
        default: true
        }
    }
}
