import Foundation
import MirsadWire
import ReportStore
import Testing
import ZeroMQ

/// A hostile network: peers that flood requests and never read, send random and damaged frames, frame bombs,
/// replayed messages and messages of another role, at every listening endpoint (dispatcher and collector), while a
/// legitimate producer's batch goes through real worker processes.
///
/// What must hold: no service crashes or hangs (each answers every STATUS, 95% of them within a second), each
/// stays within a stated memory bound (`VmRSS` of its process), every dropped or refused message is counted in its
/// STATUS `peer_problems`, the batch completes, and the store holds exactly what the legitimate workers produced.
/// The attacks are drawn from a fixed seed (`MIRSAD_FUZZ_SEED` to try another) and seeded from the golden fixtures.
@Suite(.serialized) struct HostileNetworkTests {
    static let seed = ProcessInfo.processInfo.environment["MIRSAD_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5EC_2026
    /// The memory bound: each service's peak resident memory during the attack. A frame bomb costs libzmq about
    /// 64 bytes a frame until it is drained (the 500,000-frame bomb: ~32 MB), a byte bomb its bytes (40 MB).
    static let memoryBoundKiB = 400 * 1024
    /// The bound the issue sets on STATUS latency during the attack.
    static let latencyBound: Duration = .seconds(1)
    /// The share of STATUS requests that must be answered within `latencyBound`. Not all: the collector answers
    /// between commits, and in a full parallel test run on two cores (dozens of processes, SQLite fsyncs from other
    /// tests) one commit's fsync was seen to take 1.4 s. Every request must still be answered (within 3 s).
    static let withinBoundShare = 0.95

    @Test func servicesStayUpResponsiveAndCorrectUnderAttack() async throws {
        let golden = try GoldenMessages.load()
        try await TestCluster.with(workers: 2) { cluster in
            let dispatcher = try #require(cluster.process("dispatcher"))
            let collector = try #require(cluster.process("collector"))
            let dispatcherEndpoint = cluster.dispatcherEndpoint
            let endpoints = ["dispatcher": dispatcherEndpoint, "collector": cluster.collectorEndpoint]
            let pids = ["dispatcher": dispatcher.processIdentifier, "collector": collector.processIdentifier]
            let baseline = pids.mapValues { MemorySampler.residentKiB($0) ?? 0 }

            let probe = StatusProbe()
            let sampler = MemorySampler()
            let ledger = AttackLedger()
            async let probing: Void = onThread("status-probe") { try probe.run(endpoints, bound: Self.latencyBound) }
            async let sampling: Void = onThread("memory-sampler") { sampler.run(pids) }
            async let batch = runMirsad([
                "submit", TestPaths.samples.path, "--dispatcher", dispatcherEndpoint, "--wait", "--json",
                "--wait-timeout", "120",
            ])
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, (name, endpoint)) in endpoints.sorted(by: { $0.key < $1.key }).enumerated() {
                    let seed = Self.seed &+ UInt64(index)
                    group.addTask { try await onThread("flood-\(name)") { try Attacks.flood(endpoint, name: name, ledger: ledger) } }
                    group.addTask {
                        try await onThread("garbage-\(name)") {
                            try Attacks.garbage(endpoint, name: name, golden: golden, seed: seed, count: 1_500, ledger: ledger)
                        }
                    }
                    group.addTask { try await onThread("bombs-\(name)") { try Attacks.bombs(endpoint, name: name, ledger: ledger) } }
                    group.addTask {
                        try await onThread("roles-\(name)") { try Attacks.wrongRoleAndReplay(endpoint, name: name, golden: golden, ledger: ledger) }
                    }
                }
                try await group.waitForAll()
            }
            let attackTime = ContinuousClock.now - started
            print("hostile network (seed \(Self.seed)): attacks took \(attackTime); sent \(ledger.all.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")

            // Every dropped or refused message is counted, per kind, by the service it was sent to.
            var problems: [String: [String: UInt64]] = [:]
            for (name, endpoint) in endpoints {
                // Exactly what the attackers sent of each kind; refusals at least as many (a legitimate worker that a
                // loaded machine kept silent past its liveness timeout is refused too, until it says HELLO again).
                let expected: [String: Int] = [
                    "malformed": ledger["\(name) malformed"],
                    "too_many_frames": ledger["\(name) too_many_frames"],
                    "too_many_bytes": ledger["\(name) too_many_bytes"],
                ]
                let refusedAtLeast = UInt64(ledger["\(name) wrong role"])
                let settled = await waitUntil(timeout: .seconds(15), interval: .milliseconds(200)) {
                    let asked = try? await onThread("status", { try Attacks.status(endpoint) })
                    guard let reply = asked else { return false }
                    problems[name] = reply.peerProblems
                    return expected.allSatisfy { reply.peerProblems[$0.key] == UInt64($0.value) }
                        && (reply.peerProblems["refused"] ?? 0) >= refusedAtLeast
                }
                #expect(settled, "\(name) counted \(problems[name] ?? [:]), expected \(expected) and at least \(refusedAtLeast) refused")
                #expect((problems[name]?["cut_off"] ?? 0) >= 1, "\(name): the peer that never read was not cut off: \(problems[name] ?? [:])")
            }
            probe.stop()
            sampler.stop()
            try await probing
            try await sampling
            print("""
                hostile network: counted: \(problems.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.sorted { $0.key < $1.key })" }.joined(separator: "; "))
                peak VmRSS KiB: \(sampler.peakKiB.sorted { $0.key < $1.key }) (before the attack \(baseline.sorted { $0.key < $1.key }))
                STATUS latency: \(probe.results.sorted { $0.key < $1.key }.map { "\($0.key) slowest \($0.value.slowest) over \($0.value.asked) asked, \($0.value.slowerThanBound) took a second or more, \($0.value.unanswered) unanswered" })
                """)

            let submitted = try await batch

            // No crash, no hang, bounded memory.
            #expect(dispatcher.isRunning, "dispatcher \(dispatcher.ending?.description ?? "")")
            #expect(collector.isRunning, "collector \(collector.ending?.description ?? "")")
            let latency = probe.results
            for name in endpoints.keys {
                let figures = try #require(latency[name])
                #expect(figures.asked >= 5 && figures.unanswered == 0, "\(name): \(figures.unanswered) of \(figures.asked) STATUS unanswered")
                let withinBound = Double(figures.asked - figures.slowerThanBound) / Double(figures.asked)
                #expect(withinBound >= Self.withinBoundShare,
                        "\(name): \(figures.slowerThanBound) of \(figures.asked) STATUS answers took a second or more (slowest \(figures.slowest))")
                #expect((sampler.peakKiB[name] ?? 0) < Self.memoryBoundKiB, "\(name): peak VmRSS \(sampler.peakKiB[name] ?? 0) KiB")
            }

