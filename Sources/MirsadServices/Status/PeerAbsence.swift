import MirsadCore

/// Whether the dispatcher has a worker and a collector, as its replies say (`no_worker_for_ms`,
/// `no_collector_for_ms`): without a worker nothing runs, without a collector nothing is stored, and a batch then
/// stands still with no error anywhere. `status` and `submit` print `warning` when either is missing.
public struct PeerAbsence: Sendable, Equatable {
    /// How long no worker (collector) has had a session with the dispatcher; nil while one has.
    public var noWorkerFor: Duration?
    public var noCollectorFor: Duration?

    /// From the wire's milliseconds: 0 means one is connected (a dispatcher from before these fields also sends 0).
    public init(noWorkerForMs: UInt64, noCollectorForMs: UInt64) {
        noWorkerFor = noWorkerForMs == 0 ? nil : .milliseconds(Int64(clamping: noWorkerForMs))
        noCollectorFor = noCollectorForMs == 0 ? nil : .milliseconds(Int64(clamping: noCollectorForMs))
    }

    public var isEmpty: Bool { noWorkerFor == nil && noCollectorFor == nil }

    /// One line for a person, nil when a worker and a collector are connected.
    public var warning: String? {
        var missing: [String] = []
        if let noWorkerFor {
            missing.append("no worker has been connected to the dispatcher for \(Self.format(noWorkerFor)) (nothing is analysed until one is)")
        }
        if let noCollectorFor {
            missing.append("no collector has been connected to the dispatcher for \(Self.format(noCollectorFor)) (nothing is stored until one is)")
        }
        return missing.isEmpty ? nil : "warning: " + missing.joined(separator: "; ")
    }

    static func format(_ duration: Duration) -> String {
        let seconds = duration.wholeMilliseconds / 1000
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min \(seconds % 60) s" }
        return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
    }
}
