import ArgumentParser
import ArticleAnalysis
import ArticleIngest
import Foundation
import MirsadServices
import MirsadWire
import ReportStore
import Synchronization
import ZeroMQ

/// `mirsad benchmark results INPUT --output FILE`: analyses articles as a worker does and writes each RESULT's
/// encoding (as a worker sends it to a current collector: no tokens, no normalised text, the analysis compressed
/// with zstd and the bundled dictionary; `--zlib` deflated, as for a collector of protocol revisions 2 to 4;
/// `--uncompressed` as it sends it to a collector of revision 1) to FILE, each preceded by its length
/// (4 bytes, little endian). The input of `mirsad benchmark collector`.
struct ResultsFileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results", abstract: "Write the encoded results of articles to a file, for the collector benchmark.")

    @Argument(help: "Articles to analyse (any input `mirsad submit` reads).")
    var input: [String]
    @Option(help: "The file to write.")
    var output: String
    @Option(help: "Analyse at most this many articles.")
    var limit: Int = .max
    @Flag(help: "Leave the analyses uncompressed, as for a collector that does not take zlib.")
    var uncompressed = false
    @Flag(help: "Deflate the analyses, as for a collector that takes zlib but no zstd dictionary.")
    var zlib = false

    func validate() throws {
        guard !(uncompressed && zlib) else { throw ValidationError("--uncompressed and --zlib exclude each other") }
    }

    func run() throws {
        let analyzer = loadAnalyzer { writeStandardError("mirsad benchmark: \($0)\n") }
        let dictionary = uncompressed || zlib ? nil : try Zstd.bundled.get()
        guard let file = FileHandle(forWritingAtPath: output) ?? {
            FileManager.default.createFile(atPath: output, contents: nil) ? FileHandle(forWritingAtPath: output) : nil
        }() else {
            throw CommandFailure("cannot write \(output)")
        }
        defer { try? file.close() }
        try file.truncate(atOffset: 0)
        var written = 0
        try ArticleReader().read(input) { event in
            guard case .article(let article) = event, written < limit else { return }
            var result = Mirsad_V1_Result()
            result.batchID = "benchmark"
            result.article = Mirsad_V1_ArticleMetadata(article)
            let analysis = Mirsad_V1_Analysis(analyzer.analyze(article), includeTokens: false, includeNormalizedText: false)
            if uncompressed {
                result.analysis = analysis
            } else {
                try result.setCompressedAnalysis(analysis, dictionary: dictionary)
            }
            result.workerID = "benchmark-worker"
            result.timings.finishedUnixMs = UInt64(Date().timeIntervalSince1970 * 1000)
            let bytes: [UInt8] = try result.serializedBytes()
            var length = UInt32(bytes.count).littleEndian
            try file.write(contentsOf: Data(bytes: &length, count: 4) + bytes)
            written += 1
        }
        guard written > 0 else { throw CommandFailure("no articles in \(input.joined(separator: " "))") }
        print("wrote \(written) results to \(output)")
    }
}

