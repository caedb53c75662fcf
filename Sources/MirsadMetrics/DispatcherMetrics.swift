import CoreMetrics
import MirsadCore
import MirsadServices
import MirsadWire
import Synchronization

/// The dispatcher's metrics. Job counts, redispatches, peers and refusals are the status a STATUS would be answered
/// with (`DispatcherObserver.status`, at most `DispatcherService.Configuration.observeInterval` old), so a scrape
/// and `mirsad status --json` agree once the cluster is still; events (stored latencies, leases expired, retries,
/// dead letters) are counted as the loop carries them out, after their commit.
///
/// | metric | type | from `status --json` |
/// |---|---|---|
/// | `mirsad_jobs{state}` (queued, in_flight, retrying, awaiting_store, stored, dead) | gauge | the same fields (`dead` = `dead_letters`) |
/// | `mirsad_redispatches_total` | counter | `redispatches` |
/// | `mirsad_malformed_messages_total`, `mirsad_refused_messages_total` | counter | `malformed_messages`, `refused_messages` |
/// | `mirsad_peer_problems_total{kind}`, `mirsad_security_refusals_total{kind}` | counter | `peer_problems`, `security_refusals` |
/// | `mirsad_worker_jobs_done_total{worker,host}` ... | counter, gauge | `workers[]` |
public final class DispatcherMetrics: DispatcherObserver {
    private let factory: any MetricsFactory
    private let state: Mutex<SnapshotState>
    private let submitToStored: Timer
    private let leasesExpired: Counter
    private let retriesScheduled: Counter
    private let deadLettered: Counter
    private let storeOverdue: Counter
    private let crashReportsCounted: Counter
    private let crashReportsIgnored: Counter
    private let sessionsJoined: [PeerRole: Counter]

    public init(registry: MetricsRegistry, version: String) {
        let factory = registry.factory
        self.factory = factory
        registry.announce(role: "dispatcher", version: version)
        state = Mutex(SnapshotState(factory: factory))
        submitToStored = Timer(label: MetricNames.submitToStoredSeconds, dimensions: [], factory: factory)
        leasesExpired = Counter(label: MetricNames.leasesExpired, dimensions: [], factory: factory)
        retriesScheduled = Counter(label: MetricNames.retriesScheduled, dimensions: [], factory: factory)
        deadLettered = Counter(label: MetricNames.deadLettered, dimensions: [], factory: factory)
        storeOverdue = Counter(label: MetricNames.storeOverdue, dimensions: [], factory: factory)
        crashReportsCounted = Counter(label: MetricNames.crashReports, dimensions: [("counted", "true")], factory: factory)
        crashReportsIgnored = Counter(label: MetricNames.crashReports, dimensions: [("counted", "false")], factory: factory)
        var joined: [PeerRole: Counter] = [:]
        for role in [PeerRole.worker, .collector] {
            joined[role] = Counter(label: MetricNames.sessions, dimensions: [("role", "\(role)")], factory: factory)
        }
        sessionsJoined = joined
    }

    public func performed(_ action: DispatcherAction) {
        switch action {
        case .jobStored(_, _, let latency): submitToStored.recordNanoseconds(Int64(clamping: latency.wholeNanoseconds))
        case .leaseExpired: leasesExpired.increment()
        case .retryScheduled: retriesScheduled.increment()
        case .deadLettered: deadLettered.increment()
        case .storeOverdue(let count, _, _): storeOverdue.increment(by: Int64(count))
        case .crashReported(_, _, _, let counted): (counted ? crashReportsCounted : crashReportsIgnored).increment()
        case .peerJoined(_, let role, _): sessionsJoined[role]?.increment()
        default: break
        }
    }

    public func status(_ reply: Mirsad_V1_StatusReply) {
        state.withLock { $0.update(reply) }
    }
}

/// The gauges and counters set from each status; guarded by `DispatcherMetrics.state`.
private struct SnapshotState {
    let factory: any MetricsFactory
    let jobs: [(state: String, gauge: Gauge)]
    let deadLetters: Gauge
    let batches: Gauge
    let leasesHeld: Gauge
    let workersConnected: Gauge
    let collectorsConnected: Gauge
    let throughput10s: Gauge
    let throughput1m: Gauge
    let uptime: Gauge
    let noWorker: Gauge
    let noCollector: Gauge
    let journalFull: Gauge
    var redispatches: SnapshotCounter
    var malformed: SnapshotCounter
    var refused: SnapshotCounter
    var peerProblems: LabelledSnapshotCounters
    var securityRefusals: LabelledSnapshotCounters
    var workers: [String: WorkerSeries] = [:]

