import Foundation
import GRDB
import MirsadProtocol
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A seeded random number generator (SplitMix64), so that a run's kill moments can be replayed:
/// the seed is printed, and MIRSAD_FAULT_SEED sets it.
struct FaultRandom: RandomNumberGenerator {
    let seed: UInt64
    private var generator: SeededRandom

    init(seed: UInt64) {
        self.seed = seed
        generator = SeededRandom(seed: seed)
    }

    /// The seed from MIRSAD_FAULT_SEED, else a fresh one; printed either way.
    static func fromEnvironment(test: String) -> FaultRandom {
        let given = ProcessInfo.processInfo.environment["MIRSAD_FAULT_SEED"].flatMap(UInt64.init)
        let seed = given ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("fault: \(test): seed \(seed) (replay with MIRSAD_FAULT_SEED=\(seed))")
        return FaultRandom(seed: seed)
    }

    mutating func next() -> UInt64 { generator.next() }
}

/// Articles for a fault test: the first `count` lines of the ANT corpus, written as JSON Lines, with an optional
/// marker appended to the text of some of them (the workers' test-only poison and hang switches look for it).
enum FaultCorpus {
    /// The shared data folder, or nil (after recording an issue when MIRSAD_REQUIRE_SHARED=1) when it is missing.
    static func shared() -> URL? {
        if let shared = TestPaths.shared { return shared }
        if ProcessInfo.processInfo.environment["MIRSAD_REQUIRE_SHARED"] == "1" {
            Issue.record("../shared (or MIRSAD_SHARED) is missing and MIRSAD_REQUIRE_SHARED=1: the fault tests need the ANT corpus")
        } else {
            print("fault: ../shared is missing: fault test skipped")
        }
        return nil
    }

    /// Writes `count` articles to `directory/articles.jsonl`; the articles at `markedIndexes` get `marker`
    /// appended to their text. Returns the file and the article ids in order.
    static func write(count: Int, from shared: URL, to directory: URL, marker: String? = nil,
                      markedIndexes: Set<Int> = []) throws -> (url: URL, articleIDs: [String]) {
        let source = shared.appendingPathComponent("corpus/ant/articles.jsonl.gz").path
        let raw = directory.appendingPathComponent("articles.raw.jsonl")
        let shell = try runShell("gzip -dc '\(source)' | head -n \(count) > '\(raw.path)'")
        guard shell == 0 || FileManager.default.fileExists(atPath: raw.path) else {
            throw FaultProcess.Failure(description: "cannot read \(source) (gzip exit \(shell))")
        }
        let lines = try String(contentsOf: raw, encoding: .utf8).split(separator: "\n").filter { !$0.isEmpty }
        guard lines.count == count else {
            throw FaultProcess.Failure(description: "\(source) has \(lines.count) articles, the test wants \(count)")
        }
        var output = ""
        var ids: [String] = []
        for (index, line) in lines.enumerated() {
            guard var object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = object["id"].map({ "\($0)" }) else {
                throw FaultProcess.Failure(description: "line \(index + 1) of \(source) is not an article object")
            }
            ids.append(id)
            if let marker, markedIndexes.contains(index) {
                object["text"] = "\(object["text"] as? String ?? "")\n\(marker)"
                output += String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) + "\n"
            } else {
                output += line + "\n"
            }
        }
        let url = directory.appendingPathComponent("articles.jsonl")
        try output.write(to: url, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(at: raw)
        return (url, ids)
    }

