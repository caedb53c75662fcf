import Foundation
import MirsadWire
import Synchronization
import ZeroMQ

/// Attacks on a service's endpoint, as a hostile peer on the network would make them: each on a thread of its
/// own with sockets of its own, counting what it sent by kind.

/// A small deterministic generator (SplitMix64), so a failing run can be repeated with its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The golden messages of `Protocols/fixtures/`, as DEALER frames: protocol id, the command byte named in the
/// `.txt`, the `.bin` body.
enum GoldenMessages {
    static let directory = TestPaths.repositoryRoot.appendingPathComponent("Protocols/fixtures")

    static func load() throws -> [String: [Frame]] {
        var messages: [String: [Frame]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".bin") {
            let stem = String(name.dropLast(4))
            let body = try Data(contentsOf: directory.appendingPathComponent(name))
            let text = try String(contentsOf: directory.appendingPathComponent(stem + ".txt"), encoding: .utf8)
            // "# command: STATUS (0x14)"
            guard let open = text.range(of: "(0x"), let byte = UInt8(text[open.upperBound...].prefix(2), radix: 16) else { continue }
            messages[stem] = [FrameCodec.protocolID, [byte], Array(body)]
        }
        return messages
    }
}

/// What a receiver makes of a message a DEALER sends (one more frame, the routing id, on the ROUTER side).
enum Verdict: Hashable {
    case tooManyFrames
    case malformed
    case wellFormed
}

enum Mutation {
    static func verdict(_ frames: [Frame]) -> Verdict {
        if frames.count > ProtocolLimits.framesPerMessage { return .tooManyFrames }
        // Malformed only when neither reading takes it: the services pass jobs and results on as bytes.
        let decodes = (try? FrameCodec.decode(frames)) != nil || (try? FrameCodec.decode(frames, reading: .passThrough)) != nil
        return decodes ? .wellFormed : .malformed
    }

    /// A message that is not a protocol message: random frames, or a golden message damaged. Drawn until the
    /// receiver must drop it (a damaged message that still decodes is drawn again), so the test knows what each
    /// service must count.
    static func hostile(from golden: [[Frame]], using random: inout SeededGenerator) -> [Frame] {
        while true {
            var frames: [Frame]
            if Bool.random(using: &random) {
                frames = (0..<Int.random(in: 1...5, using: &random)).map { _ in
                    (0..<Int.random(in: 0...48, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                }
            } else {
                frames = golden.randomElement(using: &random)!
                for _ in 0..<Int.random(in: 1...3, using: &random) { mutate(&frames, using: &random) }
            }
            if verdict(frames) != .wellFormed { return frames }
        }
    }

    private static func mutate(_ frames: inout [Frame], using random: inout SeededGenerator) {
        let index = Int.random(in: 0..<frames.count, using: &random)
        switch Int.random(in: 0..<7, using: &random) {
        case 0 where !frames[index].isEmpty:  // flip a byte
            let at = Int.random(in: 0..<frames[index].count, using: &random)
            frames[index][at] ^= UInt8.random(in: 1...255, using: &random)
        case 1 where !frames[index].isEmpty:  // cut a frame short
            frames[index].removeLast(Int.random(in: 1...frames[index].count, using: &random))
        case 2:  // another command byte
            if frames.count > 1 { frames[1] = [UInt8.random(in: 0...255, using: &random)] }
        case 3:  // a frame more
            frames.insert([UInt8.random(in: 0...255, using: &random)], at: index)
        case 4 where frames.count > 1:  // a frame less
            frames.remove(at: index)
        case 5:  // another protocol version
            frames[0] = Array("MRSD\(Int.random(in: 2...9, using: &random))".utf8)
        default:  // garbage appended to the body
            frames[frames.count - 1] += (0..<8).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
    }
}

/// Counts by kind of what the attackers sent, and to which endpoint.
final class AttackLedger: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func add(_ kind: String, _ count: Int = 1) { counts.withLock { $0[kind, default: 0] += count } }
    subscript(_ kind: String) -> Int { counts.withLock { $0[kind] ?? 0 } }
    var all: [String: Int] { counts.withLock { $0 } }
}

/// Runs blocking socket work on a thread of its own (never on the cooperative pool, which it would starve).
func onThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.name = name
        thread.stackSize = 4 << 20
        thread.start()
    }
}

/// Asks STATUS of each endpoint every `interval` until stopped, and keeps the slowest answer and the unanswered.
final class StatusProbe: Sendable {
    struct Figures: Sendable {
        var asked = 0
        var unanswered = 0
        var slowest: Duration = .zero
        /// Answers that took `bound` or longer.
        var slowerThanBound = 0
    }

    private let stopped = Atomic<Bool>(false)
    private let figures = Mutex<[String: Figures]>([:])

    func stop() { stopped.store(true, ordering: .relaxed) }
    var results: [String: Figures] { figures.withLock { $0 } }

    /// Probes `endpoints` (name to endpoint) until `stop()`; an answer slower than `giveUp` counts as unanswered.
    func run(_ endpoints: [String: String], bound: Duration, interval: Duration = .milliseconds(100), giveUp: Duration = .seconds(3)) throws {
        let context = try ZMQContext()
        defer { context.shutdown() }
        var sockets: [(String, Socket)] = []
        for (name, endpoint) in endpoints.sorted(by: { $0.key < $1.key }) {
            let socket = try Socket(context: context, type: .dealer)
            try socket.connect(endpoint)
            sockets.append((name, socket))
        }
        defer { for (_, socket) in sockets { socket.close() } }
        var sequence = 0
        while !stopped.load(ordering: .relaxed) {
            for (name, socket) in sockets {
                sequence += 1
                let requestID = "probe-\(sequence)"
                let started = ContinuousClock.now
                try socket.send(FrameCodec.encode(.status(.with { $0.requestID = requestID })))
                var answered = false
                while !answered, ContinuousClock.now - started < giveUp {
                    var poller = Poller()
                    poller.register(socket)
                    guard try poller.poll(timeout: .milliseconds(50))[0].contains(.readable) else { continue }
                    while let message = try socket.receive(dontWait: true) {
                        if let reply = try? FrameCodec.decode(message.frames) {
                            switch reply {
                            case .statusReply(let status) where status.requestID == requestID: answered = true
                            case .error(let error) where error.requestID == requestID || error.requestID.isEmpty: answered = true
                            default: break
                            }
                        }
                    }
                }
                let took = ContinuousClock.now - started
                figures.withLock {
                    $0[name, default: .init()].asked += 1
                    if answered { $0[name]!.slowest = max($0[name]!.slowest, took) } else { $0[name]!.unanswered += 1 }
                    if took >= bound { $0[name]!.slowerThanBound += 1 }
                }
            }
            Thread.sleep(forTimeInterval: interval.inSeconds)
        }
    }
}

/// Samples the resident memory of processes (`VmRSS` in /proc/PID/status) until stopped; keeps the peak.
final class MemorySampler: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let peaks = Mutex<[String: Int]>([:])

    func stop() { stopped.store(true, ordering: .relaxed) }
    /// Peak resident memory by process name, in KiB.
    var peakKiB: [String: Int] { peaks.withLock { $0 } }

    static func residentKiB(_ pid: pid_t) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    func run(_ processes: [String: pid_t], interval: Duration = .milliseconds(20)) {
        while !stopped.load(ordering: .relaxed) {
            for (name, pid) in processes {
                if let kib = Self.residentKiB(pid) { peaks.withLock { $0[name] = max($0[name] ?? 0, kib) } }
            }
            Thread.sleep(forTimeInterval: interval.inSeconds)
        }
    }
}
