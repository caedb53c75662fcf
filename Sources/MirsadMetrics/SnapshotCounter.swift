import CoreMetrics

/// A counter whose value is read from somewhere else (a status reply, a service's statistics) rather than counted
/// here: each `set` adds what the source gained since the last. Prometheus counters never go down; a source that
/// went back (a new process, a journal replaced) resets the counter and starts from the source's value, which
/// `rate()` reads as a counter reset.
/// Not thread-safe: owned by one updater (or guarded by its caller's lock).
struct SnapshotCounter {
    private let counter: Counter
    private var last: Int64 = 0

    init(_ name: String, dimensions: [(String, String)] = [], factory: any MetricsFactory) {
        counter = Counter(label: name, dimensions: dimensions, factory: factory)
    }

    mutating func set(_ value: UInt64) {
        let value = Int64(clamping: value)
        if value < last {
            counter.reset()
            last = 0
        }
        if value > last { counter.increment(by: value - last) }
        last = value
    }

    func destroy() { counter.destroy() }
}

/// Snapshot counters by a label's value (a kind), made as new values appear.
struct LabelledSnapshotCounters {
    let name: String
    let label: String
    let factory: any MetricsFactory
    private var counters: [String: SnapshotCounter] = [:]

    init(_ name: String, label: String, factory: any MetricsFactory) {
        self.name = name
        self.label = label
        self.factory = factory
    }

    /// Sets each kind present; kinds absent keep their last value (counts by kind only grow while a process lives).
    mutating func set(_ values: [String: UInt64]) {
        let (name, label, factory) = (self.name, self.label, self.factory)
        for (kind, value) in values {
            counters[kind, default: SnapshotCounter(name, dimensions: [(label, MetricLabel.value(kind))], factory: factory)].set(value)
        }
    }
}

/// Label values as Prometheus takes them: any UTF-8 is allowed, but kinds are made lowercase with underscores
/// ("forbidden by role" → "forbidden_by_role") so that queries need no quoting of spaces.
enum MetricLabel {
    static func value(_ text: String) -> String {
        String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}
