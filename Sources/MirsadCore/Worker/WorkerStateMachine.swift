import MirsadWire
/// A worker's logic: takes jobs from the dispatcher by credit, has them analysed, sends the results to the
/// collector, and returns the credit (DONE) once the collector has acknowledged them. Events in, actions out: no
/// sockets, no threads, no clock; the loop around it passes the time in with every event.
///
/// Invariants:
/// - a job is in exactly one of *running* (handed to the analysis: waiting for a thread or running on one),
///   *unacknowledged* (its result sent to the collector, or held until a collector is known, and no RESULTS_ACK
///   yet) or gone: DONE reported it (succeeded or failed), or the worker handed it back (withdrawn on shutdown, or
///   still held at BYE). So the credit in use is running + unacknowledged, and a job given again while held is
///   ignored;
/// - a job's DONE success comes only after the collector acknowledged its result; a result the collector refused
///   (RESULTS_ACK `refused`) ends its job as a DONE failure, never permanent, so that another attempt may succeed;
/// - a result is sent again only to a collector, and only once `resendAfter` has passed since it was last sent or
///   when a connection to the collector completed its handshake after the previous one broke;
/// - jobs given after shutdown began are ignored: BYE makes the dispatcher requeue every job the worker holds.
///
/// Collector restarts: a result written into a connection that then broke may have died with it (in the socket's
/// buffers or in the collector before its commit), while results written after the break wait in the socket's
/// queue for the next connection. So when a new connection comes up after a break, every unacknowledged result is
/// sent again at once (the collector stores each job once and acknowledges it again), instead of holding its
/// credit until `resendAfter` passes; the timer stays, for breaks the loop does not see.
///
/// Idle (revision 6): of the RESULTS one event sends, the last says `worker_idle` exactly when no job is running
/// once the event is handled, and the others never; so of its DONEs. The collector and the dispatcher then commit at
/// once for a worker that waits on them, instead of gathering more messages to share the commit.
///
/// Leases: every job running or unacknowledged is held (`heldJobIDs`), so the dispatcher link lists it in its lease
/// renewals however long it takes; a job the worker stops holding is no longer listed.
///
/// Watchdog: an analysis running longer than `jobTimeout` is reported failed in DONE (not permanent: another
/// attempt may finish) and its thread is given up for lost. A worker with a lost thread is dead: it stops taking
/// jobs, finishes and delivers what the other threads run (within the shutdown grace period), hands the rest back,
/// and finishes `.stuck`, for the process to exit and be restarted.
///
/// Sessions: after the dispatcher restarts, the worker says HELLO again with its full capacity while it may still
/// hold jobs from before. It keeps them (listing them in heartbeats, returning their credit with DONE when they are
/// done) and takes whatever the new session sends as well: dropping or failing a job it was given would cost that
/// job a lease period or an attempt, while holding both costs at most `2 * capacity` jobs of memory for as long as
/// the earlier jobs take. v1 HELLO cannot announce less than the capacity. `creditInUse` counts the jobs of the
/// current session (since the last WELCOME), which a dispatcher keeping to the credit holds to `capacity`.
public struct WorkerStateMachine<Job: WorkerJobPayload, Result: WorkerResultPayload>: Sendable {
    public typealias Action = WorkerAction<Job, Result>

    /// Where the run stands.
    enum State: Sendable, Hashable {
        case serving
        /// No more jobs are taken; the run ends when nothing is held or `shutdownGrace` after `since`.
        case stopping(since: MonotonicInstant, reason: WorkerStopReason)
        case stopped(WorkerOutcome)
    }

    struct Unacknowledged: Sendable {
        var result: Result
        /// When the result last went to the collector; nil while no collector is known.
        var sentAt: MonotonicInstant?
        var session: Int
    }

    public let limits: WorkerLimits
    private(set) var state: State = .serving
    /// Jobs handed to the analysis, with the session (counted in WELCOMEs) that gave each.
    private var running: [String: Int] = [:]
    private var unacknowledged: [String: Unacknowledged] = [:]
    /// Jobs whose analysis overran the job timeout: reported failed, their threads lost.
    public private(set) var lost: [String] = []
    private var collectorKnown: Bool
    /// The connection to the collector broke and no new one has completed its handshake since.
    private var collectorLost = false
    private var welcomed = false
    private var session = 0

    /// `collectorKnown`: the collector's endpoint is configured, so results go out at once; otherwise they wait
    /// for the WELCOME that names one.
    public init(limits: WorkerLimits, collectorKnown: Bool) {
        self.limits = limits
        self.collectorKnown = collectorKnown
    }

    // MARK: - Queries

    /// Every job held, running or unacknowledged: the leases to renew. Sorted.
    public var heldJobIDs: [String] { (Array(running.keys) + Array(unacknowledged.keys)).sorted() }
    public var runningCount: Int { running.count }
    public var unacknowledgedCount: Int { unacknowledged.count }
    /// Jobs held from the current session (given since the last WELCOME).
    public var creditInUse: Int {
        running.values.filter { $0 == session }.count + unacknowledged.values.filter { $0.session == session }.count
    }
    public var isStopping: Bool { if case .serving = state { false } else { true } }
    /// How the run ended, once it has.
    public var outcome: WorkerOutcome? { if case .stopped(let outcome) = state { outcome } else { nil } }
    /// When the result of `jobID` last went to the collector, if it awaits acknowledgement and was sent.
    public func resultSentAt(_ jobID: String) -> MonotonicInstant? { unacknowledged[jobID]?.sentAt }

