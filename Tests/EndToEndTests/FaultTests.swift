import Foundation
import MirsadCore
import MirsadServices
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The delivery promise under faults: every job the dispatcher acknowledged ends with exactly one stored result or
/// exactly one dead letter, whichever process is killed and whenever. Real `mirsad` processes on loopback TCP,
/// real journal and store files, `kill -9` / SIGSTOP at seeded random moments.
///
/// Every figure is printed on lines starting with "fault:"; a failing test prints the tails of every log. The tests
/// need the ANT corpus in ../shared (see `SharedData`).
@Suite(.serialized, .enabled(if: SharedData.isExpected, SharedData.reason))
struct FaultTests {
    private static let environment = ProcessInfo.processInfo.environment

    /// Articles in the kill -9 test (MIRSAD_FAULT_ARTICLES, default 3000).
    private static var killTestArticles: Int { environment["MIRSAD_FAULT_ARTICLES"].flatMap(Int.init) ?? 3_000 }

    // MARK: kill -9 of every role during one batch

    @Test(.timeLimit(.minutes(10)))
    func killNineOfAnyProcessLosesNoArticleAndStoresNoneTwice() async throws {
        let shared = try #require(TestPaths.shared, "the fault tests need the ANT corpus")
        var random = FaultRandom.fromEnvironment(test: "kill -9")
        let count = Self.killTestArticles
        var settings = FaultSettings()
        settings.maxAttempts = 5
        let cluster = try await FaultCluster.start(workers: [.supervised, .unsupervised], settings: settings)
        try await cluster.run {
            let corpus = try await FaultCorpus.write(count: count, from: shared, to: cluster.directory)
            return try await StoreProgress.sampling(cluster.storePath) { progress in
                let batch = "fault-kill-\(random.seed)"
                let started = ContinuousClock.now
                let producer = try await cluster.submit(corpus.url, batch: batch)

                // Each fault at a random point of the batch's progress, and a random number of stored articles
                // later; killed processes come back at once on the same endpoint, journal and store.
                // `childOnly`: the worker's analysis process is killed, its supervisor stays.
                let plan: [(fault: String, role: FaultCluster.Role, childOnly: Bool, progress: ClosedRange<Double>)] = [
                    ("worker-0 analysis process", .worker(0), true, 0.06...0.16),
                    ("dispatcher", .dispatcher, false, 0.22...0.38),
                    ("worker-1", .worker(1), false, 0.44...0.54),
                    ("collector", .collector, false, 0.60...0.75),
                ]
                var events: [FaultEvent] = []
                for step in plan {
                    let threshold = Int(Double(count) * Double.random(in: step.progress, using: &random))
                        + Int.random(in: 0...count / 100, using: &random)
                    // The kill itself is sent from the sampling thread at the sample that reaches the threshold;
                    // reaping and restarting follow here.
                    let target = cluster.process(step.role)
                    let childrenBefore = Set(target?.children() ?? [])
                    let child = step.childOnly ? childrenBefore.first : nil
                    if step.childOnly && child == nil {
                        Issue.record("\(step.role) runs under a supervisor but has no analysis child process to kill")
                        break
                    }
                    guard let strike = await progress.strike(whenStored: threshold, giveUp: { !producer.isRunning }, {
                        if let child { kill(child, SIGKILL) } else { target?.signalFamily(SIGKILL) }
                    }) else {
                        Issue.record("the batch stopped before the \(step.fault) fault: \(progress.stored) of \(count) stored")
                        break
                    }
                    var what = "kill -9 \(step.fault)"
                    if let child, let target {
                        what += " (pid \(child))"
                        cluster.log(step.role, "child pid \(child) killed with SIGKILL")
                        let replaced = await waitUntil(timeout: .seconds(60)) {
                            !Set(target.children()).subtracting(childrenBefore).isEmpty
                        }
                        #expect(replaced, "the supervisor of \(step.role) started no new analysis process after its child was killed")
                    } else {
                        await cluster.kill9(step.role)
                        try await cluster.start(step.role)
                    }
                    let event = FaultEvent(what: what, at: strike.at, backAt: .now, storedAtKill: strike.stored)
                    events.append(event)
                    print("fault: \(what) at \(strike.stored)/\(count) stored; serving again after "
                        + String(format: "%.2f s", (event.backAt - strike.at).inSeconds))
                }

                let finished = try await finishBatch(cluster: cluster, producer: producer, submitted: count, batch: batch, timeout: .seconds(420))
                let seconds = (ContinuousClock.now - started).inSeconds
                progress.stop()
                // What a kill costs is how long storing stood still from the kill until the next fault (or the end
                // of the batch): while a killed worker starts again, the other one goes on storing.
                var longestStall = Duration.zero
                for (index, event) in events.enumerated() {
                    let next = index + 1 < events.count ? events[index + 1].at : nil
                    let stall = progress.longestStall(from: event.at, to: next).duration
                    longestStall = max(longestStall, stall)
                    let resume = event.resumeSeconds(progress)
                    print("fault: \(event.what): storing stood still at most " + String(format: "%.2f s", stall.inSeconds)
                        + "; first stored after it was back " + (resume.map { String(format: "%.2f s", $0) } ?? "never")
                        + " after the kill")
                    #expect(event.storedAtKill < count, "\(event.what) struck after the batch had ended: it proved nothing")
                }
                print("fault: longest time storing stood still after a kill: " + String(format: "%.2f s", longestStall.inSeconds))
                print("fault: the tests' shared pool ran a task up to " + String(format: "%.2f s", progress.longestPoolDelay.inSeconds)
                    + " late during the batch")
                print("fault: \(finished.outcome.stored) jobs stored in " + String(format: "%.1f s", seconds)
                    + String(format: " (%.1f jobs/s with %d faults)", Double(finished.outcome.stored) / seconds, events.count))
                #expect(events.count == plan.count, "only \(events.count) of \(plan.count) faults were injected")
                #expect(finished.outcome.deadLettered == 0,
                        "healthy articles were dead-lettered (each job met at most \(plan.count) faults, max attempts \(settings.maxAttempts))")
                #expect((finished.outcome.redispatches ?? 0) > 0, "killing workers holding jobs redispatched none: the retry path was not exercised")
                // A fault can only send back what the processes it touched held: at most every worker's credit each time.
                let redispatchBound = plan.count * cluster.workerModes.count * settings.workerCapacity
                #expect((finished.outcome.redispatches ?? 0) <= redispatchBound,
                        "\(finished.outcome.redispatches ?? 0) redispatches for \(plan.count) faults: more than every worker's credit (\(settings.workerCapacity)) each time (\(redispatchBound)); jobs are being run again without cause")
                #expect(longestStall < .seconds(60), "storing stood still for \(longestStall) after a kill")
                return finished.passed && events.count == plan.count && finished.outcome.deadLettered == 0
                    && (finished.outcome.redispatches ?? 0) <= redispatchBound
            }
        }
    }

    // MARK: poison article

    @Test(.timeLimit(.minutes(5)))
    func aPoisonArticleIsDeadLetteredAfterMaxAttemptsAndRetryCountsAttemptsAfresh() async throws {
        let shared = try #require(TestPaths.shared, "the fault tests need the ANT corpus")
        var random = FaultRandom.fromEnvironment(test: "poison")
        let count = 150
        let poisonIndex = Int.random(in: 10..<(count - 10), using: &random)
        let marker = "MIRSAD-TEST-POISON-\(random.seed)"
        var settings = FaultSettings()
        settings.maxAttempts = 3
        settings.workerEnvironment = ["MIRSAD_TEST_POISON_MARKER": marker]
        let cluster = try await FaultCluster.start(workers: [.supervised, .supervised], settings: settings)
        try await cluster.run {
            let corpus = try await FaultCorpus.write(count: count, from: shared, to: cluster.directory, marker: marker,
                                                     markedIndexes: [poisonIndex])
            let supervisors = (0..<2).compactMap { cluster.process(.worker($0)) }
            return try await ChildWatch.watching(supervisors.map(\.processIdentifier)) { children in
                let batch = "fault-poison-\(random.seed)"
                let producer = try await cluster.submit(corpus.url, batch: batch)
                let finished = try await finishBatch(cluster: cluster, producer: producer, submitted: count, batch: batch,
                                                     timeout: .seconds(120), stop: false)
                let restarts = children.restarts
                print("fault: poison: analysis processes restarted by their supervisors: \(restarts)")
                #expect(finished.outcome.deadLettered == 1, "exactly the poison article is dead-lettered")
                #expect(finished.outcome.stored == count - 1, "every other article is stored")
                let letter = finished.deadLetters.first
                #expect(letter?["article_id"] as? String == corpus.articleIDs[poisonIndex],
                        "the dead letter names the poison article \(corpus.articleIDs[poisonIndex]): \(letter ?? [:])")
                #expect(jsonInt(letter, "attempts") == settings.maxAttempts, "dead after exactly --max-attempts attempts: \(letter ?? [:])")
                #expect(restarts >= settings.maxAttempts, "each poisoned attempt crashes an analysis process the supervisor restarts")
                let supervisorsAlive = supervisors.allSatisfy { $0.isRunning }
                #expect(supervisorsAlive, "the supervisors themselves survive their children's crashes")

                // Retrying puts it back with a fresh count of attempts: it dies again after --max-attempts more crashes.
                let retry = try await cluster.retryAllDeadLetters()
                #expect(retry.status == 0, "dlq retry --all failed: \(retry.stderr)")
                let retried = try? decodeJSON(retry.stdout)
                print("fault: poison: dlq retry --all: \(retry.stdout.replacingOccurrences(of: "\n", with: " "))")
                #expect(jsonInt(retried, "requeued") == 1, "dlq retry --all requeues the one dead letter")
                let diedAgain = await waitUntil(timeout: .seconds(120), interval: .milliseconds(500)) {
                    guard children.restarts >= restarts + settings.maxAttempts else { return false }
                    let total = jsonInt(await cluster.deadLetters(), "total")
                    let retrying = jsonInt(await cluster.status(), "retrying")
                    return total == 1 && retrying == 0
                }
                let again = await cluster.deadLetters()
                let againLetter = (again?["dead_letters"] as? [[String: Any]])?.first
                print("fault: poison: after retry: \(children.restarts - restarts) more restarts, dead letter \(againLetter ?? [:])")
                #expect(diedAgain, "the retried poison article was not dead-lettered again after \(settings.maxAttempts) more attempts")
                #expect(jsonInt(againLetter, "attempts") == settings.maxAttempts, "attempts are counted afresh after a retry")
                await cluster.shutdown()
                let store = StoreFigures.read(cluster.storePath)
                #expect(store?.distinctJobs == count - 1 && store?.duplicateRows == 0, "store after the retry: \(store.map(\.description) ?? "unreadable")")
                return finished.passed && diedAgain && finished.outcome.deadLettered == 1 && finished.outcome.stored == count - 1
                    && jsonInt(letter, "attempts") == settings.maxAttempts
            }
        }
    }

    // MARK: hanging analysis

    @Test(.timeLimit(.minutes(5)))
    func anAnalysisThatHangsIsDeadLetteredAndTheRestIsStored() async throws {
        let shared = try #require(TestPaths.shared, "the fault tests need the ANT corpus")
        var random = FaultRandom.fromEnvironment(test: "hang")
        let count = 120
        let hangIndex = Int.random(in: 10..<(count - 10), using: &random)
        let marker = "MIRSAD-TEST-HANG-\(random.seed)"
        var settings = FaultSettings()
        settings.maxAttempts = 2
        settings.jobTimeoutSeconds = 2
        settings.workerEnvironment = ["MIRSAD_TEST_HANG_MARKER": marker]
        let cluster = try await FaultCluster.start(workers: [.supervised, .supervised], settings: settings)
        try await cluster.run {
            let corpus = try await FaultCorpus.write(count: count, from: shared, to: cluster.directory, marker: marker,
                                                     markedIndexes: [hangIndex])
            let batch = "fault-hang-\(random.seed)"
            let producer = try await cluster.submit(corpus.url, batch: batch)
            let finished = try await finishBatch(cluster: cluster, producer: producer, submitted: count, batch: batch, timeout: .seconds(180))
            let letter = finished.deadLetters.first
            print("fault: hang: dead letter \(letter ?? [:])")
            #expect(finished.outcome.deadLettered == 1, "exactly the hanging article is dead-lettered")
            #expect(finished.outcome.stored == count - 1, "every other article is stored")
            #expect(letter?["article_id"] as? String == corpus.articleIDs[hangIndex], "the dead letter names the hanging article")
            #expect(jsonInt(letter, "attempts") == settings.maxAttempts, "dead after exactly --max-attempts attempts")
            return finished.passed && finished.outcome.deadLettered == 1 && finished.outcome.stored == count - 1
        }
    }

    // MARK: frozen worker

    @Test(.timeLimit(.minutes(5)))
    func aFrozenWorkersJobsGoToTheOtherWorkerAndItsLateResultsAreNotStoredTwice() async throws {
        let shared = try #require(TestPaths.shared, "the fault tests need the ANT corpus")
        var random = FaultRandom.fromEnvironment(test: "SIGSTOP")
        let count = 600
        let cluster = try await FaultCluster.start(workers: [.supervised, .unsupervised])
        try await cluster.run {
            let corpus = try await FaultCorpus.write(count: count, from: shared, to: cluster.directory)
            return try await StoreProgress.sampling(cluster.storePath) { progress in
                let batch = "fault-stop-\(random.seed)"
                let producer = try await cluster.submit(corpus.url, batch: batch)
                let threshold = Int(Double(count) * Double.random(in: 0.1...0.25, using: &random))
                let worker = try #require(cluster.process(.worker(0)))
                let frozenFamily = Set([worker.processIdentifier] + worker.descendants())
                let strike = await progress.strike(whenStored: threshold, giveUp: { !producer.isRunning }) {
                    worker.signalFamily(SIGSTOP)
                }
                try #require(strike != nil, "the batch did not start")
                let frozenAt = strike?.stored ?? 0
                cluster.log(.worker(0), "SIGSTOP")
                print("fault: SIGSTOP worker-0 at \(frozenAt)/\(count) stored")
                #expect(frozenAt < count, "worker-0 was frozen after the batch had ended: it proved nothing")
                let doneWhileFrozen = await progress.wait(forStored: count, stall: .seconds(60), timeout: .seconds(240))
                print("fault: with worker-0 frozen, \(progress.stored)/\(count) stored")
                #expect(doneWhileFrozen, "the frozen worker's jobs did not go to the other worker: \(progress.stored)/\(count) stored")
                cluster.freeze(.worker(0), false)
                // Let the thawed worker send whatever it still held: it is back once the dispatcher hears from it
                // again. The collector must not store any of it twice.
                let heardAgain = await waitUntil(timeout: .seconds(cluster.settings.livenessTimeoutSeconds * 3), interval: .milliseconds(200)) {
                    let workers = await cluster.status()?["workers"] as? [[String: Any]] ?? []
                    return workers.contains { worker in
                        jsonInt(worker, "pid").map { frozenFamily.contains(pid_t($0)) } == true
                            && (jsonInt(worker, "silent_ms") ?? .max) < 1_000
                    }
                }
                print("fault: the dispatcher heard from the thawed worker-0 again: \(heardAgain)")
                let finished = try await finishBatch(cluster: cluster, producer: producer, submitted: count, batch: batch, timeout: .seconds(120))
                #expect(finished.outcome.stored == count, "every article stored")
                #expect(finished.outcome.deadLettered == 0, "no article dead-lettered")
                return finished.passed && doneWhileFrozen && finished.outcome.stored == count && finished.outcome.deadLettered == 0
            }
        }
    }

    // MARK: collector down

    /// The collector stays down until the dispatcher has declared it gone and the store has stood still for as long
    /// (a liveness timeout): results pile up with the workers and the dispatcher, and none may be lost.
    @Test(.timeLimit(.minutes(5)))
    func theCollectorDownUntilTheDispatcherGivesItUpLosesNothing() async throws {
        let shared = try #require(TestPaths.shared, "the fault tests need the ANT corpus")
        var random = FaultRandom.fromEnvironment(test: "collector down")
        let count = 600
        let cluster = try await FaultCluster.start(workers: [.supervised, .unsupervised])
        try await cluster.run {
            let corpus = try await FaultCorpus.write(count: count, from: shared, to: cluster.directory)
            return try await StoreProgress.sampling(cluster.storePath) { progress in
                let batch = "fault-collector-\(random.seed)"
                let producer = try await cluster.submit(corpus.url, batch: batch)
                let threshold = Int(Double(count) * Double.random(in: 0.1...0.3, using: &random))
                let collector = try #require(cluster.process(.collector))
                let strike = await progress.strike(whenStored: threshold, giveUp: { !producer.isRunning }) {
                    collector.signalFamily(SIGKILL)
                }
                try #require(strike != nil, "the batch did not start")
                let at = strike?.at ?? .now
                let storedAtKill = strike?.stored ?? 0
                await cluster.kill9(.collector)
                print("fault: kill -9 collector at \(storedAtKill)/\(count) stored")
                var goneSince: ContinuousClock.Instant?
                let givenUp = await waitUntil(timeout: .seconds(60), interval: .milliseconds(200)) {
                    guard jsonInt(await cluster.status(), "collectors") == 0 else { return false }
                    goneSince = goneSince ?? .now
                    return ContinuousClock.now - (goneSince ?? .now) >= .seconds(cluster.settings.livenessTimeoutSeconds)
                }
                #expect(givenUp, "the dispatcher still counted a collector a minute after it was killed")
                print("fault: collector down for " + String(format: "%.1f s", (ContinuousClock.now - at).inSeconds))
                try await cluster.start(.collector)
                let event = FaultEvent(what: "collector down", at: at, backAt: .now, storedAtKill: storedAtKill)
                let finished = try await finishBatch(cluster: cluster, producer: producer, submitted: count, batch: batch, timeout: .seconds(180))
                progress.stop()
                let resume = event.resumeSeconds(progress)
                print("fault: collector down: work resumed " + (resume.map { String(format: "%.2f s", $0) } ?? "never") + " after the kill")
                #expect(storedAtKill < count, "the collector was killed after the batch had finished: the outage proved nothing")
                #expect(finished.outcome.stored == count, "every article stored after the collector came back")
                #expect(finished.outcome.deadLettered == 0, "an unreachable collector dead-lettered healthy articles")
                return finished.passed && givenUp && storedAtKill < count && finished.outcome.stored == count
                    && finished.outcome.deadLettered == 0
            }
        }
    }

    // MARK: full disk under the store

    /// Whether this process may mount a small tmpfs (it needs root and a kernel that allows it here).
    static let canMountTmpfs: Bool = {
        guard getuid() == 0, let probe = try? TestPaths.temporaryDirectory() else { return false }
        defer { try? FileManager.default.removeItem(at: probe) }
        guard mount("tmpfs", probe.path, "tmpfs", 0, "size=1m") == 0 else { return false }
        umount2(probe.path, Int32(MNT_DETACH))
        return true
    }()

    @Test(.timeLimit(.minutes(5)), .enabled(if: FaultTests.canMountTmpfs, "needs root and permission to mount a small tmpfs"))
    func aFullDiskUnderTheStoreStallsTheCollectorAndEverythingIsStoredOnceSpaceIsFreed() async throws {
        let shared = try #require(TestPaths.shared, "the fault tests need the ANT corpus")
        let mountPoint = try TestPaths.temporaryDirectory().appendingPathComponent("store-tmpfs")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        try #require(mount("tmpfs", mountPoint.path, "tmpfs", 0, "size=16m") == 0, "mount -t tmpfs failed: errno \(errno)")
        defer { umount2(mountPoint.path, Int32(MNT_DETACH)) }
        let random = FaultRandom.fromEnvironment(test: "full disk")
        let count = 400
        var settings = FaultSettings()
        settings.storeDirectory = mountPoint
        let cluster = try await FaultCluster.start(workers: [.supervised, .unsupervised], settings: settings)
        try await cluster.run {
            let corpus = try await FaultCorpus.write(count: count, from: shared, to: cluster.directory)
            // Fill the file system but for a few pages: the store can open, but cannot hold the batch.
            let ballast = mountPoint.appendingPathComponent("ballast")
            let leave = 384 * 1024
            let free = freeBytes(mountPoint.path)
            try Data(count: max(0, free - leave)).write(to: ballast)
            print("fault: full disk: tmpfs of 16 MiB, \(freeBytes(mountPoint.path)) bytes left free for the store")
            return try await StoreProgress.sampling(cluster.storePath) { progress in
                let batch = "fault-disk-\(random.seed)"
                let producer = try await cluster.submit(corpus.url, batch: batch)
                // Wait until storing stalls (no progress for 5 s) with articles left.
                var last = -1
                var stillSince = ContinuousClock.now
                let stalled = await waitUntil(timeout: .seconds(120), interval: .milliseconds(200)) {
                    let now = progress.stored
                    if now != last {
                        last = now
                        stillSince = .now
                    }
                    return now < count && ContinuousClock.now - stillSince > .seconds(5)
                }
                let storedWhenFull = progress.stored
                print("fault: full disk: storing stalled at \(storedWhenFull)/\(count); freeing space")
                #expect(stalled, "the store never filled up: \(storedWhenFull)/\(count) stored")
                try FileManager.default.removeItem(at: ballast)
                let finished = try await finishBatch(cluster: cluster, producer: producer, submitted: count, batch: batch, timeout: .seconds(180))
                #expect(finished.outcome.stored == count, "every article stored once space was freed")
                #expect(finished.outcome.deadLettered == 0, "a full disk dead-lettered healthy articles")
                return finished.passed && stalled && finished.outcome.stored == count && finished.outcome.deadLettered == 0
            }
        }
    }

    // MARK: shared ending

    struct Finished {
        var outcome: FaultOutcome
        var deadLetters: [[String: Any]]
        var passed: Bool
    }

    /// Waits for the producer's `--wait` to end, reads the dead letters and the dispatcher's figures, then (when
    /// `stop`) stops the cluster and reads the store; prints the figures and checks the promise:
    /// lost = acknowledged - stored - dead-lettered = 0, no duplicate rows, every article acknowledged.
    private func finishBatch(cluster: FaultCluster, producer: ManagedProcess, submitted: Int, batch: String,
                             timeout: Duration, stop: Bool = true) async throws -> Finished {
        let exited = await producer.waitForExit(timeout: timeout) != nil
        #expect(exited, "the producer's submit --wait did not end within \(timeout)")
        if !exited { await producer.terminate() }
        let output = producer.outputText
        let report = try? decodeJSON(output)
        #expect(producer.exitCode == 0, "submit ended: \(producer.endingDescription): \(output)")
        #expect(report != nil, "submit printed no JSON report: \(output)")
        let acknowledged = (jsonInt(report, "accepted") ?? 0) + (jsonInt(report, "duplicates") ?? 0)
        print("fault: producer: articles \(jsonInt(report, "articles") ?? -1), accepted \(jsonInt(report, "accepted") ?? -1), "
            + "duplicates \(jsonInt(report, "duplicates") ?? -1), stored \(jsonInt(report, "stored") ?? -1), "
            + "failed \(jsonInt(report, "failed") ?? -1)")

        // The store may trail the dispatcher's count by a commit: give it a moment to agree.
        var deadLetters: [String: Any]?
        _ = await waitUntil(timeout: .seconds(15), interval: .milliseconds(300)) {
            deadLetters = await cluster.deadLetters(batch: batch)
            let stored = StoreFigures.read(cluster.storePath)?.distinctJobs ?? 0
            return stored + (jsonInt(deadLetters, "total") ?? 0) >= acknowledged
        }
        let status = await cluster.status()
        print("fault: status: retrying \(jsonInt(status, "retrying").map(String.init) ?? "?"), "
            + "dead_letters \(jsonInt(status, "dead_letters").map(String.init) ?? "?"), "
            + "redispatches \(jsonInt(status, "redispatches").map(String.init) ?? "?"), "
            + "queued \(jsonInt(status, "queued").map(String.init) ?? "?"), in_flight \(jsonInt(status, "in_flight").map(String.init) ?? "?")")
        #expect(deadLetters != nil, "mirsad dlq list --json gave no answer")
        if stop { await cluster.shutdown() }
        let store = StoreFigures.read(cluster.storePath) ?? StoreFigures(rows: 0, distinctJobs: 0, analysed: 0, rowsByWorker: [:])
        let outcome = FaultOutcome(
            submitted: submitted, acknowledged: acknowledged, store: store,
            deadLettered: jsonInt(deadLetters, "total") ?? 0, redispatches: jsonInt(status, "redispatches"))
        print("fault: \(outcome)")
        print("fault: store: \(store)")
        #expect(acknowledged == submitted, "the dispatcher acknowledged \(acknowledged) of \(submitted) articles")
        #expect(outcome.lost == 0, "\(outcome.lost) acknowledged jobs are neither stored nor dead-lettered")
        #expect(store.duplicateRows == 0, "\(store.duplicateRows) duplicate rows in the store")
        #expect(store.rows == store.distinctJobs)
        let passed = exited && producer.exitCode == 0 && acknowledged == submitted && outcome.lost == 0
            && store.duplicateRows == 0 && deadLetters != nil
        return Finished(outcome: outcome, deadLetters: deadLetters?["dead_letters"] as? [[String: Any]] ?? [], passed: passed)
    }
}

