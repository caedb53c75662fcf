import CoreMetrics
import Prometheus
import Synchronization

/// One service's metrics: a swift-prometheus registry behind a swift-metrics factory, and the updates that run just
/// before each scrape (values read from a service's statistics rather than recorded as they happen).
///
/// Each service makes its own registry rather than bootstrapping the process-wide `MetricsSystem`, so two services
/// in one process (tests, `mirsad run`) never mix their series. Names follow Prometheus conventions: a `mirsad_`
/// prefix, base units in the name (`_seconds`), `_total` on counters; labels carry kinds, states and workers.
/// Invariant: a metric name is made with one type and one set of label names only (swift-prometheus traps otherwise).
public final class MetricsRegistry: Sendable {
    public let prometheus: PrometheusCollectorRegistry
    /// The swift-metrics factory that records into `prometheus`.
    public let factory: PrometheusMetricsFactory
    private let beforeScrape = Mutex<[@Sendable () -> Void]>([])

    /// Latency buckets from 1 ms to 10 min: submit→stored spans queue waits as well as analyses.
    public static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
        .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
    ]
    /// Commit buckets from 0.5 ms to 5 s: a commit is sized to last about 25 ms.
    public static let commitBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    public init() {
        let prometheus = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: prometheus)
        factory.defaultDurationHistogramBuckets = Self.latencyBuckets
        factory.durationHistogramBuckets = [
            MetricNames.storeCommitSeconds: Self.commitBuckets,
            MetricNames.webRequestSeconds: Self.commitBuckets,
        ]
        factory.valueHistogramBuckets = [MetricNames.storeCommitResults: [1, 8, 32, 64, 128, 256, 512, 1_024, 2_048, 4_096]]
        self.prometheus = prometheus
        self.factory = factory
    }

    /// Runs `update` before every scrape (on the scraping thread: it must only read and record).
    public func beforeEachScrape(_ update: @escaping @Sendable () -> Void) {
        beforeScrape.withLock { $0.append(update) }
    }

    /// The exposition text (Prometheus text format 0.0.4), after the pre-scrape updates.
    public func exposition() -> String {
        for update in beforeScrape.withLock({ $0 }) { update() }
        return prometheus.emitToString()
    }

    /// `mirsad_build_info{role, version} 1`, the usual way to expose what runs.
    public func announce(role: String, version: String) {
        Gauge(label: MetricNames.buildInfo, dimensions: [("role", role), ("version", version)], factory: factory).record(1)
    }
}

/// Every metric name, in one place (`Deploy/README.md` lists them with their meaning).
public enum MetricNames {
    public static let buildInfo = "mirsad_build_info"
    // Dispatcher, from its status.
    public static let jobs = "mirsad_jobs"
    public static let deadLetters = "mirsad_dead_letters"
    public static let redispatches = "mirsad_redispatches_total"
    public static let batches = "mirsad_batches"
    public static let leasesHeld = "mirsad_leases_held"
    public static let workersConnected = "mirsad_workers_connected"
    public static let collectorsConnected = "mirsad_collectors_connected"
    public static let malformedMessages = "mirsad_malformed_messages_total"
    public static let refusedMessages = "mirsad_refused_messages_total"
    public static let peerProblems = "mirsad_peer_problems_total"
    public static let securityRefusals = "mirsad_security_refusals_total"
    public static let throughput = "mirsad_stored_jobs_per_second"
    public static let uptime = "mirsad_uptime_seconds"
    public static let roleAbsent = "mirsad_role_absent_seconds"
    public static let journalFull = "mirsad_journal_full"
    public static let workerCapacity = "mirsad_worker_capacity"
    public static let workerInFlight = "mirsad_worker_jobs_in_flight"
    public static let workerDone = "mirsad_worker_jobs_done_total"
    public static let workerFailed = "mirsad_worker_jobs_failed_total"
    public static let workerRate = "mirsad_worker_jobs_per_second"
    public static let workerSilent = "mirsad_worker_silent_seconds"
    public static let workerClockOffset = "mirsad_worker_clock_offset_seconds"
    // Dispatcher, from its actions.
    public static let submitToStoredSeconds = "mirsad_submit_to_stored_seconds"
    public static let leasesExpired = "mirsad_leases_expired_total"
    public static let retriesScheduled = "mirsad_retries_scheduled_total"
    public static let deadLettered = "mirsad_dead_lettered_total"
    public static let storeOverdue = "mirsad_store_overdue_total"
    public static let crashReports = "mirsad_crash_reports_total"
    public static let sessions = "mirsad_sessions_total"
    // Collector.
    public static let resultsStored = "mirsad_results_stored_total"
    public static let resultsDuplicate = "mirsad_results_duplicate_total"
    public static let resultsRefused = "mirsad_results_refused_total"
    public static let storeFailures = "mirsad_store_failures_total"
    public static let storeCommitSeconds = "mirsad_store_commit_seconds"
    public static let storeCommitResults = "mirsad_store_commit_results"
    public static let noticesConfirmed = "mirsad_stored_notices_confirmed_total"
    public static let noticesInMemory = "mirsad_stored_notices_in_memory"
    // Worker.
    public static let analyses = "mirsad_analyses_total"
    public static let resultsAcknowledged = "mirsad_results_acknowledged_total"
    // Web.
    public static let webRequests = "mirsad_web_requests_total"
    public static let webRequestSeconds = "mirsad_web_request_seconds"
}
