import ArticleAnalysis
import Foundation
import MirsadServices
import MirsadWire
import Testing
import ZeroMQ

/// Real `mirsad worker` processes (supervised, as in production) against a scripted dispatcher on TCP loopback:
/// a poison article crashes the worker process, a hung one stalls it, kill -9 ends it; each time the supervisor
/// starts a new process, which tells the dispatcher in its HELLO which process it replaces and which job crashed.
@Suite(.timeLimit(.minutes(4)))
struct WorkerProcessTests {
    /// A ROUTER standing in for the dispatcher, driven from the test's own thread: it WELCOMEs every HELLO and
    /// keeps everything it receives.
    private final class ScriptedDispatcher {
        struct Received {
            var peer: RoutingID
            var message: MirsadMessage
        }

        let context: ZMQContext
        let socket: Socket
        let endpoint: String
        private(set) var received: [Received] = []
        /// Workers set no routing id: each connection is named by the id its HELLO announced, and a message sent to
        /// that name goes to the connection that announced it last.
        private var names: [RoutingID: RoutingID] = [:]
        private var routes: [RoutingID: RoutingID] = [:]

        init() throws {
            context = try ZMQContext()
            socket = try Socket(context: context, type: .router)
            try socket.set(.routerMandatory, true)
            try socket.bind("tcp://127.0.0.1:*")
            endpoint = try socket.lastEndpoint
        }

        func send(_ message: MirsadMessage, to peer: RoutingID) throws {
            _ = try socket.send(try FrameCodec.encode(message, to: routes[peer] ?? peer))
        }

        /// Receives (and WELCOMEs HELLOs) until `condition` holds for what has arrived, or `seconds` pass. The
        /// socket is read without blocking, so the test's task never holds a thread of the cooperative pool.
        @discardableResult
        func receive(forUpTo seconds: Double = 30, until condition: ([Received]) -> Bool) async throws -> Bool {
            try await waitUntil(timeout: .seconds(seconds), interval: .milliseconds(20)) {
                while let raw = try socket.receive(dontWait: true) {
                    let (peer, decoded) = FrameCodec.decodeRouted(raw.frames)
                    guard let peer, case .success(let message) = decoded else { continue }
                    if case .hello(let hello) = message {
                        names[peer] = Array(hello.id.utf8)
                        routes[Array(hello.id.utf8)] = peer
                    }
                    received.append(Received(peer: names[peer] ?? peer, message: message))
                    if case .hello = message {
                        var welcome = Mirsad_V1_Welcome()
                        welcome.heartbeatIntervalMs = 200
                        welcome.livenessTimeoutMs = 60_000
                        // A process that said HELLO and ended before its WELCOME (EHOSTUNREACH) needs none.
                        try? send(.welcome(welcome), to: peer)
                    }
                }
                return condition(received)
            }
        }

        var hellos: [Mirsad_V1_Hello] {
            received.compactMap { if case .hello(let h) = $0.message { h } else { nil } }
        }

        func messages(from id: String) -> [MirsadMessage] {
            received.filter { $0.peer == Array(id.utf8) }.map(\.message)
        }

        func close() {
            socket.close()
            context.shutdown()
        }
    }

    /// A supervised `mirsad worker` process: its standard output kept, its standard error in a file.
    private final class WorkerProcess {
        let process: ManagedProcess
        let directory: URL

        private init(process: ManagedProcess, directory: URL) {
            self.process = process
            self.directory = directory
        }

        static func start(dispatcher: String, environment: [String: String] = [:], extraArguments: [String] = []) async throws -> WorkerProcess {
            let directory = try TestPaths.temporaryDirectory()
            var launch = ManagedProcess.Configuration(
                executable: TestPaths.mirsad,
                arguments: ["worker", "--dispatcher", dispatcher, "--threads", "1", "--log-level", "debug"] + extraArguments)
            launch.environment = environment
            launch.errorLogPath = directory.appendingPathComponent("stderr").path
            launch.stopGrace = .seconds(30)
            return WorkerProcess(process: try await ManagedProcess.start("worker", launch), directory: directory)
        }

