@testable import MirsadCore
@testable import MirsadWire

/// A job for the worker state machine in tests: an id only.
struct TestJob: WorkerJobPayload, Hashable {
    var jobID: String
}

/// A result for the worker state machine in tests, of a chosen size in a RESULTS message.
struct TestResult: WorkerResultPayload, Hashable {
    var jobID: String
    var sizeInMessage: Int = 1_000
}

/// Drives a `WorkerStateMachine` as the worker's loop does, with a clock the test moves by hand and a stand-in for
/// the analysis pool: jobs handed to it wait until the test starts them on a "thread" and then finishes them.
struct WorkerHarness {
    typealias Machine = WorkerStateMachine<TestJob, TestResult>
    typealias Action = Machine.Action

    var machine: Machine
    var now = MonotonicInstant.origin
    /// Every action so far, in order.
    var actions: [Action] = []
    /// The pool: jobs no thread has started, in order, and those running with when they started.
    var waiting: [String] = []
    var running: [(jobID: String, since: MonotonicInstant)] = []
    var collectorEndpoint: String?
    var readyCalls = 0
    var outcome: WorkerOutcome?
    /// Jobs given back to the dispatcher by withdrawal (no thread had started them).
    var withdrawn: [String] = []
    /// Events whose RESULTS or DONE said `worker_idle` against the rule (`WorkerStateMachine`, "Idle").
    var idleFlagProblems: [String] = []

    init(limits: WorkerLimits = WorkerLimits(capacity: 16), collector: String? = "tcp://collector:5571") {
        machine = Machine(limits: limits, collectorKnown: collector != nil)
        collectorEndpoint = collector
    }

    /// Carries out `new` as the loop does (feeding withdrawals back) and records it; returns what was carried out.
    @discardableResult
    mutating func perform(_ new: [Action]) -> [Action] {
        checkIdleFlags(new)
        var queue = new[...]
        var done: [Action] = []
        while let action = queue.popFirst() {
            done.append(action)
            switch action {
            case .ready: readyCalls += 1
            case .connectCollector(let endpoint): collectorEndpoint = endpoint
            case .analyse(let jobs): waiting += jobs.map(\.jobID)
            case .withdrawWaiting:
                let ids = waiting
                waiting = []
                withdrawn += ids
                queue += machine.withdrawn(ids, now: now)
            case .finish(let outcome): self.outcome = outcome
            case .sendResults, .sendDone, .notice: break
            }
        }
        actions += done
        return done
    }

    /// Of one event's RESULTS, and of its DONEs, only the last may say `worker_idle`, and it does exactly when no
    /// job is running after the event (before any withdrawal the event asks for).
    private mutating func checkIdleFlags(_ done: [Action]) {
        let idle = machine.runningCount == 0
        for (kind, flags) in [("RESULTS", done.resultIdleFlags), ("DONE", done.doneIdleFlags)] where !flags.isEmpty {
            if flags.dropLast().contains(true) { idleFlagProblems.append("a \(kind) before the event's last said worker_idle") }
            if flags.last != idle {
                idleFlagProblems.append("the last \(kind) said worker_idle \(flags.last!) with \(machine.runningCount) jobs running")
            }
        }
    }

    @discardableResult
    mutating func welcome(collector: String = "") -> [Action] {
        perform(machine.welcomed(collectorEndpoint: collector, now: now))
    }

    @discardableResult
    mutating func jobs(_ ids: [String]) -> [Action] {
        perform(machine.received(jobs: ids.map { TestJob(jobID: $0) }, now: now))
    }

    /// A pool thread takes the job (which must be waiting) now.
    mutating func start(_ jobID: String) {
        guard let index = waiting.firstIndex(of: jobID) else { preconditionFailure("\(jobID) is not waiting") }
        waiting.remove(at: index)
        running.append((jobID, now))
    }

    /// Jobs finish on their threads (started first when waiting): with a result, or failed when in `failed`.
    @discardableResult
    mutating func finish(_ ids: [String], failed: Set<String> = [], permanent: Bool = false, size: Int = 1_000) -> [Action] {
        for id in ids where waiting.contains(id) { start(id) }
        running.removeAll { ids.contains($0.jobID) }
        let outcomes = ids.map { id in
            AnalysisOutcome<TestResult>(
                jobID: id,
                result: failed.contains(id)
                    ? .failure(AnalysisFailure(message: "boom \(id)", permanent: permanent))
                    : .success(TestResult(jobID: id, sizeInMessage: size)))
        }
        return perform(machine.analysed(outcomes, now: now))
    }

    @discardableResult
    mutating func ack(_ ids: [String]) -> [Action] {
        perform(machine.acknowledged(ids, now: now))
    }

    /// The collector refuses the results of `ids` (their analysis unreadable).
    @discardableResult
    mutating func refuse(_ ids: [String], reason: String = "unreadable analysis: truncated") -> [Action] {
        perform(machine.refused(ids.map { id in .with { $0.jobID = id; $0.reason = reason } }, now: now))
    }

    @discardableResult
    mutating func collectorDisconnected() -> [Action] {
        perform(machine.collectorDisconnected(now: now))
    }

    @discardableResult
    mutating func collectorConnected() -> [Action] {
        perform(machine.collectorConnected(now: now))
    }

    @discardableResult
    mutating func stop() -> [Action] {
        perform(machine.stopRequested(now: now))
    }

    @discardableResult
    mutating func tick() -> [Action] {
        perform(machine.tick(now: now, analysesRunning: running))
    }

    /// Moves the clock by `duration`, then ticks.
    @discardableResult
    mutating func advance(by duration: Duration) -> [Action] {
        now = now.advanced(by: duration)
        return tick()
    }
}

extension [WorkerHarness.Action] {
    /// The RESULTS messages sent, each as its job ids.
    var resultMessages: [[String]] {
        compactMap { if case .sendResults(let results, _) = $0 { results.map(\.jobID) } else { nil } }
    }

    /// Each RESULTS message's `worker_idle`, in order.
    var resultIdleFlags: [Bool] {
        compactMap { if case .sendResults(_, let idle) = $0 { idle } else { nil } }
    }

    /// Each DONE message's `worker_idle`, in order.
    var doneIdleFlags: [Bool] {
        compactMap { if case .sendDone(_, _, let idle) = $0 { idle } else { nil } }
    }

    var resultIDs: [String] { resultMessages.flatMap { $0 } }

    var dones: [(jobIDs: [String], failures: [Mirsad_V1_JobFailure])] {
        compactMap { if case .sendDone(let ids, let failures, _) = $0 { (ids, failures) } else { nil } }
    }

    var doneIDs: [String] { dones.flatMap(\.jobIDs) }
    var failures: [Mirsad_V1_JobFailure] { dones.flatMap(\.failures) }

    var analysed: [String] {
        flatMap { action -> [String] in if case .analyse(let jobs) = action { jobs.map(\.jobID) } else { [] } }
    }

    var notices: [WorkerNotice] {
        compactMap { if case .notice(let notice) = $0 { notice } else { nil } }
    }
}