    // MARK: - Events

    /// The dispatcher WELCOMEd the worker (first or again); a new session starts.
    public mutating func welcomed(collectorEndpoint: String, now: MonotonicInstant) -> [Action] {
        session += 1
        var actions: [Action] = []
        if !welcomed {
            welcomed = true
            actions.append(.ready)
        }
        if !collectorKnown, !collectorEndpoint.isEmpty {
            collectorKnown = true
            actions.append(.connectCollector(endpoint: collectorEndpoint))
            actions.append(.notice(.sendingResults(to: collectorEndpoint)))
            actions += transmit(unacknowledged.filter { $0.value.sentAt == nil }.keys.sorted(), now: now)
        }
        return actions
    }

    /// JOBS from the dispatcher: those not held already go to the analysis, unless the worker is stopping.
    public mutating func received(jobs: [Job], now: MonotonicInstant) -> [Action] {
        guard case .serving = state else { return [] }
        var fresh: [Job] = []
        for job in jobs where running[job.jobID] == nil && unacknowledged[job.jobID] == nil {
            running[job.jobID] = session
            fresh.append(job)
        }
        return fresh.isEmpty ? [] : [.analyse(fresh)]
    }

    /// Analyses that finished: results go to the collector (or are held until one is known), failures to the
    /// dispatcher in DONE. One given up by the watchdog was reported failed already and is ignored.
    public mutating func analysed(_ outcomes: [AnalysisOutcome<Result>], now: MonotonicInstant) -> [Action] {
        var succeeded: [String] = []
        var failures: [Mirsad_V1_JobFailure] = []
        for outcome in outcomes {
            guard let jobSession = running.removeValue(forKey: outcome.jobID) else { continue }
            switch outcome.result {
            case .success(let result):
                unacknowledged[outcome.jobID] = Unacknowledged(result: result, sentAt: nil, session: jobSession)
                succeeded.append(outcome.jobID)
            case .failure(let failure):
                failures.append(Self.failure(outcome.jobID, failure.message, permanent: failure.permanent))
            }
        }
        var actions: [Action] = []
        if !succeeded.isEmpty {
            if collectorKnown {
                actions += transmit(succeeded, now: now)
            } else {
                actions.append(.notice(.holdingResults(count: succeeded.count)))
            }
        }
        actions += done([], failures: failures)
        return actions + finishIfDone(now: now)
    }

    /// RESULTS_ACK from the collector: the acknowledged jobs' credit goes back in DONE. Ids not awaiting
    /// acknowledgement are ignored.
    public mutating func acknowledged(_ jobIDs: [String], now: MonotonicInstant) -> [Action] {
        let acknowledged = jobIDs.filter { unacknowledged.removeValue(forKey: $0) != nil }
        return done(acknowledged, failures: []) + finishIfDone(now: now)
    }

    /// RESULTS_ACK `refused` from the collector: it will not store these results (their analysis cannot be read).
    /// Each such job is reported failed in DONE, not permanent: the dispatcher counts an attempt and retries it, and
    /// dead-letters it after its last attempt. Ids not awaiting acknowledgement are ignored.
    public mutating func refused(_ refusals: [Mirsad_V1_RefusedResult], now: MonotonicInstant) -> [Action] {
        var failures: [Mirsad_V1_JobFailure] = []
        for refusal in refusals where unacknowledged.removeValue(forKey: refusal.jobID) != nil {
            failures.append(Self.failure(refusal.jobID, "the collector refused the result: \(refusal.reason)", permanent: false))
        }
        guard !failures.isEmpty else { return [] }
        return [.notice(.resultsRefused(jobIDs: failures.map(\.jobID)))] + done([], failures: failures)
            + finishIfDone(now: now)
    }

    /// The connection to the collector broke (its process died, or the link went silent): results written into it
    /// and not acknowledged may be lost.
    public mutating func collectorDisconnected(now: MonotonicInstant) -> [Action] {
        guard collectorKnown, !collectorLost else { return [] }
        if case .stopped = state { return [] }
        collectorLost = true
        return [.notice(.collectorDisconnected(unacknowledged: unacknowledged.count))]
    }

    /// A connection to the collector completed its handshake. After a break, every result not acknowledged is sent
    /// again now; a first connection sends nothing (what was sent before it waits in the socket's queue).
    public mutating func collectorConnected(now: MonotonicInstant) -> [Action] {
        guard collectorLost else { return [] }
        collectorLost = false
        if case .stopped = state { return [] }
        let pending = unacknowledged.filter { $0.value.sentAt != nil }.keys.sorted()
        return [.notice(.collectorReconnected(resending: pending.count))] + transmit(pending, now: now)
    }