        var stdout: String { process.outputText }
        var stderr: String { (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

        /// SIGTERM, then the exit status (nil if it did not exit within 30 s; it is then killed).
        func terminate() async -> Int32? {
            let ending = await process.stop()
            return ending.wasKilled ? nil : ending.status
        }

        /// Stops the process (if it still runs) and removes its files.
        func close() async {
            await process.stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    private static func jobs(_ texts: [(id: String, text: String)]) -> MirsadMessage {
        var body = Mirsad_V1_Jobs()
        body.jobs = texts.map { item in
            var job = Mirsad_V1_Job()
            job.jobID = item.id
            job.batchID = "p"
            job.article = Mirsad_V1_Article(Article(id: "article-\(item.id)", content: .text(item.text)))
            return job
        }
        return .jobs(body)
    }

    private static let plainText = "أعلنت وزارة الصحة في غزة اليوم عن وصول شحنة جديدة من الأدوية."

    /// Whether `pid` is gone (or a zombie no one has reaped yet).
    /// The HELLO of the first process after `first`: a process that starved for seconds reconnects and says HELLO
    /// again under its own id, which is not a replacement.
    private static func replacement(of first: Mirsad_V1_Hello, in dispatcher: ScriptedDispatcher) -> Mirsad_V1_Hello? {
        dispatcher.hellos.first { $0.id != first.id }
    }

    private static func isGone(_ pid: Int64) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    @Test func poisonArticleCrashIsNamedByTheNextProcessAndSigtermStopsBoth() async throws {
        let dispatcher = try ScriptedDispatcher()
        defer { dispatcher.close() }
        let marker = "POISON-\(UInt32.random(in: 0...UInt32.max))"
        let worker = try await WorkerProcess.start(dispatcher: dispatcher.endpoint, environment: ["MIRSAD_TEST_POISON_MARKER": marker])
        #expect(try await dispatcher.receive { _ in dispatcher.hellos.count >= 1 }, "no HELLO: \(worker.stderr)")
        let first = try #require(dispatcher.hellos.first)
        #expect(first.replaces.isEmpty && first.crashed.isEmpty)

        try dispatcher.send(Self.jobs([("p:0", Self.plainText), ("p:1", "خبر \(marker) عاجل"), ("p:2", Self.plainText)]), to: Array(first.id.utf8))
        try #require(try await dispatcher.receive(forUpTo: 90) { _ in Self.replacement(of: first, in: dispatcher) != nil }, "no new process after the crash: \(worker.stderr)")
        let second = try #require(Self.replacement(of: first, in: dispatcher))
        #expect(second.id != first.id)
        #expect(second.pid != first.pid)
        #expect(Self.isGone(first.pid))
        #expect(second.replaces == first.id)
        #expect(second.crashed.map(\.jobID) == ["p:1"], "\(second.crashed)")
        let error = second.crashed.first?.error ?? ""
        #expect(error == "worker process crashed with SIGILL while analysing it" || error == "worker process crashed with SIGTRAP while analysing it", "\(error)")
        #expect(second.crashed.first?.permanent == false)

        // The supervisor printed the first process's READY line, once.
        let readyLines = worker.stdout.split(separator: "\n").filter { $0.hasPrefix("READY") }
        #expect(readyLines == ["READY \(first.id)"], "\(worker.stdout)")
        #expect(worker.stderr.contains("while analysing p:1"))

        // SIGTERM to the supervisor: the child says BYE, and the supervisor exits 0.
        #expect(try await dispatcher.receive(forUpTo: 10) { _ in dispatcher.messages(from: second.id).contains { if case .welcome = $0 { false } else { true } } })
        let status = await worker.terminate()
        try await dispatcher.receive(forUpTo: 5) { _ in dispatcher.messages(from: second.id).contains { if case .bye = $0 { true } else { false } } }
        #expect(dispatcher.messages(from: second.id).contains { if case .bye = $0 { true } else { false } }, "no BYE from the child")
        #expect(status == 0, "supervisor exit status \(String(describing: status)): \(worker.stderr)")
        #expect(Self.isGone(second.pid))
        await worker.close()
    }

    @Test func killedProcessIsReplacedWithoutNamingAJob() async throws {
        let dispatcher = try ScriptedDispatcher()
        defer { dispatcher.close() }
        let worker = try await WorkerProcess.start(dispatcher: dispatcher.endpoint)
        #expect(try await dispatcher.receive { _ in dispatcher.hellos.count >= 1 }, "no HELLO: \(worker.stderr)")
        let first = try #require(dispatcher.hellos.first)
        try dispatcher.send(Self.jobs([("k:0", Self.plainText)]), to: Array(first.id.utf8))
        // Held (no collector to acknowledge it): listed in a heartbeat.
        #expect(try await dispatcher.receive { _ in
            dispatcher.messages(from: first.id).contains { if case .heartbeat(let h) = $0 { h.jobIds == ["k:0"] } else { false } }
        }, "the held job was never listed in a heartbeat")

        kill(pid_t(first.pid), SIGKILL)
        try #require(try await dispatcher.receive(forUpTo: 90) { _ in Self.replacement(of: first, in: dispatcher) != nil }, "no new process after kill -9: \(worker.stderr)")
        let second = try #require(Self.replacement(of: first, in: dispatcher))
        #expect(second.replaces == first.id)
        #expect(second.crashed.isEmpty)
        #expect(worker.stderr.contains("was killed by SIGKILL"))
        _ = await worker.terminate()
        await worker.close()
    }

    @Test func hungAnalysisFailsItsJobAndTheProcessIsReplaced() async throws {
        let dispatcher = try ScriptedDispatcher()
        defer { dispatcher.close() }
        let marker = "HANG-\(UInt32.random(in: 0...UInt32.max))"
        let worker = try await WorkerProcess.start(
            dispatcher: dispatcher.endpoint, environment: ["MIRSAD_TEST_HANG_MARKER": marker], extraArguments: ["--job-timeout", "1"])
        #expect(try await dispatcher.receive { _ in dispatcher.hellos.count >= 1 }, "no HELLO: \(worker.stderr)")
        let first = try #require(dispatcher.hellos.first)
        try dispatcher.send(Self.jobs([("h:0", "\(marker) \(Self.plainText)")]), to: Array(first.id.utf8))

        try #require(try await dispatcher.receive(forUpTo: 90) { _ in Self.replacement(of: first, in: dispatcher) != nil }, "no new process after the hang: \(worker.stderr)")
        let failures = dispatcher.messages(from: first.id).flatMap { message -> [Mirsad_V1_JobFailure] in
            if case .done(let done) = message { done.failures } else { [] }
        }
        #expect(failures.map(\.jobID) == ["h:0"])
        #expect(failures.first?.error == "analysis did not finish within 1 s")
        #expect(dispatcher.messages(from: first.id).contains { if case .bye = $0 { true } else { false } })
        let second = try #require(Self.replacement(of: first, in: dispatcher))
        #expect(second.replaces == first.id)
        #expect(second.crashed.isEmpty, "a hang is reported in DONE, not as a crash")
        #expect(worker.stderr.contains("exited with status 75"))
        _ = await worker.terminate()
        await worker.close()
    }

    @Test func childDiesWithItsSupervisor() async throws {
        let dispatcher = try ScriptedDispatcher()
        defer { dispatcher.close() }
        let worker = try await WorkerProcess.start(dispatcher: dispatcher.endpoint)
        #expect(try await dispatcher.receive { _ in dispatcher.hellos.count >= 1 }, "no HELLO: \(worker.stderr)")
        let child = try #require(dispatcher.hellos.first).pid
        #expect(Int64(worker.process.processIdentifier) != child)
        worker.process.signal(SIGKILL)
        await worker.process.waitForExit()
        let gone = await waitUntil(timeout: .seconds(10)) { Self.isGone(child) }
        let state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)) ?? "no /proc entry"
        #expect(gone, "the worker process outlived its supervisor: \(state); \(worker.stderr)")
        await worker.close()
    }
}