            // The legitimate batch completed, and the store holds exactly what the workers produced for it.
            #expect(submitted.status == 0, "submit: \(submitted.stderr.suffix(2_000))")
            let report = try decodeJSON(submitted.stdout)
            let articles = try #require(report["articles"] as? Int)
            let batchID = try #require(report["batch_id"] as? String)
            #expect(report["stored"] as? Int == articles)
            let store = try SQLiteReportStore(path: cluster.storePath)
            #expect(try store.count().total == articles)
            #expect(try store.batchCounts(batchID: batchID).analysed == articles)
            #expect(try (0..<articles).allSatisfy { try store.contains(jobID: "\(batchID):\($0)") })

            // The services stop on SIGTERM by themselves, after all that.
            await cluster.stop()
            #expect(dispatcher.ending == .exited(0), "dispatcher \(dispatcher.ending?.description ?? "")")
            #expect(collector.ending == .exited(0), "collector \(collector.ending?.description ?? "")")
        }
    }

    /// A connection that reuses the routing id of a live session's connection is ignored: it cannot take the session
    /// or its messages (ROUTER_HANDOVER is off), and the session goes on.
    @Test func aReusedRoutingIDCannotTakeALiveSession() async throws {
        try await TestCluster.with(workers: 0) { cluster in
            let endpoint = cluster.dispatcherEndpoint
            try await onThread("routing-id") {
                let context = try ZMQContext()
                defer { context.shutdown() }
                func dealer() throws -> Socket {
                    let socket = try Socket(context: context, type: .dealer)
                    try socket.set(.routingID, Array("victim".utf8))
                    try socket.connect(endpoint)
                    return socket
                }
                let victim = try dealer()
                defer { victim.close() }
                try victim.send(FrameCodec.encode(.hello(.with {
                    $0.role = .worker; $0.id = "victim-worker"; $0.capacity = 1; $0.version = "test"
                })))
                let welcome = try Attacks.next(on: victim, within: .seconds(5)) { if case .welcome = $0 { true } else { false } }
                #expect(welcome, "the victim's HELLO was not welcomed")

                let thief = try dealer()
                defer { thief.close() }
                try thief.send(FrameCodec.encode(.status(.with { $0.requestID = "thief" })))
                let thiefHeard = try Attacks.next(on: thief, within: .milliseconds(1_500)) { _ in true }
                #expect(!thiefHeard, "a connection with a taken routing id was served")

                // The victim's connection and session are intact: its heartbeats are answered with the dispatcher's.
                try victim.send(FrameCodec.encode(.heartbeat(Mirsad_V1_Heartbeat())))
                let heartbeat = try Attacks.next(on: victim, within: .seconds(3)) { if case .heartbeat = $0 { true } else { false } }
                #expect(heartbeat, "the victim's session ended")
                let status = try Attacks.status(endpoint)
                #expect(status.workers.map(\.id) == ["victim-worker"])
            }
        }
    }
}

