import Foundation
import MirsadServices
import NIOPosix
import ReportViews

/// Asks the dispatcher for its status for each page that shows it, on the thread pool: `StatusClient` waits on
/// a ZeroMQ socket, which must not happen on an event loop, and belongs to the thread that made it, so each ask
/// makes its own client on the pool thread and closes it there.
struct ClusterStatusProbe: Sendable {
    /// Nil when no dispatcher was named.
    let endpoint: String?
    let timeout: Duration
    let threadPool: NIOThreadPool

    func current() async -> ClusterStatus {
        guard let endpoint else { return .notConfigured }
        let timeout = timeout
        do {
            return try await threadPool.runIfActive {
                do {
                    let client = try StatusClient(dispatcherEndpoint: endpoint)
                    return Self.status(try client.fetch(timeout: timeout), endpoint: endpoint)
                } catch {
                    return .unreachable(endpoint: endpoint, reason: "\(error)")
                }
            }
        } catch {
            return .unreachable(endpoint: endpoint, reason: "\(error)")
        }
    }

    static func status(_ view: StatusView, endpoint: String) -> ClusterStatus {
        typealias Fact = ClusterStatus.Fact
        let facts = view.warnings.map { Fact("warning", String($0.dropFirst("warning: ".count))) } + [
            Fact("dispatcher", view.version), Fact("up", String(format: "%.0f s", view.uptimeSeconds)),
            Fact("queued", "\(view.queued)"), Fact("in flight", "\(view.inFlight)"), Fact("retrying", "\(view.retrying)"),
            Fact("awaiting store", "\(view.awaitingStore)"), Fact("stored", "\(view.stored)"),
            Fact("dead letters", "\(view.deadLetters)"), Fact("redispatches", "\(view.redispatches)"),
            Fact("workers", "\(view.workers.count)"), Fact("collectors", "\(view.collectors)"),
        ] + view.collectorSessions.map {
            Fact("collector \($0.id)", "host \($0.host), \($0.version.isEmpty ? "version unknown" : $0.version), clock \(Self.offset($0))")
        } + [
            Fact("throughput (10 s, 1 min)", String(format: "%.1f, %.1f articles/s", view.throughput10s, view.throughput1m)),
            Fact("latency submit→stored (p50, p99)", String(format: "%.1f, %.1f ms", view.latencyP50Ms, view.latencyP99Ms)),
            Fact("journal", view.journal.isEmpty ? "unknown" : view.journal),
        ]
        let workers = view.workers.map {
            [$0.id, $0.host, "\($0.pid)", $0.version, Self.offset($0), "\($0.inFlight)", "\($0.capacity)", "\($0.done)", "\($0.failed)", String(format: "%.1f", $0.rate)]
        }
        return .answered(endpoint: endpoint, facts: facts, workers: workers)
    }

    /// A peer's clock offset from the dispatcher's, or "unknown".
    static func offset(_ peer: StatusView.Worker) -> String {
        peer.clockOffsetMs.map { "\($0 >= 0 ? "+" : "")\(StatusView.offsetText($0))" } ?? "unknown"
    }
}