/// `mirsad benchmark collector FILE`: one `mirsad collector` process, fed the results of FILE (`mirsad benchmark
/// results`) by simulated workers, with a stand-in dispatcher that acknowledges every STORED. Reports results
/// stored and acknowledged per second, the collector's CPU time per result without its indexing thread (so results
/// per second per core), then how long until every result was indexed for reports and the indexing thread's CPU
/// per result, and the store's bytes per result.
///
/// The results of FILE are sent again and again with fresh job ids until `--count` are stored: each is a new row,
/// and each pass after the first gives the articles new ids (`ID~PASS`), so that every result is an article the store
/// has not seen (a near-duplicate of an earlier one, as a reprint is) instead of a cheap repeat of one it has.
struct CollectorBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "collector")

    @Argument(help: "Encoded results, as written by `mirsad benchmark results`.")
    var file: String
    @Option(help: "Results to store in all.")
    var count = 50_000
    @Option(help: "Simulated workers, each on its own connection.")
    var workers = 4
    @Option(help: "Results per RESULTS message.")
    var perMessage = 16
    @Option(help: "RESULTS messages each worker keeps unacknowledged.")
    var window = 4
    @Option(help: "The report store to create (a new file; default: a temporary one, deleted after).")
    var store: String?
    @Option(name: .customLong("index-nice"), help: ArgumentHelp(
        "The collector's --index-nice: 0 lets its indexing thread run without pausing while the cores are busy, so that the run takes the indexing's CPU time rather than ten times it (its CPU per result is the same).",
        valueName: "n"))
    var indexNiceness: Int32?
    @Flag(help: "Print one JSON line.")
    var json = false

    func run() async throws {
        let templates = try Self.readResults(file)
        guard !templates.isEmpty else { throw CommandFailure("\(file) holds no results") }
        let directory = NSTemporaryDirectory() + "mirsad-collector-benchmark-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let storePath = store ?? directory + "/store.sqlite"

        let context = try ZMQContext()
        defer { context.shutdown() }
        let dispatcher = try StandInDispatcher(context: context)
        let dispatcherThread = Thread { dispatcher.serve() }
        dispatcherThread.start()
        defer { dispatcher.stop() }

        let collectorPort = try Self.freePort()
        var launch = ManagedProcess.Configuration(
            executable: ManagedProcess.currentExecutable(),
            arguments: ["collector", "--bind", "tcp://127.0.0.1:\(collectorPort)", "--dispatcher", dispatcher.endpoint,
                        "--store", storePath] + (indexNiceness.map { ["--index-nice", "\($0)"] } ?? []))
        launch.errorLogPath = directory + "/collector.log"
        let collector = try await ManagedProcess.start("collector", launch)
        // Stopped on every path: the process would outlive this one if its exit came first.
        // `cpu` is the collector's CPU until the last acknowledgement, its indexing thread's left out, which
        // `indexerCPU` counts until everything is indexed.
        let seconds: Double, cpu: Double, indexedSeconds: Double, indexerCPU: Double, indexerCPUAtAck: Double
        do {
            _ = try await collector.awaitLine(prefix: "READY", timeout: .seconds(30))

            var sockets: [Socket] = []
            defer { sockets.forEach { $0.close() } }
            for index in 0..<workers {
                let socket = try Socket(context: context, type: .dealer)
                try socket.set(.routingID, Array("benchmark-worker-\(index)".utf8))
                try socket.set(.linger, 0)
                try socket.connect("tcp://127.0.0.1:\(collectorPort)")
                sockets.append(socket)
            }

            var next = 0
            var acknowledged = 0
            var outstanding = Array(repeating: 0, count: workers)
            func sendMessage(on worker: Int) throws {
                guard next < count else { return }
                let n = min(perMessage, count - next)
                var body: [UInt8] = []
                for _ in 0..<n {
                    let jobID = Array("bench:\(next)".utf8)
                    let pass = next / templates.count
                    let template = pass == 0
                        ? templates[next % templates.count] : try Self.renamed(templates[next % templates.count], pass: pass)
                    let result = ProtobufFields.lengthDelimited(1, jobID) + template
                    body += ProtobufFields.lengthDelimited(1, result)
                    next += 1
                }
                _ = try sockets[worker].send([FrameCodec.protocolID, [Command.results.rawValue], body])
                outstanding[worker] += 1
            }

            let cpuBefore = try Self.cpuSeconds(pid: collector.processIdentifier)
            let indexerBefore = Self.threadCPUSeconds(pid: collector.processIdentifier, named: "indexer")
            let started = Date()
            for worker in 0..<workers {
                for _ in 0..<window { try sendMessage(on: worker) }
            }
            let deadline = Date().addingTimeInterval(600)
            while acknowledged < count {
                guard Date() < deadline else { throw CommandFailure("the collector stored \(acknowledged) of \(count) within 600 s") }
                var poller = Poller()
                for socket in sockets { poller.register(socket) }
                let events = try poller.poll(timeoutMilliseconds: 1000)
                for (worker, event) in events.enumerated() where event.contains(.readable) {
                    while let message = try sockets[worker].receive(dontWait: true) {
                        guard case .resultsAck(let ack) = try FrameCodec.decode(message.frames) else { continue }
                        // A refused result is never acknowledged: waiting for it would only end at the deadline.
                        if let first = ack.refused.first {
                            throw CommandFailure(
                                "the collector refused \(ack.refused.count) results of \(file) (job \(first.jobID): \(first.reason)); "
                                    + "write the file again with this build's `mirsad benchmark results`")
                        }
                        acknowledged += ack.jobIds.count
                        outstanding[worker] -= 1
                        try sendMessage(on: worker)
                    }
                }
            }
            seconds = Date().timeIntervalSince(started)
            indexerCPUAtAck = Self.threadCPUSeconds(pid: collector.processIdentifier, named: "indexer") - indexerBefore
            cpu = try Self.cpuSeconds(pid: collector.processIdentifier) - cpuBefore - indexerCPUAtAck
            // The collector indexes in the background (`ReportIndexer`); the run ends when it has caught up.
            let reader = try SQLiteReportStore(path: storePath)
            while try reader.notYetIndexed() > 0 {
                guard Date() < deadline else { throw CommandFailure("the collector had not indexed every result within 600 s") }
                try await Task.sleep(for: .milliseconds(100))
            }
            indexedSeconds = Date().timeIntervalSince(started)
            indexerCPU = Self.threadCPUSeconds(pid: collector.processIdentifier, named: "indexer") - indexerBefore
        } catch {
            await collector.stop()
            throw error
        }
        await collector.stop()
        // What the store takes once its log is copied in: the log itself is reused space, up to 64 MiB.
        try SQLiteReportStore(path: storePath).checkpoint()
        func bytes(_ suffixes: [String]) -> Int {
            suffixes.reduce(0) { total, suffix in
                total + ((try? FileManager.default.attributesOfItem(atPath: storePath + suffix)[.size] as? Int) ?? 0)
            }
        }
        let storeBytes = bytes(["", "-wal"])
        let inboxBytes = bytes(["-inbox", "-inbox-wal"])
        let averageResult = templates.reduce(0) { $0 + $1.count } / templates.count
        let figures: [String: Any] = [
            "results": count, "seconds": seconds, "results_per_s": Double(count) / seconds,
            "collector_cpu_s": cpu, "results_per_cpu_s": Double(count) / max(cpu, 1e-9),
            "cpu_us_per_result": cpu * 1e6 / Double(count), "store_bytes_per_result": storeBytes / count,
            "inbox_bytes_after": inboxBytes,
            "indexed_seconds": indexedSeconds, "indexed_per_s": Double(count) / indexedSeconds,
            "indexer_cpu_s": indexerCPU, "indexer_cpu_us_per_result": indexerCPU * 1e6 / Double(count),
            "indexer_cpu_s_before_last_ack": indexerCPUAtAck,
            "result_bytes": averageResult, "workers": workers, "per_message": perMessage,
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "stored and acknowledged %d results in %.2f s: %.0f results/s; collector CPU without indexing %.2f s = %.1f µs per result = %.0f results per CPU second",
                         count, seconds, Double(count) / seconds, cpu, cpu * 1e6 / Double(count),
                         Double(count) / max(cpu, 1e-9)))
            print(String(format: "indexed for reports %.2f s after the start (%.0f results/s); indexing CPU %.2f s = %.1f µs per result (%.2f s of it before the last acknowledgement)",
                         indexedSeconds, Double(count) / indexedSeconds, indexerCPU, indexerCPU * 1e6 / Double(count), indexerCPUAtAck))
            print("store \(storeBytes / count) bytes per result (results of \(averageResult) bytes on the wire); inbox file \(inboxBytes) bytes once drained")
        }
    }

    /// Each result of the file, encoded without its job id (field 1), which the benchmark puts in front.
    static func readResults(_ path: String) throws -> [[UInt8]] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
        let bytes = [UInt8](data)
        var results: [[UInt8]] = []
        var offset = 0
        while offset + 4 <= bytes.count {
            let length = Int(UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24)
            offset += 4
            guard offset + length <= bytes.count else { throw CommandFailure("\(path) is truncated at byte \(offset)") }
            var result = try Mirsad_V1_Result(serializedBytes: Array(bytes[offset..<(offset + length)]))
            result.jobID = ""
            results.append(try result.serializedBytes())
            offset += length
        }
        return results
    }

    /// `template` with its article's id and URL marked with `pass`: another article with the same text.
    static func renamed(_ template: [UInt8], pass: Int) throws -> [UInt8] {
        var result = try Mirsad_V1_Result(serializedBytes: template)
        result.article.id += "~\(pass)"
        if result.article.hasURL { result.article.url += "?pass=\(pass)" }
        return try result.serializedBytes()
    }

    /// User and system CPU seconds of a process so far.
    /// The CPU seconds of the threads of `pid` named `name` (as `/proc` shows thread names).
    static func threadCPUSeconds(pid: Int32, named name: String) -> Double {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.reduce(0) { total, task in
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/comm", encoding: .utf8)) ?? ""
            guard comm.trimmingCharacters(in: .whitespacesAndNewlines) == name else { return total }
            return total + ((try? cpuSeconds(statPath: "/proc/\(pid)/task/\(task)/stat")) ?? 0)
        }
    }

    static func cpuSeconds(pid: Int32) throws -> Double {
        try cpuSeconds(statPath: "/proc/\(pid)/stat")
    }

    static func cpuSeconds(statPath: String) throws -> Double {
        guard let stat = try? String(contentsOfFile: statPath, encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { throw CommandFailure("cannot read the CPU time in \(statPath)") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw CommandFailure("cannot read the CPU time in \(statPath)")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func freePort() throws -> Int {
        let context = try ZMQContext()
        defer { context.shutdown() }
        let socket = try Socket(context: context, type: .router)
        defer { socket.close() }
        try socket.bind("tcp://127.0.0.1:*")
        guard let port = Int(try socket.lastEndpoint.split(separator: ":").last ?? "") else {
            throw CommandFailure("no free port")
        }
        return port
    }
}

/// A dispatcher that welcomes a collector and acknowledges every STORED at once, for the collector benchmark.
private final class StandInDispatcher: Sendable {
    let endpoint: String
    private let router: Mutex<Socket?>
    private let stopped = Atomic<Bool>(false)

    init(context: ZMQContext) throws {
        let socket = try Socket(context: context, type: .router)
        try socket.set(.linger, 0)
        try socket.bind("tcp://127.0.0.1:*")
        endpoint = try socket.lastEndpoint
        router = Mutex(socket)
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    func serve() {
        guard let socket = router.withLock({ $0.take() }) else { return }
        defer { socket.close() }
        var peers: Set<RoutingID> = []
        var lastHeartbeat = Date()
        while !stopped.load(ordering: .relaxed) {
            var poller = Poller()
            poller.register(socket)
            guard let events = try? poller.poll(timeoutMilliseconds: 100) else { return }
            if events[0].contains(.readable) {
                while let message = try? socket.receive(dontWait: true) {
                    let (peer, decoded) = FrameCodec.decodeRouted(message.frames)
                    guard let peer, case .success(let body) = decoded else { continue }
                    peers.insert(peer)
                    switch body {
                    case .hello:
                        _ = try? socket.send(FrameCodec.encode(.welcome(.with {
                            $0.heartbeatIntervalMs = 1000
                            $0.livenessTimeoutMs = 60_000
                            $0.limits = .current
                        }), to: peer))
                    case .stored(let stored):
                        _ = try? socket.send(FrameCodec.encode(.storedAck(.with { $0.jobIds = stored.jobIds }), to: peer))
                    default:
                        break
                    }
                }
            }
            if Date().timeIntervalSince(lastHeartbeat) > 0.5 {
                lastHeartbeat = Date()
                for peer in peers { _ = try? socket.send(FrameCodec.encode(.heartbeat, to: peer)) }
            }
        }
    }
}
