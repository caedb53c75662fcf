import Foundation
import MirsadServices

extension StatusView {
    /// The text `mirsad status` prints, one fact per line.
    var text: String {
        var lines: [String] = []
        lines += warnings
        lines.append("dispatcher \(version), up \(TextFormat.seconds(uptimeSeconds)), journal \(journal.isEmpty ? "unknown" : journal)")
        lines.append("jobs: \(queued) queued, \(inFlight) in flight, \(retrying) retrying, \(awaitingStore) awaiting store, \(stored) stored, \(deadLetters) dead letters")
        lines.append("redispatches: \(redispatches) (jobs run more than once)" + (deadLetters > 0 ? "; see `mirsad dlq list`" : ""))
        lines.append("throughput: \(TextFormat.rate(throughput10s)) articles/s (10 s), \(TextFormat.rate(throughput1m)) articles/s (1 min)")
        lines.append(String(format: "latency submit->stored: p50 %.1f ms, p99 %.1f ms", latencyP50Ms, latencyP99Ms))
        lines.append("collectors: \(collectors); malformed messages: \(malformedMessages), refused: \(refusedMessages)")
        if !securityRefusals.isEmpty {
            let kinds = securityRefusals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("refused for security: \(kinds)")
        }
        if !peerProblems.isEmpty {
            lines.append("peer problems: " + peerProblems.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        }
        lines.append("workers: \(workers.count)")
        for w in workers {
            lines.append("  \(w.id)  host \(w.host) pid \(w.pid)  \(Self.peerFacts(w))  in flight \(w.inFlight)/\(w.capacity)  done \(w.done)  failed \(w.failed)  \(TextFormat.rate(w.rate)) articles/s")
        }
        if !collectorSessions.isEmpty {
            lines.append("collector sessions: \(collectorSessions.count)")
            for c in collectorSessions {
                lines.append("  \(c.id)  host \(c.host) pid \(c.pid)  \(Self.peerFacts(c))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A peer's version and clock offset as the dispatcher sees it.
    static func peerFacts(_ peer: Worker) -> String {
        let version = peer.version.isEmpty ? "version unknown" : peer.version
        let clock = peer.clockOffsetMs.map { "clock \($0 >= 0 ? "+" : "")\(StatusView.offsetText($0))" } ?? "clock unknown"
        return "\(version), \(clock)"
    }
}