/// The attacks, each from connections of its own. Counts go to the ledger as "<endpoint name> <kind>".
enum Attacks {
    /// Floods STATUS requests and never reads a reply (a small TCP receive window, one message of queue), holds the
    /// connection until the service has cut a peer off (its `cut_off` count grows; at most 150 s, as a loaded service
    /// answers slowly), then hangs up with the replies unread; twice. The replies to 200,000 requests are more than the service's socket buffers (up to
    /// 4 MiB) and its queue of 1,000 hold (the dispatcher's shortest replies are ~60 bytes: 12 MB), so the service must
    /// cut the flood off however fast it answers.
    static func flood(_ endpoint: String, name: String, ledger: AttackLedger, requests: Int = 200_000) throws {
        let request = try FrameCodec.encode(.status(.with { $0.requestID = "flood" }))
        func cutOffs() -> UInt64 { (try? status(endpoint).peerProblems["cut_off"]) ?? 0 }
        for _ in 0..<2 {
            let before = cutOffs()
            let context = try ZMQContext()
            defer { context.shutdown() }
            let socket = try Socket(context: context, type: .dealer)
            try socket.set(.sendHighWaterMark, 0)
            try socket.set(.receiveHighWaterMark, 1)
            try socket.set(.receiveBuffer, 4_096)
            try socket.connect(endpoint)
            for _ in 0..<requests { try socket.send(request) }
            ledger.add("\(name) flood STATUS", requests)
            let deadline = ContinuousClock.now + .seconds(150)
            repeat { Thread.sleep(forTimeInterval: 0.25) } while cutOffs() <= before && ContinuousClock.now < deadline
            socket.close()
        }
    }

    /// Random frames and damaged golden messages, every one of them malformed or over the frame limit.
    static func garbage(
        _ endpoint: String, name: String, golden: [String: [Frame]], seed: UInt64, count: Int, ledger: AttackLedger
    ) throws {
        var random = SeededGenerator(seed: seed)
        let seeds = golden.sorted { $0.key < $1.key }.map(\.value)
        let context = try ZMQContext()
        defer { context.shutdown() }
        let socket = try attacker(context, endpoint)
        for _ in 0..<count {
            let frames = Mutation.hostile(from: seeds, using: &random)
            guard try socket.send(frames) else { continue }
            ledger.add(Mutation.verdict(frames) == .tooManyFrames ? "\(name) too_many_frames" : "\(name) malformed")
            _ = try? socket.receive(dontWait: true)  // VERSION_MISMATCH answers: read, so this peer is never cut off
        }
        while try socket.receive(dontWait: true) != nil {}
        Thread.sleep(forTimeInterval: 0.5)
    }

