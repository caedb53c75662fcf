import CoreMetrics
import MirsadServices

/// A worker process's metrics, counted as its loop reports them (`WorkerObserver`). The dispatcher's
/// `mirsad_worker_jobs_done_total{worker}` counts the same jobs once their credit came back (after the collector's
/// acknowledgement), so it trails `mirsad_results_acknowledged_total` by at most one heartbeat.
public final class WorkerMetrics: WorkerObserver {
    private let succeeded: Counter
    private let failed: Counter
    private let acknowledged: Counter
    private let refused: Counter

    public init(registry: MetricsRegistry, version: String, workerID: String = "") {
        let factory = registry.factory
        registry.announce(role: "worker", version: version)
        succeeded = Counter(label: MetricNames.analyses, dimensions: [("outcome", "succeeded")], factory: factory)
        failed = Counter(label: MetricNames.analyses, dimensions: [("outcome", "failed")], factory: factory)
        acknowledged = Counter(label: MetricNames.resultsAcknowledged, dimensions: [("outcome", "stored")], factory: factory)
        refused = Counter(label: MetricNames.resultsAcknowledged, dimensions: [("outcome", "refused")], factory: factory)
    }

    public func analysed(succeeded: Int, failed: Int) {
        if succeeded > 0 { self.succeeded.increment(by: Int64(succeeded)) }
        if failed > 0 { self.failed.increment(by: Int64(failed)) }
    }

    public func acknowledged(stored: Int, refused: Int) {
        if stored > 0 { acknowledged.increment(by: Int64(stored)) }
        if refused > 0 { self.refused.increment(by: Int64(refused)) }
    }
}