    private static func runShell(_ command: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Polls the store's row count every `interval` on a thread of its own, so that the moments work stops and
/// resumes around a kill can be measured.
final class StoreProgress: @unchecked Sendable {
    struct Sample {
        var time: Date
        var stored: Int
    }

    private let path: String
    private let interval: TimeInterval
    private let lock = NSLock()
    private var samples: [Sample] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    init(storePath: String, interval: TimeInterval = 0.1) {
        path = storePath
        self.interval = interval
    }

    func start() {
        let thread = Thread { [self] in
            var database: DatabaseQueue?
            while !isStopped {
                if database == nil, FileManager.default.fileExists(atPath: path) {
                    var configuration = Configuration()
                    configuration.readonly = true
                    configuration.busyMode = .timeout(1)
                    database = try? DatabaseQueue(path: path, configuration: configuration)
                }
                if let database,
                   let count = try? database.read({ try Int.fetchOne($0, sql: "SELECT COUNT(DISTINCT job_id) FROM results") }) {
                    lock.withLock { samples.append(Sample(time: Date(), stored: count ?? 0)) }
                }
                Thread.sleep(forTimeInterval: interval)
            }
            finished.signal()
        }
        thread.start()
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    func stop() {
        let wasRunning = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if wasRunning { finished.wait() }
    }

    /// The latest count of stored jobs (0 before the store exists).
    var stored: Int { lock.withLock { samples.last?.stored ?? 0 } }

    /// Waits until `condition(stored)` holds; false after `timeoutSeconds`.
    func wait(timeoutSeconds: Double, until condition: (Int) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if condition(stored) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return condition(stored)
    }

    /// Waits until at least `target` jobs are stored; false when nothing was stored for `stallSeconds`, or when
    /// `giveUp()` says there is no point waiting (the producer has exited), or after `timeoutSeconds`.
    func wait(forStored target: Int, stallSeconds: Double = 90, timeoutSeconds: Double = 600,
              giveUp: () -> Bool = { false }) -> Bool {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var last = stored
        var movedAt = Date()
        while Date() < deadline {
            let now = stored
            if now >= target { return true }
            if now != last {
                last = now
                movedAt = Date()
            }
            if Date().timeIntervalSince(movedAt) > stallSeconds || giveUp() { return stored >= target }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return stored >= target
    }

    /// Seconds from `since` to the first sample after `after` whose count is above the count at `after`: how
    /// long work stood still. Nil when the count never moved again.
    func secondsUntilAdvance(since: Date, after: Date) -> Double? {
        lock.withLock {
            let before = samples.last(where: { $0.time <= after })?.stored ?? 0
            guard let moved = samples.first(where: { $0.time > after && $0.stored > before }) else { return nil }
            return moved.time.timeIntervalSince(since)
        }
    }
}

/// One injected fault and what it cost.
struct FaultEvent {
    var what: String
    var at: Date
    /// When the killed process (or its replacement) was serving again.
    var backAt: Date
    var storedAtKill: Int

    /// Seconds from the fault to the first job stored after the process was back.
    func resumeSeconds(_ progress: StoreProgress) -> Double? {
        progress.secondsUntilAdvance(since: at, after: backAt)
    }
}

/// The end-of-test figures every fault test prints and checks.
struct FaultOutcome: CustomStringConvertible {
    var submitted: Int
    var acknowledged: Int
    var store: StoreFigures
    var deadLettered: Int
    var redispatches: Int?

    var stored: Int { store.distinctJobs }
    var lost: Int { acknowledged - stored - deadLettered }

    var description: String {
        "submitted \(submitted), acknowledged \(acknowledged), stored \(stored), dead-lettered \(deadLettered), "
            + "lost \(lost), duplicate rows \(store.duplicateRows), jobs run more than once (redispatches) "
            + (redispatches.map(String.init) ?? "unknown")
    }
}

/// Reads a number from a JSON object whatever its JSON number type.
func jsonInt(_ object: [String: Any]?, _ key: String) -> Int? {
    switch object?[key] {
    case let value as Int: value
    case let value as Double: Int(value)
    case let value as NSNumber: value.intValue
    default: nil
    }
}

/// Waits until `condition` holds, checking every `interval`; false after `timeoutSeconds`.
func waitFor(timeoutSeconds: Double, interval: Double = 0.2, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: interval)
    }
    return condition()
}