    /// A message of 500,000 empty frames, and one of two 20 MB frames (each below `ZMQ_MAXMSGSIZE`, together
    /// above any protocol message).
    static func bombs(_ endpoint: String, name: String, ledger: AttackLedger) throws {
        let context = try ZMQContext()
        defer { context.shutdown() }
        let socket = try attacker(context, endpoint)
        try socket.set(.sendHighWaterMark, 0)
        if try socket.send([Frame](repeating: [], count: 500_000)) { ledger.add("\(name) too_many_frames") }
        let big = Frame(repeating: 0x41, count: 20 << 20)
        if try socket.send([big, big]) { ledger.add("\(name) too_many_bytes") }
        try socket.set(.linger, 10_000)  // the bombs must get out before the close
        socket.close()
    }

    /// Messages of roles the endpoint does not take from a fresh peer (a worker's DONE, a collector's STORED, a
    /// producer's SUBMIT to the collector, ...), and replayed requests.
    static func wrongRoleAndReplay(_ endpoint: String, name: String, golden: [String: [Frame]], ledger: AttackLedger) throws {
        let wrongRole = name == "dispatcher"
            ? ["done", "stored", "heartbeat-worker", "bye", "results", "jobs", "welcome", "stored-ack"]
            : ["submit", "done", "hello-worker", "stored", "batch-status", "jobs"]
        let replayed = name == "dispatcher" ? ["status", "batch-status", "dead-letters"] : ["status"]
        let context = try ZMQContext()
        defer { context.shutdown() }
        let socket = try attacker(context, endpoint)
        for _ in 0..<40 {
            for fixture in wrongRole where try socket.send(try #require(golden[fixture])) {
                ledger.add("\(name) wrong role")
                ledger.add("\(name) wrong role \(fixture)")
            }
            for fixture in replayed where try socket.send(try #require(golden[fixture])) {
                ledger.add("\(name) replayed \(fixture)")
            }
            while try socket.receive(dontWait: true) != nil {}
        }
        Thread.sleep(forTimeInterval: 0.5)
        while try socket.receive(dontWait: true) != nil {}
    }

    /// A DEALER connected to `endpoint` whose sends give up after 2 s (so an attack ends even against a service
    /// that stopped reading).
    static func attacker(_ context: ZMQContext, _ endpoint: String) throws -> Socket {
        let socket = try Socket(context: context, type: .dealer)
        try socket.set(.sendTimeout, 2_000)
        try socket.connect(endpoint)
        return socket
    }

    /// One STATUS request from a fresh connection, answered within 5 s.
    static func status(_ endpoint: String) throws -> Mirsad_V1_StatusReply {
        let context = try ZMQContext()
        defer { context.shutdown() }
        let socket = try attacker(context, endpoint)
        defer { socket.close() }
        try socket.send(FrameCodec.encode(.status(.with { $0.requestID = "check" })))
        var reply: Mirsad_V1_StatusReply?
        _ = try next(on: socket, within: .seconds(5)) {
            if case .statusReply(let status) = $0 { reply = status; return true }
            return false
        }
        guard let reply else { throw TestFailure(description: "no STATUS_REPLY from \(endpoint)") }
        return reply
    }

    /// Reads messages until one satisfies `match` (true) or `within` passes (false).
    static func next(on socket: Socket, within: Duration, _ match: (MirsadMessage) -> Bool) throws -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            var poller = Poller()
            poller.register(socket)
            guard try poller.poll(timeout: .milliseconds(50))[0].contains(.readable) else { continue }
            while let message = try socket.receive(dontWait: true) {
                if let decoded = try? FrameCodec.decode(message.frames), match(decoded) { return true }
            }
        }
        return false
    }
}