/// Watches supervisors' child processes in a task of its own and counts the new ones: a supervisor's restarts.
final class ChildWatch: Sendable {
    private let supervisors: [pid_t]
    private let seen: Mutex<Set<pid_t>>
    private let initial: Int
    private let stopped = Mutex(false)

    private init(supervisors: [pid_t]) {
        self.supervisors = supervisors
        let first = Set(supervisors.flatMap(ProcessTable.children(of:)))
        seen = Mutex(first)
        initial = first.count
    }

    /// Watches the children of `supervisors` while `body` runs.
    static func watching<Result>(_ supervisors: [pid_t], _ body: (ChildWatch) async throws -> Result) async throws -> Result {
        let watch = ChildWatch(supervisors: supervisors)
        let task = Task {
            _ = await waitUntil(timeout: .seconds(3_600)) {
                let now = watch.supervisors.flatMap(ProcessTable.children(of:))
                watch.seen.withLock { $0.formUnion(now) }
                return watch.stopped.withLock { $0 }
            }
        }
        defer {
            watch.stopped.withLock { $0 = true }
            task.cancel()
        }
        return try await body(watch)
    }

    /// Child processes started since the watch began.
    var restarts: Int { seen.withLock { $0.count } - initial }
}

private func freeBytes(_ path: String) -> Int {
    var figures = statvfs()
    guard statvfs(path, &figures) == 0 else { return 0 }
    return Int(figures.f_bavail) * Int(figures.f_frsize)
}
