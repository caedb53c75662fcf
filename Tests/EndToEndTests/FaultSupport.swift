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

/// The store's count of stored jobs, sampled every `interval` on a thread of its own, and faults injected from that
/// thread. The tests share a pool of as many threads as cores, which other tests running alongside may keep busy for
/// seconds on a two-core machine: a sampler or a kill waiting on that pool would see the batch late, and could
/// strike after it had ended. Here a kill lands at the sample that reaches its threshold, and every change of the
/// count is timed when it is seen.
final class StoreProgress: Sendable {
    /// A moment the count changed, and its new value.
    struct Move {
        var time: ContinuousClock.Instant
        var stored: Int
    }

    /// A fault the sampling thread injected: when, and the count it had just read.
    struct Strike {
        var at: ContinuousClock.Instant
        var stored: Int
    }

    private struct State {
        var moves: [Move] = []
        var stopped = false
        var armed: (target: Int, fault: @Sendable () -> Void)?
        var strike: Strike?
        var longestPoolDelay = Duration.zero
    }

    private let path: String
    private let interval: Duration
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    init(storePath: String, interval: Duration = .milliseconds(50)) {
        path = storePath
        self.interval = interval
    }

    /// Samples the store at `storePath` while `body` runs.
    static func sampling<Result>(_ storePath: String, _ body: (StoreProgress) async throws -> Result) async throws -> Result {
        let progress = StoreProgress(storePath: storePath)
        progress.start()
        defer { progress.stop() }
        return try await body(progress)
    }

    func start() {
        let path = self.path, interval = self.interval.inSeconds
        Thread { [self] in
            while !state.withLock({ $0.stopped }) {
                if let count = StoredRows.count(path) {
                    let now = ContinuousClock.now
                    state.withLock { state in
                        if count != state.moves.last?.stored ?? 0 { state.moves.append(Move(time: now, stored: count)) }
                        if let armed = state.armed, count >= armed.target {
                            armed.fault()
                            state.armed = nil
                            state.strike = Strike(at: now, stored: count)
                        }
                    }
                }
                // How late the shared pool runs a task sent now: what delays every wait of the test itself.
                let sent = ContinuousClock.now
                Task.detached { [self] in
                    let delay = sent.duration(to: .now)
                    state.withLock { $0.longestPoolDelay = max($0.longestPoolDelay, delay) }
                }
                Thread.sleep(forTimeInterval: interval)  // the sampling period
            }
            finished.signal()
        }.start()
    }

    /// The longest a task sent to the tests' shared pool waited to run while sampling: on a loaded machine, other
    /// tests keep the pool busy, and every step the test takes on it (restarting a process, reading a READY line)
    /// is late by up to this much.
    var longestPoolDelay: Duration { state.withLock { $0.longestPoolDelay } }

    /// Ends the sampling; returns once the sampling thread has. Idempotent.
    func stop() {
        let wasRunning = state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        if wasRunning { finished.wait() }
    }

    /// The latest count (0 before the store exists).
    var stored: Int { state.withLock { $0.moves.last?.stored ?? 0 } }

    /// Waits until at least `target` jobs are stored; false when nothing was stored for `stall`, or when `giveUp()`
    /// says there is no point waiting (the producer has exited), or after `timeout`.
    func wait(forStored target: Int, stall: Duration = .seconds(90), timeout: Duration = .seconds(600),
              giveUp: () -> Bool = { false }) async -> Bool {
        _ = await waitUntil(timeout: timeout, interval: .milliseconds(20)) {
            stored >= target || standsStill(for: stall) || giveUp()
        }
        return stored >= target
    }

    /// Runs `fault` on the sampling thread at the first sample of at least `target` stored jobs, and returns when
    /// and at what count it struck; nil (and `fault` not run) when the wait ends first as in `wait(forStored:)`.
    /// `fault` runs while the samples are locked: it must be quick and must not use this object.
    func strike(whenStored target: Int, stall: Duration = .seconds(90), timeout: Duration = .seconds(600),
                giveUp: () -> Bool = { false }, _ fault: @escaping @Sendable () -> Void) async -> Strike? {
        state.withLock {
            $0.strike = nil
            $0.armed = (target, fault)
        }
        _ = await waitUntil(timeout: timeout, interval: .milliseconds(20)) {
            state.withLock { $0.strike != nil } || standsStill(for: stall) || giveUp()
        }
        return state.withLock { state in
            state.armed = nil
            return state.strike
        }
    }

    private func standsStill(for stall: Duration) -> Bool {
        let since = state.withLock { $0.moves.last?.time }
        return since.map { ContinuousClock.now - $0 > stall } ?? false
    }

    /// The count at `instant`: the last change at or before it (0 before the first).
    func stored(at instant: ContinuousClock.Instant) -> Int {
        state.withLock { $0.moves.last(where: { $0.time <= instant })?.stored ?? 0 }
    }

    /// When the count first changed after `instant`; nil when it has not.
    func firstChange(after instant: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        state.withLock { $0.moves.first(where: { $0.time > instant })?.time }
    }

    /// The longest time the count stood still between `start` (nil: the first change) and `end` (nil: the last
    /// change), and the count it stood at. A stretch under way at `start` counts from the change before it; one
    /// under way at `end` counts until `end`.
    func longestStall(from start: ContinuousClock.Instant?, to end: ContinuousClock.Instant? = nil) -> (duration: Duration, stored: Int) {
        let moves = state.withLock { $0.moves }
        var previous = start.flatMap { start in moves.last { $0.time < start } }
        var longest = (duration: Duration.zero, stored: 0)
        func consider(_ from: Move, _ to: ContinuousClock.Instant) {
            if from.time.duration(to: to) > longest.duration { longest = (from.time.duration(to: to), from.stored) }
        }
        for move in moves where start.map({ move.time >= $0 }) ?? true {
            if let end, move.time > end { break }
            if let previous { consider(previous, move.time) }
            previous = move
        }
        if let end, let previous, previous.time < end { consider(previous, end) }
        return longest
    }
}

/// One injected fault and what it cost.
struct FaultEvent {
    var what: String
    var at: ContinuousClock.Instant
    /// When the killed process (or its replacement) was serving again.
    var backAt: ContinuousClock.Instant
    var storedAtKill: Int

    /// Seconds from the fault to the first change of the count after the process was back; nil when the count never
    /// changed again.
    func resumeSeconds(_ progress: StoreProgress) -> Double? {
        progress.firstChange(after: backAt).map { (($0 - at) as Duration).inSeconds }
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
