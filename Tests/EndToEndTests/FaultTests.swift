import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The delivery promise under faults: every job the dispatcher acknowledged ends with exactly one stored result or
/// exactly one dead letter, whichever process is killed and whenever. Real `mirsad` processes on loopback TCP,
/// real journal and store files, `kill -9` / SIGSTOP at seeded random moments.
///
/// Every figure is printed on lines starting with "fault:"; a failing test prints the tails of every log.
@Suite(.serialized)
struct FaultTests {
    private static let environment = ProcessInfo.processInfo.environment

    /// Articles in the kill -9 test (MIRSAD_FAULT_ARTICLES, default 3000).
    private static var killTestArticles: Int { environment["MIRSAD_FAULT_ARTICLES"].flatMap(Int.init) ?? 3_000 }

    // MARK: kill -9 of every role during one batch

    @Test(.timeLimit(.minutes(10)))
    func killNineOfAnyProcessLosesNoArticleAndStoresNoneTwice() throws {
        guard let shared = FaultCorpus.shared() else { return }
        var random = FaultRandom.fromEnvironment(test: "kill -9")
        let count = Self.killTestArticles
        var settings = FaultSettings()
        settings.maxAttempts = 5
        let cluster = try FaultCluster(workers: [.supervised, .unsupervised], settings: settings)
        var passed = false
        defer {
            if !passed { cluster.printLogs() }
            cluster.shutdown()
            if passed { cluster.removeFiles() }
        }
        let corpus = try FaultCorpus.write(count: count, from: shared, to: cluster.directory)
        let progress = StoreProgress(storePath: cluster.storePath)
        progress.start()
        defer { progress.stop() }
        let batch = "fault-kill-\(random.seed)"
        let started = Date()
        let producer = try cluster.submit(corpus.url, batch: batch)

        // Each fault at a random point of the batch's progress, a random moment later; killed processes come back
        // after a random pause on the same endpoint, journal and store.
        let plan: [(fault: String, progress: ClosedRange<Double>)] = [
            ("worker-0 analysis process", 0.06...0.16),
            ("dispatcher", 0.22...0.38),
            ("worker-1", 0.44...0.54),
            ("collector", 0.60...0.75),
        ]
        var events: [FaultEvent] = []
        for step in plan {
            let threshold = Int(Double(count) * Double.random(in: step.progress, using: &random))
            guard progress.wait(forStored: threshold, giveUp: { !producer.isRunning }) else {
                Issue.record("the batch stopped before the \(step.fault) fault: \(progress.stored) of \(count) stored")
                break
            }
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.5, using: &random))
            let pause = Double.random(in: 0...1.0, using: &random)
            let storedAtKill = progress.stored
            let at = Date()
            var what = "kill -9 \(step.fault)"
            switch step.fault {
            case "worker-0 analysis process":
                let supervisor = cluster.process(.worker(0))
                let before = Set(supervisor?.children() ?? [])
                if let child = cluster.kill9AnalysisChild(ofWorker: 0) {
                    what += " (pid \(child))"
                    let replaced = waitFor(timeoutSeconds: 60, interval: 0.05) {
                        supervisor.map { !Set($0.children()).subtracting(before).isEmpty } ?? false
                    }
                    #expect(replaced, "the supervisor of worker-0 started no new analysis process after its child was killed")
                } else {
                    Issue.record("worker-0 runs under a supervisor but has no analysis child process to kill")
                    cluster.kill9(.worker(0))
                    Thread.sleep(forTimeInterval: pause)
                    try cluster.start(.worker(0))
                }
            case "dispatcher":
                cluster.kill9(.dispatcher)
                Thread.sleep(forTimeInterval: pause)
                try cluster.start(.dispatcher)
            case "worker-1":
                cluster.kill9(.worker(1))
                Thread.sleep(forTimeInterval: pause)
                try cluster.start(.worker(1))
            default:
                cluster.kill9(.collector)
                Thread.sleep(forTimeInterval: pause)
                try cluster.start(.collector)
            }
            let event = FaultEvent(what: what, at: at, backAt: Date(), storedAtKill: storedAtKill)
            events.append(event)
            print("fault: \(what) at \(storedAtKill)/\(count) stored; serving again after "
                + String(format: "%.2f s", event.backAt.timeIntervalSince(at)))
        }

        let finished = try finishBatch(cluster: cluster, producer: producer, submitted: count, batch: batch, timeoutSeconds: 420)
        let seconds = Date().timeIntervalSince(started)
        progress.stop()
        var longestResume = 0.0
        for event in events {
            let resume = event.resumeSeconds(progress)
            print("fault: \(event.what): work resumed " + (resume.map { String(format: "%.2f s", $0) } ?? "never") + " after the kill")
            if event.storedAtKill < count {
                #expect(resume != nil, "work never resumed after \(event.what)")
            }
            longestResume = max(longestResume, resume ?? 0)
        }
        print("fault: longest time from a kill to work resuming: " + String(format: "%.2f s", longestResume))
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
        #expect(longestResume < 60, "work stood still for \(longestResume) s after a kill")
        passed = finished.passed && events.count == plan.count && finished.outcome.deadLettered == 0
            && (finished.outcome.redispatches ?? 0) <= redispatchBound
    }

    // MARK: poison article

    @Test(.timeLimit(.minutes(5)))
    func aPoisonArticleIsDeadLetteredAfterMaxAttemptsAndRetryCountsAttemptsAfresh() throws {
        guard let shared = FaultCorpus.shared() else { return }
        var random = FaultRandom.fromEnvironment(test: "poison")
        let count = 150
        let poisonIndex = Int.random(in: 10..<(count - 10), using: &random)
        let marker = "MIRSAD-TEST-POISON-\(random.seed)"
        var settings = FaultSettings()
        settings.maxAttempts = 3
        settings.workerEnvironment = ["MIRSAD_TEST_POISON_MARKER": marker]
        let cluster = try FaultCluster(workers: [.supervised, .supervised], settings: settings)
        var passed = false
        defer {
            if !passed { cluster.printLogs() }
            cluster.shutdown()
            if passed { cluster.removeFiles() }
        }
        let corpus = try FaultCorpus.write(count: count, from: shared, to: cluster.directory, marker: marker,
                                           markedIndexes: [poisonIndex])
        let supervisors = (0..<2).compactMap { cluster.process(.worker($0)) }
        let children = ChildWatch(supervisors: supervisors.map(\.pid))
        children.start()
        defer { children.stop() }
        let batch = "fault-poison-\(random.seed)"
        let producer = try cluster.submit(corpus.url, batch: batch)
        let finished = try finishBatch(cluster: cluster, producer: producer, submitted: count, batch: batch,
                                       timeoutSeconds: 120, stop: false)
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
        let retry = try cluster.retryAllDeadLetters()
        #expect(retry.status == 0, "dlq retry --all failed: \(retry.stderr)")
        let retried = try? decodeJSON(retry.stdout)
        print("fault: poison: dlq retry --all: \(retry.stdout.replacingOccurrences(of: "\n", with: " "))")
        #expect(jsonInt(retried, "requeued") == 1, "dlq retry --all requeues the one dead letter")
        let diedAgain = waitFor(timeoutSeconds: 120, interval: 0.5) {
            children.restarts >= restarts + settings.maxAttempts && jsonInt(cluster.deadLetters(), "total") == 1
                && jsonInt(cluster.status(), "retrying") == 0
        }
        let again = cluster.deadLetters()
        let againLetter = (again?["dead_letters"] as? [[String: Any]])?.first
        print("fault: poison: after retry: \(children.restarts - restarts) more restarts, dead letter \(againLetter ?? [:])")
        #expect(diedAgain, "the retried poison article was not dead-lettered again after \(settings.maxAttempts) more attempts")
        #expect(jsonInt(againLetter, "attempts") == settings.maxAttempts, "attempts are counted afresh after a retry")
        cluster.shutdown()
        let store = StoreFigures.read(cluster.storePath)
        #expect(store?.distinctJobs == count - 1 && store?.duplicateRows == 0, "store after the retry: \(store.map(\.description) ?? "unreadable")")
        passed = finished.passed && diedAgain && finished.outcome.deadLettered == 1 && finished.outcome.stored == count - 1
            && jsonInt(letter, "attempts") == settings.maxAttempts
    }

    // MARK: hanging analysis

    @Test(.timeLimit(.minutes(5)))
    func anAnalysisThatHangsIsDeadLetteredAndTheRestIsStored() throws {
        guard let shared = FaultCorpus.shared() else { return }
        var random = FaultRandom.fromEnvironment(test: "hang")
        let count = 120
        let hangIndex = Int.random(in: 10..<(count - 10), using: &random)
        let marker = "MIRSAD-TEST-HANG-\(random.seed)"
        var settings = FaultSettings()
        settings.maxAttempts = 2
        settings.jobTimeoutSeconds = 2
        settings.workerEnvironment = ["MIRSAD_TEST_HANG_MARKER": marker]
        let cluster = try FaultCluster(workers: [.supervised, .supervised], settings: settings)
        var passed = false
        defer {
            if !passed { cluster.printLogs() }
            cluster.shutdown()
            if passed { cluster.removeFiles() }
        }
        let corpus = try FaultCorpus.write(count: count, from: shared, to: cluster.directory, marker: marker,
                                           markedIndexes: [hangIndex])
        let batch = "fault-hang-\(random.seed)"
        let producer = try cluster.submit(corpus.url, batch: batch)
        let finished = try finishBatch(cluster: cluster, producer: producer, submitted: count, batch: batch, timeoutSeconds: 180)
        let letter = finished.deadLetters.first
        print("fault: hang: dead letter \(letter ?? [:])")
        #expect(finished.outcome.deadLettered == 1, "exactly the hanging article is dead-lettered")
        #expect(finished.outcome.stored == count - 1, "every other article is stored")
        #expect(letter?["article_id"] as? String == corpus.articleIDs[hangIndex], "the dead letter names the hanging article")
        #expect(jsonInt(letter, "attempts") == settings.maxAttempts, "dead after exactly --max-attempts attempts")
        passed = finished.passed && finished.outcome.deadLettered == 1 && finished.outcome.stored == count - 1
    }

    // MARK: frozen worker

    @Test(.timeLimit(.minutes(5)))
    func aFrozenWorkersJobsGoToTheOtherWorkerAndItsLateResultsAreNotStoredTwice() throws {
        guard let shared = FaultCorpus.shared() else { return }
        var random = FaultRandom.fromEnvironment(test: "SIGSTOP")
        let count = 600
        let cluster = try FaultCluster(workers: [.supervised, .unsupervised])
        var passed = false
        defer {
            if !passed { cluster.printLogs() }
            cluster.shutdown()
            if passed { cluster.removeFiles() }
        }
        let corpus = try FaultCorpus.write(count: count, from: shared, to: cluster.directory)
        let progress = StoreProgress(storePath: cluster.storePath)
        progress.start()
        defer { progress.stop() }
        let batch = "fault-stop-\(random.seed)"
        let producer = try cluster.submit(corpus.url, batch: batch)
        let threshold = Int(Double(count) * Double.random(in: 0.1...0.25, using: &random))
        #expect(progress.wait(forStored: threshold, giveUp: { !producer.isRunning }), "the batch did not start")
        let frozenAt = progress.stored
        cluster.freeze(.worker(0), true)
        print("fault: SIGSTOP worker-0 at \(frozenAt)/\(count) stored")
        let doneWhileFrozen = progress.wait(forStored: count, stallSeconds: 60, timeoutSeconds: 240)
        print("fault: with worker-0 frozen, \(progress.stored)/\(count) stored")
        #expect(doneWhileFrozen, "the frozen worker's jobs did not go to the other worker: \(progress.stored)/\(count) stored")
        cluster.freeze(.worker(0), false)
        // Let the thawed worker send whatever it still held; the collector must not store any of it twice.
        Thread.sleep(forTimeInterval: cluster.settings.livenessTimeoutSeconds * 3)
        let finished = try finishBatch(cluster: cluster, producer: producer, submitted: count, batch: batch, timeoutSeconds: 120)
        #expect(finished.outcome.stored == count, "every article stored")
        #expect(finished.outcome.deadLettered == 0, "no article dead-lettered")
        passed = finished.passed && doneWhileFrozen && finished.outcome.stored == count && finished.outcome.deadLettered == 0
    }

    // MARK: collector down

    @Test(.timeLimit(.minutes(5)))
    func theCollectorDownForHalfAMinuteLosesNothing() throws {
        guard let shared = FaultCorpus.shared() else { return }
        var random = FaultRandom.fromEnvironment(test: "collector down")
        let count = 600
        let downSeconds = Self.environment["MIRSAD_FAULT_COLLECTOR_DOWN"].flatMap(Double.init) ?? 30
        let cluster = try FaultCluster(workers: [.supervised, .unsupervised])
        var passed = false
        defer {
            if !passed { cluster.printLogs() }
            cluster.shutdown()
            if passed { cluster.removeFiles() }
        }
        let corpus = try FaultCorpus.write(count: count, from: shared, to: cluster.directory)
        let progress = StoreProgress(storePath: cluster.storePath)
        progress.start()
        defer { progress.stop() }
        let batch = "fault-collector-\(random.seed)"
        let producer = try cluster.submit(corpus.url, batch: batch)
        let threshold = Int(Double(count) * Double.random(in: 0.1...0.3, using: &random))
        #expect(progress.wait(forStored: threshold, giveUp: { !producer.isRunning }), "the batch did not start")
        let at = Date()
        let storedAtKill = progress.stored
        cluster.kill9(.collector)
        print("fault: kill -9 collector at \(storedAtKill)/\(count) stored; down for \(Int(downSeconds)) s")
        Thread.sleep(forTimeInterval: downSeconds)
        try cluster.start(.collector)
        let event = FaultEvent(what: "collector down", at: at, backAt: Date(), storedAtKill: storedAtKill)
        let finished = try finishBatch(cluster: cluster, producer: producer, submitted: count, batch: batch, timeoutSeconds: 180)
        progress.stop()
        let resume = event.resumeSeconds(progress)
        print("fault: collector down: work resumed " + (resume.map { String(format: "%.2f s", $0) } ?? "never") + " after the kill")
        #expect(storedAtKill < count, "the collector was killed after the batch had finished: the outage proved nothing")
        #expect(finished.outcome.stored == count, "every article stored after the collector came back")
        #expect(finished.outcome.deadLettered == 0, "an unreachable collector dead-lettered healthy articles")
        passed = finished.passed && storedAtKill < count && finished.outcome.stored == count && finished.outcome.deadLettered == 0
    }

    // MARK: full disk under the store

    @Test(.timeLimit(.minutes(5)))
    func aFullDiskUnderTheStoreStallsTheCollectorAndEverythingIsStoredOnceSpaceIsFreed() throws {
        guard let shared = FaultCorpus.shared() else { return }
        guard getuid() == 0 else {
            print("fault: full disk: skipped (needs root to mount a small tmpfs)")
            return
        }
        let mountPoint = try TestPaths.temporaryDirectory().appendingPathComponent("store-tmpfs")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        guard shell("mount -t tmpfs -o size=16m tmpfs '\(mountPoint.path)'") == 0 else {
            print("fault: full disk: skipped (mount -t tmpfs is not permitted here)")
            return
        }
        defer { _ = shell("umount -l '\(mountPoint.path)'") }
        let random = FaultRandom.fromEnvironment(test: "full disk")
        let count = 400
        var settings = FaultSettings()
        settings.storeDirectory = mountPoint
        let cluster = try FaultCluster(workers: [.supervised, .unsupervised], settings: settings)
        var passed = false
        defer {
            if !passed { cluster.printLogs() }
            cluster.shutdown()
            if passed { cluster.removeFiles() }
        }
        let corpus = try FaultCorpus.write(count: count, from: shared, to: cluster.directory)
        // Fill the file system but for a few pages: the store can open, but cannot hold the batch.
        let ballast = mountPoint.appendingPathComponent("ballast")
        let leave = 384 * 1024
        let free = freeBytes(mountPoint.path)
        try Data(count: max(0, free - leave)).write(to: ballast)
        print("fault: full disk: tmpfs of 16 MiB, \(freeBytes(mountPoint.path)) bytes left free for the store")
        let progress = StoreProgress(storePath: cluster.storePath)
        progress.start()
        defer { progress.stop() }
        let batch = "fault-disk-\(random.seed)"
        let producer = try cluster.submit(corpus.url, batch: batch)
        // Wait until storing stalls (no progress for 5 s) with articles left.
        var last = -1
        var stillSince = Date()
        let stalled = waitFor(timeoutSeconds: 120, interval: 0.2) {
            let now = progress.stored
            if now != last {
                last = now
                stillSince = Date()
            }
            return now < count && Date().timeIntervalSince(stillSince) > 5
        }
        let storedWhenFull = progress.stored
        print("fault: full disk: storing stalled at \(storedWhenFull)/\(count); freeing space")
        #expect(stalled, "the store never filled up: \(storedWhenFull)/\(count) stored")
        try FileManager.default.removeItem(at: ballast)
        let finished = try finishBatch(cluster: cluster, producer: producer, submitted: count, batch: batch, timeoutSeconds: 180)
        #expect(finished.outcome.stored == count, "every article stored once space was freed")
        #expect(finished.outcome.deadLettered == 0, "a full disk dead-lettered healthy articles")
        passed = finished.passed && stalled && finished.outcome.stored == count && finished.outcome.deadLettered == 0
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
    private func finishBatch(cluster: FaultCluster, producer: FaultProcess, submitted: Int, batch: String,
                             timeoutSeconds: Double, stop: Bool = true) throws -> Finished {
        let exited = producer.waitForExit(timeoutSeconds: timeoutSeconds)
        #expect(exited, "the producer's submit --wait did not end within \(Int(timeoutSeconds)) s")
        if !exited { producer.terminate(graceSeconds: 2) }
        let output = (try? String(contentsOfFile: producer.stdoutPath, encoding: .utf8)) ?? ""
        let report = try? decodeJSON(output)
        #expect(producer.exitCode == 0, "submit ended with \(producer.describeExit()): \(output)")
        #expect(report != nil, "submit printed no JSON report: \(output)")
        let acknowledged = (jsonInt(report, "accepted") ?? 0) + (jsonInt(report, "duplicates") ?? 0)
        print("fault: producer: articles \(jsonInt(report, "articles") ?? -1), accepted \(jsonInt(report, "accepted") ?? -1), "
            + "duplicates \(jsonInt(report, "duplicates") ?? -1), stored \(jsonInt(report, "stored") ?? -1), "
            + "failed \(jsonInt(report, "failed") ?? -1)")

        // The store may trail the dispatcher's count by a commit: give it a moment to agree.
        var deadLetters: [String: Any]?
        _ = waitFor(timeoutSeconds: 15, interval: 0.3) {
            deadLetters = cluster.deadLetters(batch: batch)
            let stored = StoreFigures.read(cluster.storePath)?.distinctJobs ?? 0
            return stored + (jsonInt(deadLetters, "total") ?? 0) >= acknowledged
        }
        let status = cluster.status()
        print("fault: status: retrying \(jsonInt(status, "retrying").map(String.init) ?? "?"), "
            + "dead_letters \(jsonInt(status, "dead_letters").map(String.init) ?? "?"), "
            + "redispatches \(jsonInt(status, "redispatches").map(String.init) ?? "?"), "
            + "queued \(jsonInt(status, "queued").map(String.init) ?? "?"), in_flight \(jsonInt(status, "in_flight").map(String.init) ?? "?")")
        #expect(deadLetters != nil, "mirsad dlq list --json gave no answer")
        if stop { cluster.shutdown() }
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

/// Watches supervisors' child processes on a thread of its own and counts the new ones: a supervisor's restarts.
final class ChildWatch: @unchecked Sendable {
    private let supervisors: [pid_t]
    private let lock = NSLock()
    private var seen: Set<pid_t> = []
    private var initial = 0
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    init(supervisors: [pid_t]) {
        self.supervisors = supervisors
    }

    func start() {
        let first = Set(supervisors.flatMap(ProcessTable.children(of:)))
        lock.withLock {
            seen = first
            initial = first.count
        }
        Thread { [self] in
            while !lock.withLock({ stopped }) {
                let now = supervisors.flatMap(ProcessTable.children(of:))
                lock.withLock { seen.formUnion(now) }
                Thread.sleep(forTimeInterval: 0.05)
            }
            finished.signal()
        }.start()
    }

    func stop() {
        let wasRunning = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if wasRunning { finished.wait() }
    }

    /// Child processes started since `start()`.
    var restarts: Int { lock.withLock { seen.count - initial } }
}

private func shell(_ command: String) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command + " 2>/dev/null"]
    guard (try? process.run()) != nil else { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}

private func freeBytes(_ path: String) -> Int {
    var figures = statvfs()
    guard statvfs(path, &figures) == 0 else { return 0 }
    return Int(figures.f_bavail) * Int(figures.f_frsize)
}