    /// Shutdown is requested: no more jobs are taken, and those no thread has started are handed back.
    public mutating func stopRequested(now: MonotonicInstant) -> [Action] {
        beginStopping(.requested, now: now)
    }

    /// The jobs the analysis gave back after `.withdrawWaiting` (no thread had started them): handed back.
    public mutating func withdrawn(_ jobIDs: [String], now: MonotonicInstant) -> [Action] {
        let handedBack = jobIDs.filter { running.removeValue(forKey: $0) != nil }.count
        guard case .stopping(_, let reason) = state else { return [] }
        return [.notice(.stopping(reason, finishing: running.count, handedBack: handedBack, unacknowledged: unacknowledged.count))]
            + finishIfDone(now: now)
    }

    /// The watchdog, the end of a shutdown, and results to send again. `analysesRunning` is what the analysis
    /// threads run now and since when.
    public mutating func tick(now: MonotonicInstant, analysesRunning: [(jobID: String, since: MonotonicInstant)]) -> [Action] {
        if case .stopped = state { return [] }
        var actions: [Action] = []
        let overdue = analysesRunning
            .filter { running[$0.jobID] != nil && $0.since.duration(to: now) > limits.jobTimeout }
            .map(\.jobID)
        if !overdue.isEmpty {
            let error = "analysis did not finish within \(Self.describe(limits.jobTimeout))"
            for jobID in overdue {
                running.removeValue(forKey: jobID)
                lost.append(jobID)
            }
            actions.append(.notice(.analysesHung(jobIDs: overdue, timeout: limits.jobTimeout)))
            actions += done([], failures: overdue.map { Self.failure($0, error, permanent: false) })
            actions += beginStopping(.analysisHung, now: now)
        }
        let finishing = finishIfDone(now: now)
        if !finishing.isEmpty { return actions + finishing }
        if collectorKnown {
            let stale = unacknowledged
                .filter { $0.value.sentAt.map { $0.duration(to: now) > limits.resendAfter } ?? false }
                .keys.sorted()
            if !stale.isEmpty {
                actions.append(.notice(.resending(count: stale.count)))
                actions += transmit(stale, now: now)
            }
        }
        return actions
    }

    // MARK: - Steps

    private mutating func beginStopping(_ reason: WorkerStopReason, now: MonotonicInstant) -> [Action] {
        guard case .serving = state else { return [] }
        state = .stopping(since: now, reason: reason)
        return [.withdrawWaiting]
    }

    /// Ends a shutdown when nothing is held any more or the grace period is over.
    private mutating func finishIfDone(now: MonotonicInstant) -> [Action] {
        guard case .stopping(let since, _) = state else { return [] }
        let idle = running.isEmpty && unacknowledged.isEmpty
        guard idle || since.duration(to: now) > limits.shutdownGrace else { return [] }
        let outcome: WorkerOutcome = lost.isEmpty ? .stopped : .stuck(jobIDs: lost)
        state = .stopped(outcome)
        return [.finish(outcome)]
    }

    /// Sends the held results of `jobIDs` in RESULTS messages kept under the frame limit (a frame above it would
    /// be dropped by the collector's socket, silently and on every resend).
    private mutating func transmit(_ jobIDs: [String], now: MonotonicInstant) -> [Action] {
        let results = jobIDs.compactMap { unacknowledged[$0]?.result }
        for jobID in jobIDs { unacknowledged[jobID]?.sentAt = now }
        let groups = MessageBatching.split(results, size: \.sizeInMessage)
        return groups.indices.map { .sendResults(Array(groups[$0]), workerIdle: $0 == groups.count - 1 && running.isEmpty) }
    }

    private func done(_ jobIDs: [String], failures: [Mirsad_V1_JobFailure]) -> [Action] {
        var messages: [(jobIDs: [String], failures: [Mirsad_V1_JobFailure])] = []
        for start in stride(from: 0, to: jobIDs.count, by: ProtocolLimits.maxIDsPerMessage) {
            messages.append((Array(jobIDs[start..<min(start + ProtocolLimits.maxIDsPerMessage, jobIDs.count)]), []))
        }
        for start in stride(from: 0, to: failures.count, by: ProtocolLimits.maxIDsPerMessage) {
            messages.append(([], Array(failures[start..<min(start + ProtocolLimits.maxIDsPerMessage, failures.count)])))
        }
        return messages.indices.map {
            .sendDone(jobIDs: messages[$0].jobIDs, failures: messages[$0].failures,
                      workerIdle: $0 == messages.count - 1 && running.isEmpty)
        }
    }

    private static func failure(_ jobID: String, _ error: String, permanent: Bool) -> Mirsad_V1_JobFailure {
        var failure = Mirsad_V1_JobFailure()
        failure.jobID = jobID
        failure.error = error
        failure.permanent = permanent
        return failure
    }

    /// A timeout as the worker states it: "300 s", "0.4 s".
    public static func describe(_ duration: Duration) -> String {
        duration.components.attoseconds == 0 ? "\(duration.components.seconds) s" : "\(duration.inSeconds) s"
    }
}
