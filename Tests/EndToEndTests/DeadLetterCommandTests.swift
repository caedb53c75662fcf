import Foundation
import MirsadServices
import MirsadWire
import Testing
import ZeroMQ

/// `mirsad dlq list|retry` as a separate process, against a scripted dispatcher socket in this process: flags,
/// JSON and table output, paging, usage errors and a dispatcher that does not answer.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct DeadLetterCommandTests {
    /// A ROUTER on an ephemeral loopback port, served by its own thread, that holds `letters` as dead letters and
    /// answers DEAD_LETTERS (pages of at most `pageCap`) and RETRY_DEAD_LETTERS; with `silent`, answers nothing.
    final class ScriptedDispatcher: @unchecked Sendable {
        private(set) var endpoint = ""
        private let lock = NSLock()
        private var stopping = false
        private var requests: [MirsadMessage] = []
        private let finished = DispatchSemaphore(value: 0)

        /// Binds on a new thread (the socket lives on that thread only) and returns once it listens.
        init(letters: [Mirsad_V1_DeadLetter], pageCap: Int = 2, silent: Bool = false) throws {
            let bound = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var endpointOrError: Result<String, any Error> = .failure(CocoaError(.featureUnsupported))
            let thread = Thread { [self] in
                defer { finished.signal() }
                let context: ZMQContext
                let socket: Socket
                do {
                    context = try ZMQContext()
                    socket = try Socket(context: context, type: .router)
                    try socket.set(.routerMandatory, true)
                    try socket.bind("tcp://127.0.0.1:*")
                    endpointOrError = .success(try socket.lastEndpoint)
                    bound.signal()
                } catch {
                    endpointOrError = .failure(error)
                    bound.signal()
                    return
                }
                defer { socket.close(); context.shutdown() }
                var poller = Poller()
                poller.register(socket)
                while !lock.withLock({ stopping }) {
                    guard ((try? poller.poll(timeoutMilliseconds: 10)) ?? []).first?.contains(.readable) == true else { continue }
                    while let message = try? socket.receive(dontWait: true) {
                        let (peer, decoded) = FrameCodec.decodeRouted(message.frames)
                        guard let peer, case .success(let request) = decoded else { continue }
                        lock.withLock { requests.append(request) }
                        guard !silent, let reply = Self.answer(request, letters: letters, pageCap: pageCap),
                              let frames = try? FrameCodec.encode(reply, to: peer) else { continue }
                        _ = try? socket.send(frames)
                    }
                }
            }
            thread.start()
            bound.wait()
            endpoint = try endpointOrError.get()
        }

        static func answer(_ request: MirsadMessage, letters: [Mirsad_V1_DeadLetter], pageCap: Int) -> MirsadMessage? {
            switch request {
            case .deadLetters(let r):
                let matching = letters.filter { r.batchID.isEmpty || $0.batchID == r.batchID }
                let start = r.afterJobID.isEmpty ? 0 : (matching.firstIndex { $0.jobID == r.afterJobID }.map { $0 + 1 } ?? matching.count)
                let size = min(Int(r.limit == 0 ? 100 : r.limit), pageCap)
                var reply = Mirsad_V1_DeadLettersReply()
                reply.requestID = r.requestID
                reply.letters = Array(matching[start..<min(matching.count, start + size)])
                reply.total = UInt64(matching.count)
                reply.more = start + size < matching.count
                return .deadLettersReply(reply)
            case .retryDeadLetters(let r):
                let dead = letters.filter { r.batchID.isEmpty || $0.batchID == r.batchID }.map(\.jobID)
                var reply = Mirsad_V1_RetryDeadLettersReply()
                reply.requestID = r.requestID
                if r.all {
                    reply.requeued = UInt32(dead.count)
                } else {
                    reply.requeued = UInt32(r.jobIds.filter(dead.contains).count)
                    reply.notDead = r.jobIds.filter { !dead.contains($0) }
                }
                return .retryDeadLettersReply(reply)
            default:
                return nil
            }
        }

        var received: [MirsadMessage] { lock.withLock { requests } }

        func stop() {
            let first = lock.withLock { defer { stopping = true }; return !stopping }
            if first { finished.wait() }
        }

        deinit { stop() }
    }

    private static let letters: [Mirsad_V1_DeadLetter] = (0..<5).map { i in
        var letter = Mirsad_V1_DeadLetter()
        letter.jobID = "\(i < 3 ? "b" : "c"):\(i)"
        letter.batchID = i < 3 ? "b" : "c"
        letter.articleID = "article-\(i)"
        letter.error = "worker w\(i) crashed while analysing this article"
        letter.workerID = "w\(i)"
        letter.attempts = 5
        letter.deadUnixMs = 1_700_000_000_000 + UInt64(i)
        return letter
    }

    @Test func listPrintsEveryDeadLetterAsJSONAndAsATable() async throws {
        let dispatcher = try ScriptedDispatcher(letters: Self.letters)
        defer { dispatcher.stop() }
        let json = try await runMirsad(["dlq", "list", "--dispatcher", dispatcher.endpoint, "--json"])
        #expect(json.status == 0, "dlq list failed: \(json.stderr)")
        let object = try decodeJSON(json.stdout)
        #expect(object["total"] as? Int == 5)
        let entries = try #require(object["dead_letters"] as? [[String: Any]])
        #expect(entries.map { $0["job_id"] as? String } == Self.letters.map(\.jobID), "pages of 2 were all followed")
        #expect(entries.first?["article_id"] as? String == "article-0")
        #expect(entries.first?["worker_id"] as? String == "w0")
        #expect(entries.first?["attempts"] as? Int == 5)
        #expect(entries.first?["dead_unix_ms"] as? Int == 1_700_000_000_000)
        #expect(entries.first?["error"] as? String == Self.letters[0].error)
        #expect(entries.first?["batch_id"] as? String == "b")

        let table = try await runMirsad(["dlq", "list", "--dispatcher", dispatcher.endpoint, "--batch", "c"])
        #expect(table.status == 0, "dlq list failed: \(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("JOB ID") == true, "\(table.stdout)")
        #expect(lines.count == 4, "header, the two dead letters of batch c, and the count: \(table.stdout)")
        #expect(lines[1].contains("c:3") && lines[1].contains("article-3") && lines[1].contains("w3") && lines[1].contains("crashed"))
        #expect(lines.last == "2 dead letters")
    }

    @Test func listStopsAtTheLimit() async throws {
        let dispatcher = try ScriptedDispatcher(letters: Self.letters)
        defer { dispatcher.stop() }
        let result = try await runMirsad(["dlq", "list", "--dispatcher", dispatcher.endpoint, "--limit", "3", "--json"])
        #expect(result.status == 0, "dlq list failed: \(result.stderr)")
        let object = try decodeJSON(result.stdout)
        #expect(object["total"] as? Int == 5)
        #expect((object["dead_letters"] as? [[String: Any]])?.count == 3)
        let asked = dispatcher.received.compactMap { if case .deadLetters(let r) = $0 { r.limit } else { nil } }
        #expect(asked == [3, 1], "the second page asks only for what is left of the limit")
    }

    @Test func retryRequeuesTheIdsGivenOrAllOfABatch() async throws {
        let dispatcher = try ScriptedDispatcher(letters: Self.letters)
        defer { dispatcher.stop() }
        let some = try await runMirsad(["dlq", "retry", "--dispatcher", dispatcher.endpoint, "b:0", "c:4", "b:9", "--json"])
        #expect(some.status == 0, "dlq retry failed: \(some.stderr)")
        let object = try decodeJSON(some.stdout)
        #expect(object["requeued"] as? Int == 2)
        #expect(object["not_dead"] as? [String] == ["b:9"])

        let all = try await runMirsad(["dlq", "retry", "--dispatcher", dispatcher.endpoint, "--all", "--batch", "b"])
        #expect(all.status == 0, "dlq retry --all failed: \(all.stderr)")
        #expect(all.stdout.contains("3 dead letters queued again"), "\(all.stdout)")
        let requests = dispatcher.received.compactMap { if case .retryDeadLetters(let r) = $0 { r } else { nil } }
        #expect(requests.count == 2)
        #expect(requests.first?.jobIds == ["b:0", "c:4", "b:9"] && requests.first?.all == false)
        #expect(requests.last?.all == true && requests.last?.batchID == "b" && requests.last?.jobIds.isEmpty == true)
    }

    @Test func retryWithoutIdsOrAllIsAUsageError() async throws {
        for arguments in [["dlq", "retry"], ["dlq", "retry", "--all", "b:1"], ["dlq", "retry", "b:1", "--batch", "b"]] {
            let result = try await runMirsad(arguments + ["--dispatcher", "tcp://127.0.0.1:9"])
            #expect(result.status == 64, "\(arguments): exit \(result.status), \(result.stderr)")
            #expect(result.stderr.contains("--all") || result.stderr.contains("--batch"), "\(arguments): \(result.stderr)")
        }
    }

    @Test func aDispatcherThatDoesNotAnswerIsAClearErrorAndExitOne() async throws {
        let silent = try ScriptedDispatcher(letters: [], silent: true)
        defer { silent.stop() }
        for command in [["dlq", "list"], ["dlq", "retry", "--all"]] {
            let started = Date()
            let result = try await runMirsad(command + ["--dispatcher", silent.endpoint, "--timeout", "0.5"])
            #expect(result.status == 1, "\(command): exit \(result.status)")
            #expect(result.stderr.contains("no answer from the dispatcher at \(silent.endpoint)"), "\(command): \(result.stderr)")
            // The timeout ends the command; the bound only tells that from waiting for ever (starting a process on a
            // loaded machine can itself take seconds).
            #expect(Date().timeIntervalSince(started) < 60)
        }
    }

    /// A dispatcher that gives each job two attempts, a collector and a supervised worker whose process crashes on
    /// articles containing the poison marker: the poisoned articles become dead letters, `dlq` lists them, status
    /// counts them, and `dlq retry` queues them again (they die again).
    @Test func poisonedArticlesBecomeDeadLettersThatDlqListsAndRetries() async throws {
        let directory = try TestPaths.temporaryDirectory()
        var children: [ManagedProcess] = []
        func start(_ name: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> String {
            var launch = ManagedProcess.Configuration(executable: TestPaths.mirsad, arguments: arguments + ["--log-level", "debug"])
            launch.environment = environment
            launch.errorLogPath = directory.appendingPathComponent("\(name).log").path
            let child = try await ManagedProcess.start(name, launch)
            children.append(child)
            return try await child.awaitLine(prefix: "READY", timeout: .seconds(60))
        }
        do {
            try await poisonedArticlesBecomeDeadLetters(in: directory, start: start)
        } catch {
            await ManagedProcess.stop(children.reversed())
            throw error
        }
        await ManagedProcess.stop(children.reversed())
    }

    private func poisonedArticlesBecomeDeadLetters(
        in directory: URL, start: (String, [String], [String: String]) async throws -> String
    ) async throws {
        let marker = "POISON-\(UUID().uuidString)"
        let dispatcher = try await start("dispatcher", [
            "dispatcher", "--bind", "tcp://127.0.0.1:*", "--journal", ":memory:", "--max-attempts", "2",
            "--retry-backoff", "0.1", "--retry-backoff-max", "0.2"], [:])
        let collector = try await start("collector", [
            "collector", "--bind", "tcp://127.0.0.1:*", "--dispatcher", dispatcher,
            "--store", directory.appendingPathComponent("reports.sqlite").path], [:])
        // Two workers, so each restarts (with its supervisor's growing pause) only for some of the crashes.
        for index in 1...2 {
            _ = try await start("worker-\(index)", [
                "worker", "--dispatcher", dispatcher, "--collector", collector, "--threads", "1"],
                ["MIRSAD_TEST_POISON_MARKER": marker])
        }

        let poisoned: Set<Int> = [1]
        let lines = (0..<6).map { i in
            #"{"id": "art-\#(i)", "text": "وصل الوفد إلى القاهرة صباح اليوم في الزيارة رقم \#(i). \#(poisoned.contains(i) ? marker : "")"}"#
        }
        let input = directory.appendingPathComponent("articles.jsonl")
        try lines.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let submitted = try await runMirsad([
            "submit", input.path, "--dispatcher", dispatcher, "--batch", "poison", "--wait", "--wait-timeout", "120", "--json"])
        #expect(submitted.status == 0, "submit failed: \(submitted.stderr)")
        let report = try decodeJSON(submitted.stdout)
        #expect(report["stored"] as? Int == 5)
        #expect(report["dead_letters"] as? Int == 1)
        #expect(report["retrying"] as? Int == 0)

        let listed = try await runMirsad(["dlq", "list", "--dispatcher", dispatcher, "--batch", "poison", "--json"])
        #expect(listed.status == 0, "dlq list failed: \(listed.stderr)")
        let listing = try decodeJSON(listed.stdout)
        #expect(listing["total"] as? Int == 1)
        let letters = listing["dead_letters"] as? [[String: Any]] ?? []
        #expect(letters.compactMap { $0["article_id"] as? String } == ["art-1"])
        #expect(letters.compactMap { $0["job_id"] as? String } == ["poison:1"])
        #expect(letters.allSatisfy { ($0["attempts"] as? Int) == 2 && !(($0["error"] as? String) ?? "").isEmpty })

        let status = try decodeJSON(try await runMirsad(["status", "--dispatcher", dispatcher, "--json"]).stdout)
        #expect(status["dead_letters"] as? Int == 1)
        #expect(status["failed"] as? Int == 1)
        #expect(status["retrying"] as? Int == 0)
        #expect(status["stored"] as? Int == 5)
        #expect(status["journal"] as? String == "memory")
        #expect((status["redispatches"] as? Int ?? 0) >= 1, "the dead letter ran twice")

        let retried = try await runMirsad(["dlq", "retry", "--dispatcher", dispatcher, "poison:1", "poison:0", "--json"])
        #expect(retried.status == 0, "dlq retry failed: \(retried.stderr)")
        let outcome = try decodeJSON(retried.stdout)
        #expect(outcome["requeued"] as? Int == 1)
        #expect(outcome["not_dead"] as? [String] == ["poison:0"], "a stored job is not a dead letter")

        // The requeued job crashes its worker twice more and is a dead letter again; the stored ones stay stored.
        var again: [String: Any] = [:]
        _ = try await waitUntil(timeout: .seconds(60), interval: .milliseconds(300)) {
            again = try decodeJSON(try await runMirsad(["status", "--dispatcher", dispatcher, "--json"]).stdout)
            return again["dead_letters"] as? Int == 1 && again["retrying"] as? Int == 0 && again["queued"] as? Int == 0
                && again["in_flight"] as? Int == 0
        }
        #expect(again["dead_letters"] as? Int == 1)
        #expect(again["stored"] as? Int == 5)
    }
}
