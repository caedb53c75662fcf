import Foundation
import GRDB
import Testing

/// A collector killed with SIGKILL in the middle of a batch and started again at once, on the same endpoint and
/// store, costs about a second of storing: the workers send their unacknowledged results again as soon as their
/// connection to the new collector is up, instead of holding the results (and their credit) until the resend timer.
/// Real `mirsad` processes on loopback TCP, real journal and store files.
///
/// Figures are printed on lines starting with "fault:"; a failing test prints the tails of every log.
@Suite(.serialized)
struct CollectorRestartTests {
    /// Articles in the batch (MIRSAD_FAULT_RESTART_ARTICLES, default 600).
    private static var articles: Int {
        ProcessInfo.processInfo.environment["MIRSAD_FAULT_RESTART_ARTICLES"].flatMap(Int.init) ?? 600
    }

    @Test(.timeLimit(.minutes(10)))
    func aCollectorKilledAndRestartedAtOnceStallsStoringForUnderTwoSeconds() throws {
        guard let shared = FaultCorpus.shared() else { return }
        var random = FaultRandom.fromEnvironment(test: "collector restart")
        let count = Self.articles
        let cluster = try FaultCluster(workers: [.supervised, .unsupervised])
        var passed = false
        defer {
            if !passed { cluster.printLogs() }
            cluster.shutdown()
            if passed { cluster.removeFiles() }
        }
        let corpus = try FaultCorpus.write(count: count, from: shared, to: cluster.directory)
        let progress = StoredCountSampler(storePath: cluster.storePath)
        progress.start()
        defer { progress.stop() }
        let batch = "fault-collector-restart-\(random.seed)"
        let producer = try cluster.submit(corpus.url, batch: batch)

        // Kill while results are flowing: just after the stored count moved, somewhere in the middle of the batch.
        let threshold = Int(Double(count) * Double.random(in: 0.3...0.5, using: &random))
        #expect(progress.wait(timeoutSeconds: 300, giveUp: { !producer.isRunning }) { $0 >= threshold }, "the batch did not start")
        let storedAtKill = progress.stored
        let killedAt = Date()
        cluster.kill9(.collector)
        Thread.sleep(forTimeInterval: 0.05)
        try cluster.start(.collector)
        let backAt = Date()
        print("fault: kill -9 collector at \(storedAtKill)/\(count) stored; restarted and serving after "
            + String(format: "%.2f s", backAt.timeIntervalSince(killedAt)))

        let exited = producer.waitForExit(timeoutSeconds: 300)
        #expect(exited, "the producer's submit --wait did not end")
        #expect(producer.exitCode == 0, "submit ended with \(producer.describeExit())")
        #expect(progress.wait(timeoutSeconds: 30) { $0 >= count }, "only \(progress.stored)/\(count) stored")
        progress.stop()

        let stall = progress.longestStall(from: killedAt)
        let whole = progress.longestStall(from: .distantPast)
        print("fault: collector restart: storing stood still at most " + String(format: "%.2f s", stall.seconds)
            + " from the kill on (\(stall.stored) stored when it stalled); longest stall of the whole batch "
            + String(format: "%.2f s", whole.seconds))
        #expect(storedAtKill < count, "the collector was killed after the batch had finished: the kill proved nothing")
        #expect(stall.seconds < 2, "storing stood still for \(stall.seconds) s after the collector was killed and restarted")

        cluster.shutdown()
        let store = StoreFigures.read(cluster.storePath)
        let stored = StoreFigures.storedJobIDs(cluster.storePath)
        let expected = Set((0..<count).map { "\(batch):\($0)" })
        print("fault: store: \(store.map(\.description) ?? "unreadable")")
        #expect(store?.rows == count && store?.distinctJobs == count, "every article stored exactly once: \(store.map(\.description) ?? "unreadable")")
        #expect(store?.analysed == count, "every article stored analysed")
        #expect(stored == expected, "missing \(expected.subtracting(stored).sorted().prefix(5)), unexpected \(stored.subtracting(expected).sorted().prefix(5))")
        passed = exited && producer.exitCode == 0 && storedAtKill < count && stall.seconds < 2
            && store?.rows == count && stored == expected
    }
}

/// The store's count of distinct stored jobs, sampled every `interval` on a thread of its own, so that the times
/// storing stood still can be measured.
final class StoredCountSampler: @unchecked Sendable {
    /// A moment the count changed, and its new value.
    struct Move {
        var time: Date
        var stored: Int
    }

    private let path: String
    private let interval: TimeInterval
    /// Guards `moves`, `latest` and `stopped`; the sampling thread and the test's thread share them.
    private let lock = NSLock()
    private var moves: [Move] = []
    private var latest = 0
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    init(storePath: String, interval: TimeInterval = 0.05) {
        path = storePath
        self.interval = interval
    }

    func start() {
        Thread { [self] in
            var database: DatabaseQueue?
            while !lock.withLock({ stopped }) {
                if database == nil, FileManager.default.fileExists(atPath: path) {
                    var configuration = Configuration()
                    configuration.readonly = true
                    configuration.busyMode = .timeout(1)
                    database = try? DatabaseQueue(path: path, configuration: configuration)
                }
                if let database,
                   let count = try? database.read({ try Int.fetchOne($0, sql: "SELECT COUNT(DISTINCT job_id) FROM results") }) {
                    let now = Date()
                    lock.withLock {
                        if count != latest {
                            latest = count
                            moves.append(Move(time: now, stored: count))
                        }
                    }
                }
                Thread.sleep(forTimeInterval: interval)
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

    /// The latest count (0 before the store exists).
    var stored: Int { lock.withLock { latest } }

    /// Waits until `condition(stored)` holds, or `giveUp()` says there is no point, or `timeoutSeconds` pass.
    func wait(timeoutSeconds: Double, giveUp: () -> Bool = { false }, until condition: (Int) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline, !condition(stored), !giveUp() {
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition(stored)
    }

    /// The longest time the count stood still from `start` until it last moved: seconds, and the count it stood at.
    /// The stretch running at `start` counts from the move before it.
    func longestStall(from start: Date) -> (seconds: Double, stored: Int) {
        let all = lock.withLock { moves }
        var previous = all.last { $0.time < start }
        var longest = (seconds: 0.0, stored: 0)
        for move in all where move.time >= start {
            if let previous, move.time.timeIntervalSince(previous.time) > longest.seconds {
                longest = (move.time.timeIntervalSince(previous.time), previous.stored)
            }
            previous = move
        }
        return longest
    }
}
