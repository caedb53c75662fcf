/// The warning lines `mirsad status` prints first, one per problem with the cluster's shape: a role missing (no
/// worker, no collector), jobs done by workers that wait on a collector nobody has seen, a peer whose clock is off
/// from the dispatcher's by more than `clockTolerance`, and peers running another version than the dispatcher.
///
/// Invariant: a cluster with a worker and a collector connected, clocks within the tolerance and one version has
/// no warning; each line starts with `warning: `.
extension StatusView {
    /// Clock offsets within this are not worth a line (leases and latencies use the dispatcher's clock alone).
    public static let clockTolerance: Int64 = 1_000

    public var warnings: [String] {
        var lines: [String] = []
        if let absence = absence.warning { lines.append(absence) }
        if let noCollectorFor = absence.noCollectorFor, awaitingStore > 0 {
            lines.append("""
                warning: \(awaitingStore) jobs done by workers wait on a collector that has not been seen for \
                \(PeerAbsence.format(noCollectorFor)): start one (or check that it reaches the dispatcher)
                """)
        }
        let peers = workers.map { ("worker", $0) } + collectorSessions.map { ("collector", $0) }
        for (role, peer) in peers {
            if let offset = peer.clockOffsetMs, abs(offset) > Self.clockTolerance {
                let side = offset > 0 ? "ahead of" : "behind"
                lines.append("""
                    warning: the clock of \(role) \(peer.id) on \(peer.host) is \(Self.offsetText(abs(offset))) \(side) \
                    the dispatcher's (times in its logs and results disagree; check NTP)
                    """)
            }
        }
        let others = Set(peers.map(\.1.version).filter { !$0.isEmpty && $0 != version })
        if !version.isEmpty, !others.isEmpty {
            lines.append("warning: peers run \(others.sorted().joined(separator: ", ")) beside the dispatcher's \(version)")
        }
        return lines
    }

    /// `+12 ms`, `-1.5 s`: a clock offset for a person.
    public static func offsetText(_ milliseconds: Int64) -> String {
        abs(milliseconds) < 10_000 ? "\(milliseconds) ms" : "\(milliseconds / 1_000) s"
    }
}
