import CoreMetrics
import MirsadCore
import MirsadServices
import Synchronization

/// The collector's metrics: each commit's duration and size as it happens (`CollectorObserver`), and its counters
/// read from `CollectorService.statistics` before each scrape, so they are the numbers its STATUS reply carries
/// (`mirsad_results_stored_total` is the reply's `stored`).
public final class CollectorMetrics: CollectorObserver {
    private let commitSeconds: Timer
    private let commitResults: Recorder
    private let counters: Mutex<Counters>

    public init(registry: MetricsRegistry, version: String) {
        let factory = registry.factory
        registry.announce(role: "collector", version: version)
        commitSeconds = Timer(label: MetricNames.storeCommitSeconds, dimensions: [], factory: factory)
        commitResults = Recorder(label: MetricNames.storeCommitResults, dimensions: [], aggregate: true, factory: factory)
        counters = Mutex(Counters(factory: factory))
    }

    /// Reads `statistics` before each scrape of `registry`.
    public func follow(_ statistics: @escaping @Sendable () -> CollectorStatistics, registry: MetricsRegistry) {
        registry.beforeEachScrape { [self] in
            let now = statistics()
            self.counters.withLock { $0.update(now) }
        }
    }

    public func committed(results: Int, duration: Duration, failed: Bool) {
        commitSeconds.recordNanoseconds(Int64(clamping: duration.wholeNanoseconds))
        if !failed { commitResults.record(Int64(results)) }
    }
}

private struct Counters {
    var stored: SnapshotCounter
    var duplicates: SnapshotCounter
    var storeFailures: SnapshotCounter
    var refusedUnreadable: SnapshotCounter
    var refusedMessages: SnapshotCounter
    var noticesConfirmed: SnapshotCounter
    let noticesInMemory: Gauge
    var security: LabelledSnapshotCounters
    var peerProblems: LabelledSnapshotCounters

    init(factory: any MetricsFactory) {
        stored = SnapshotCounter(MetricNames.resultsStored, factory: factory)
        duplicates = SnapshotCounter(MetricNames.resultsDuplicate, factory: factory)
        storeFailures = SnapshotCounter(MetricNames.storeFailures, factory: factory)
        refusedUnreadable = SnapshotCounter(MetricNames.resultsRefused, dimensions: [("reason", "unreadable")], factory: factory)
        refusedMessages = SnapshotCounter(MetricNames.resultsRefused, dimensions: [("reason", "message_refused")], factory: factory)
        noticesConfirmed = SnapshotCounter(MetricNames.noticesConfirmed, factory: factory)
        noticesInMemory = Gauge(label: MetricNames.noticesInMemory, dimensions: [], factory: factory)
        security = LabelledSnapshotCounters(MetricNames.securityRefusals, label: "kind", factory: factory)
        peerProblems = LabelledSnapshotCounters(MetricNames.peerProblems, label: "kind", factory: factory)
    }

    mutating func update(_ statistics: CollectorStatistics) {
        stored.set(statistics.committed)
        duplicates.set(statistics.duplicates)
        storeFailures.set(statistics.storeFailures)
        refusedUnreadable.set(statistics.unreadableResults)
        refusedMessages.set(statistics.refusedResults)
        noticesConfirmed.set(statistics.noticesConfirmed)
        noticesInMemory.record(Int64(statistics.noticesInMemory))
        var refusals = statistics.security.wire
        if statistics.handshakesRefused > 0 {
            refusals[SecurityRefusals.Kind.unknownKey.rawValue, default: 0] += statistics.handshakesRefused
        }
        security.set(refusals)
        peerProblems.set(statistics.peerProblems.wire)
    }
}
