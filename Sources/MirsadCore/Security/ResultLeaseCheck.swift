import MirsadWire

/// The collector's decision on a result's lease: whether the result answers a real dispatch of its job to the
/// worker whose key sent it.
///
/// Invariant: with a lease key, a result is accepted only when its lease names the result's job and worker id, is
/// bound to the sender's key (`PeerAuthority.keyText`) and carries a token valid under the key. Without a lease
/// key (an unsecured cluster) every result is accepted, as before revision 4.
public enum ResultLeaseCheck {
    /// Nil when the result is accepted, else the reason it is refused.
    public static func problem(
        jobID: String, workerID: String, lease: Mirsad_V1_Lease?, sender: PeerAuthority, key: LeaseKey?
    ) -> String? {
        guard let key else { return nil }
        guard let lease, !lease.token.isEmpty else { return "no lease token (a worker of revision 4 copies the job's lease)" }
        guard lease.jobID == jobID else { return "the lease token is for job \(lease.jobID), not \(jobID)" }
        guard lease.workerID == workerID else { return "the lease token is for worker \(lease.workerID), not \(workerID)" }
        guard lease.workerKey == sender.keyText else { return "the lease token was issued to another worker key" }
        guard key.isValid(lease) else { return "the lease token is not valid" }
        return nil
    }
}
