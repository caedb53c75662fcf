import MirsadCore
import MirsadWire

/// What the dispatcher's loop tells an observer (the metrics) as it goes; called on the loop's thread, so each call
/// must return at once (record and go).
///
/// Invariants: `performed` sees every action the loop carries out, once, after the commit it waited for (so a
/// `.jobStored` seen here is durable); `status` gets the reply a STATUS would get at that moment (latencies and
/// refused handshakes included), at least every `DispatcherService.Configuration.observeInterval` while the loop runs.
public protocol DispatcherObserver: Sendable {
    func performed(_ action: DispatcherAction)
    func status(_ reply: Mirsad_V1_StatusReply)
}

/// What the collector's loop tells an observer: each commit of results to the store, with its cost. Called on the
/// loop's thread; must return at once. The collector's counters are read from `CollectorService.statistics`.
public protocol CollectorObserver: Sendable {
    /// A commit that stored `results` results (new and duplicates) in `duration`; `failed` when it threw.
    func committed(results: Int, duration: Duration, failed: Bool)
}

/// What the worker's loop tells an observer: analyses finished and results acknowledged by the collector. Called on
/// the loop's thread; must return at once.
public protocol WorkerObserver: Sendable {
    /// Analyses that ended: `succeeded` with a result, `failed` without one.
    func analysed(succeeded: Int, failed: Int)
    /// Results the collector acknowledged (`stored`) or refused as unreadable (`refused`).
    func acknowledged(stored: Int, refused: Int)
}
