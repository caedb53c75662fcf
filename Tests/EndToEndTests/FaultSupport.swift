import Foundation
import GRDB
import MirsadCore
import Synchronization
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
    /// Writes `count` articles to `directory/articles.jsonl`; the articles at `markedIndexes` get `marker`
    /// appended to their text. Returns the file and the article ids in order.
    static func write(count: Int, from shared: URL, to directory: URL, marker: String? = nil,
                      markedIndexes: Set<Int> = []) async throws -> (url: URL, articleIDs: [String]) {
        let source = shared.appendingPathComponent("corpus/ant/articles.jsonl.gz").path
        let raw = directory.appendingPathComponent("articles.raw.jsonl")
        let shell = try await runShell("gzip -dc '\(source)' | head -n \(count) > '\(raw.path)'")
        guard shell == 0 || FileManager.default.fileExists(atPath: raw.path) else {
            throw TestFailure(description: "cannot read \(source) (gzip exit \(shell))")
        }
        let lines = try String(contentsOf: raw, encoding: .utf8).split(separator: "\n").filter { !$0.isEmpty }
        guard lines.count == count else {
            throw TestFailure(description: "\(source) has \(lines.count) articles, the test wants \(count)")
        }
        var output = ""
        var ids: [String] = []
        for (index, line) in lines.enumerated() {
            guard var object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = object["id"].map({ "\($0)" }) else {
                throw TestFailure(description: "line \(index + 1) of \(source) is not an article object")
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

}

/// Samples the store's count of stored jobs every `interval` in a task of its own, so that the moments work stops
/// and resumes around a kill can be measured.
final class StoreProgress: Sendable {
    struct Sample {
        var time: ContinuousClock.Instant
        var stored: Int
    }

    private let path: String
    private let interval: Duration
    private let samples = Mutex<[Sample]>([])
    private let stopped = Mutex(false)
    private let sampler = Mutex<Task<Void, Never>?>(nil)

    init(storePath: String, interval: Duration = .milliseconds(100)) {
        path = storePath
        self.interval = interval
    }

    /// Samples the store at `storePath` while `body` runs.
    static func sampling<Result>(_ storePath: String, _ body: (StoreProgress) async throws -> Result) async throws -> Result {
        let progress = StoreProgress(storePath: storePath)
        progress.start()
        do {
            let result = try await body(progress)
            await progress.stop()
            return result
        } catch {
            await progress.stop()
            throw error
        }
    }

    private func start() {
        let task = Task { [self] in
            _ = await waitUntil(timeout: .seconds(3_600), interval: interval) {
                if let count = StoredRows.count(path) {
                    samples.withLock { $0.append(Sample(time: .now, stored: count)) }
                }
                return stopped.withLock { $0 }
            }
        }
        sampler.withLock { $0 = task }
    }

    /// Ends the sampling; returns once the last sample is taken.
    func stop() async {
        stopped.withLock { $0 = true }
        await sampler.withLock { $0 }?.value
    }

    /// The latest count of stored jobs (0 before the store exists).
    var stored: Int { samples.withLock { $0.last?.stored ?? 0 } }

    /// Waits until at least `target` jobs are stored; false when nothing was stored for `stall`, or when `giveUp()`
    /// says there is no point waiting (the producer has exited), or after `timeout`.
    func wait(forStored target: Int, stall: Duration = .seconds(90), timeout: Duration = .seconds(600),
              giveUp: () -> Bool = { false }) async -> Bool {
        var last = stored
        var movedAt = ContinuousClock.now
        var hopeless = false
        _ = await waitUntil(timeout: timeout) {
            let now = stored
            if now >= target { return true }
            if now != last {
                last = now
                movedAt = .now
            }
            hopeless = ContinuousClock.now - movedAt > stall || giveUp()
            return hopeless
        }
        return stored >= target
    }

    /// The count of the last sample at or before `instant` (0 before the first).
    func stored(at instant: ContinuousClock.Instant) -> Int {
        samples.withLock { $0.last(where: { $0.time <= instant })?.stored ?? 0 }
    }

    /// Time from `since` to the first sample after `after` whose count is above the count at `after`: how long work
    /// stood still. Nil when the count never moved again.
    func timeUntilAdvance(since: ContinuousClock.Instant, after: ContinuousClock.Instant) -> Duration? {
        samples.withLock { samples in
            let before = samples.last(where: { $0.time <= after })?.stored ?? 0
            guard let moved = samples.first(where: { $0.time > after && $0.stored > before }) else { return nil }
            return moved.time - since
        }
    }
}

/// One injected fault and what it cost.
struct FaultEvent {
    var what: String
    var at: ContinuousClock.Instant
    /// When the killed process (or its replacement) was serving again.
    var backAt: ContinuousClock.Instant
    var storedAtKill: Int

    /// Seconds from the fault to the first job stored after the process was back.
    func resumeSeconds(_ progress: StoreProgress) -> Double? {
        progress.timeUntilAdvance(since: at, after: backAt)?.inSeconds
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
