/// What the service around a `DispatcherStateMachine` must do, in order.
public enum DispatcherAction: Sendable, Equatable {
    /// Send `message` to the peer with this routing id.
    case send(MirsadMessage, to: RoutingID)
    /// Send this STATUS_REPLY after filling in the figures only the service has (`latencyP50Ms`, `latencyP99Ms`).
    case replyStatus(Mirsad_V1_StatusReply, to: RoutingID)
    /// A message that is not a protocol message was dropped (already counted in `malformedMessages`): log it.
    case droppedMalformed(MalformedMessage, from: RoutingID?)
    /// A well-formed message was refused with ERROR (already counted in `refusedMessages`; the ERROR is the
    /// `send` that follows): log it.
    case refused(Command, from: RoutingID, code: Mirsad_V1_ErrorCode, reason: String)
    /// A peer sent ERROR: log it (never answered).
    case peerReportedError(Mirsad_V1_Error, from: RoutingID)
    case peerJoined(id: String, role: PeerRole, capacity: Int)
    /// A worker or collector session ended; `requeued` of its jobs went back to the queue.
    case peerLeft(id: String, role: PeerRole, reason: PeerLeaveReason, requeued: Int)
    /// A job's lease lapsed while its worker was alive; the job went back to the queue.
    case leaseExpired(jobID: String, workerID: String)
    /// A job's result is in the report store. `latencyNanos` runs from its (first) submission.
    case jobStored(jobID: String, batchID: String, latencyNanos: UInt64)
    case jobFailed(jobID: String, batchID: String, error: String)
}

public enum PeerLeaveReason: Sendable, Hashable {
    /// The peer said BYE.
    case bye
    /// Silent past the liveness timeout.
    case silent
    /// The same peer id said HELLO again, on this or another connection.
    case replaced
    /// The dispatcher is stopping.
    case dispatcherStopping
}