    init(factory: any MetricsFactory) {
        self.factory = factory
        func gauge(_ name: String, _ dimensions: [(String, String)] = []) -> Gauge {
            Gauge(label: name, dimensions: dimensions, factory: factory)
        }
        jobs = ["queued", "in_flight", "retrying", "awaiting_store", "stored", "dead"].map {
            ($0, gauge(MetricNames.jobs, [("state", $0)]))
        }
        deadLetters = gauge(MetricNames.deadLetters)
        batches = gauge(MetricNames.batches)
        leasesHeld = gauge(MetricNames.leasesHeld)
        workersConnected = gauge(MetricNames.workersConnected)
        collectorsConnected = gauge(MetricNames.collectorsConnected)
        throughput10s = gauge(MetricNames.throughput, [("window", "10s")])
        throughput1m = gauge(MetricNames.throughput, [("window", "1m")])
        uptime = gauge(MetricNames.uptime)
        noWorker = gauge(MetricNames.roleAbsent, [("role", "worker")])
        noCollector = gauge(MetricNames.roleAbsent, [("role", "collector")])
        journalFull = gauge(MetricNames.journalFull)
        redispatches = SnapshotCounter(MetricNames.redispatches, factory: factory)
        malformed = SnapshotCounter(MetricNames.malformedMessages, factory: factory)
        refused = SnapshotCounter(MetricNames.refusedMessages, factory: factory)
        peerProblems = LabelledSnapshotCounters(MetricNames.peerProblems, label: "kind", factory: factory)
        securityRefusals = LabelledSnapshotCounters(MetricNames.securityRefusals, label: "kind", factory: factory)
    }

    mutating func update(_ reply: Mirsad_V1_StatusReply) {
        let counts: [UInt64] = [reply.queued, reply.inFlight, reply.retrying, reply.awaitingStore, reply.stored, reply.deadLetters]
        for (entry, count) in zip(jobs, counts) { entry.gauge.record(Int64(clamping: count)) }
        deadLetters.record(Int64(clamping: reply.deadLetters))
        batches.record(Int64(clamping: reply.batches))
        leasesHeld.record(Int64(clamping: reply.inFlight))
        workersConnected.record(Int64(reply.workers.count))
        collectorsConnected.record(Int64(reply.collectors))
        throughput10s.record(reply.throughput10S)
        throughput1m.record(reply.throughput1M)
        uptime.record(Double(reply.uptimeMs) / 1_000)
        noWorker.record(Double(reply.noWorkerForMs) / 1_000)
        noCollector.record(Double(reply.noCollectorForMs) / 1_000)
        journalFull.record(reply.journal.hasSuffix("(full: new jobs refused)") ? 1 : 0)
        redispatches.set(reply.redispatches)
        malformed.set(reply.malformedMessages)
        refused.set(reply.refusedMessages)
        peerProblems.set(reply.peerProblems)
        securityRefusals.set(reply.securityRefusals)

        // Per worker: series made when a worker appears, removed when it leaves (its id never comes back: a new
        // process has a new id), so the number of series follows the workers connected.
        let factory = self.factory
        var seen = Set<String>()
        for worker in reply.workers {
            seen.insert(worker.id)
            workers[worker.id, default: WorkerSeries(id: worker.id, host: worker.host, factory: factory)].update(worker)
        }
        for (id, series) in workers where !seen.contains(id) {
            series.destroy()
            workers[id] = nil
        }
    }
}

/// One worker's series, labelled `worker` (its id) and `host`.
private struct WorkerSeries {
    let capacity: Gauge
    let inFlight: Gauge
    let rate: Gauge
    let silent: Gauge
    let clockOffset: Gauge
    var done: SnapshotCounter
    var failed: SnapshotCounter

    init(id: String, host: String, factory: any MetricsFactory) {
        let labels = [("worker", id), ("host", host)]
        capacity = Gauge(label: MetricNames.workerCapacity, dimensions: labels, factory: factory)
        inFlight = Gauge(label: MetricNames.workerInFlight, dimensions: labels, factory: factory)
        rate = Gauge(label: MetricNames.workerRate, dimensions: labels, factory: factory)
        silent = Gauge(label: MetricNames.workerSilent, dimensions: labels, factory: factory)
        clockOffset = Gauge(label: MetricNames.workerClockOffset, dimensions: labels, factory: factory)
        done = SnapshotCounter(MetricNames.workerDone, dimensions: labels, factory: factory)
        failed = SnapshotCounter(MetricNames.workerFailed, dimensions: labels, factory: factory)
    }

    mutating func update(_ worker: Mirsad_V1_WorkerStatus) {
        capacity.record(Int64(worker.capacity))
        inFlight.record(Int64(worker.inFlight))
        rate.record(worker.rate)
        silent.record(Double(worker.silentMs) / 1_000)
        if worker.clockKnown { clockOffset.record(Double(worker.clockOffsetMs) / 1_000) }
        done.set(worker.done)
        failed.set(worker.failed)
    }

    func destroy() {
        capacity.destroy()
        inFlight.destroy()
        rate.destroy()
        silent.destroy()
        clockOffset.destroy()
        done.destroy()
        failed.destroy()
    }
}
