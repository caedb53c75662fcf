import ArticleAnalysis
import Foundation
import MirsadCore
import MirsadWire
import ReportStore
import Testing
import ZeroMQ
@testable import MirsadServices

/// Authentication over real sockets on real TCP (127.0.0.1): CURVE with a ZAP handler holding per-role allowlists,
/// authorisation of each message by its key's role, lease tokens binding results to their delivery, the refusal
/// to bind off loopback without keys, and the allowlist reloaded without a restart.
@Suite(.timeLimit(.minutes(5)), .serialized)
struct SecuredClusterTests {
    static func startDispatcher(_ keys: SecurityFixture) async throws -> ServiceRun<DispatcherService> {
        let configuration = try keys.dispatcherConfiguration()
        return try await ServiceRun.start { ready in
            DispatcherService(configuration: configuration, logger: quietLogger, ready: ready)
        }
    }

    /// Stops what a test started when it ends early (a failed `#require`, a thrown error); a test that gets to its
    /// end stops its services itself, checking that they stop cleanly.
    final class Cleanup: @unchecked Sendable {
        // Used by the test's own task only.
        private var stops: [() async -> Void] = []
        func add(_ stop: @escaping () async -> Void) { stops.append(stop) }
        func run() async { for stop in stops.reversed() { await stop() } }
    }

    /// A reply that was not the one expected.
    struct Unexpected: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func withCleanup(_ body: (Cleanup) async throws -> Void) async throws {
        let cleanup = Cleanup()
        do {
            try await body(cleanup)
        } catch {
            await cleanup.run()
            throw error
        }
    }

    static func status(_ endpoint: String, _ keys: SecurityFixture) throws -> StatusView {
        try StatusClient(dispatcherEndpoint: endpoint, security: keys.client(.status)).fetch(timeout: .seconds(10))
    }

    /// Keys that are not in the allowlist never get a message through: every handshake is refused by the ZAP
    /// handler, and the dispatcher counts each.
    @Test func everyUnknownKeyIsRefused() async throws {
        let keys = try SecurityFixture()
        try await Self.withCleanup { cleanup in
            let dispatcher = try await Self.startDispatcher(keys)
            cleanup.add { try? await dispatcher.stop() }
            let attempts = 20
            var refused = 0
            for _ in 0..<attempts {
                let stranger = try CurveCertificate.generate()
                let peer = try CurvePeer(
                    endpoint: dispatcher.readyValue,
                    curve: ClientSecurity(certificate: stranger, serverKey: keys.dispatcher.publicKey))
                try peer.send(.submit(.with { $0.requestID = "r"; $0.batchID = "b" }))
                if try peer.handshake() == .handshakeFailedAuth { refused += 1 }
            }
            // A peer speaking plain ZMTP (no CURVE) to the CURVE server gets nowhere either.
            let plain = try CurvePeer(endpoint: dispatcher.readyValue, curve: nil)
            #expect(try plain.request(.status(.with { $0.requestID = "p" }), seconds: 1) == nil)

            #expect(refused == attempts, "\(refused)/\(attempts) unknown keys refused")
            let status = try Self.status(dispatcher.readyValue, keys)
            #expect(status.queued == 0 && status.malformedMessages == 0 && status.refusedMessages == 0)
            #expect(status.securityRefusals["unknown key"].map { $0 >= UInt64(attempts) } == true)
            try await dispatcher.stop()
        }
    }

    /// Every role's key against every command a peer may send the dispatcher: refused with NOT_ALLOWED exactly
    /// when the role may not send it (`SecurityRole.allowed`), whatever the peer claims.
    @Test func eachRoleMaySendOnlyItsOwnCommands() async throws {
        let keys = try SecurityFixture()
        try await Self.withCleanup { cleanup in
            let dispatcher = try await Self.startDispatcher(keys)
            cleanup.add { try? await dispatcher.stop() }
            let requests: [(Command, MirsadMessage)] = [
                (.submit, .submit(.with { $0.requestID = "q"; $0.batchID = "b9" })),
                (.batchStatus, .batchStatus(.with { $0.requestID = "q"; $0.batchID = "b9" })),
                (.status, .status(.with { $0.requestID = "q" })),
                (.deadLetters, .deadLetters(.with { $0.requestID = "q" })),
                (.retryDeadLetters, .retryDeadLetters(.with { $0.requestID = "q"; $0.all = true })),
                (.done, .done(.with { $0.jobIds = ["b9:0"] })),
                (.stored, .stored(.with { $0.jobIds = ["b9:0"] })),
                (.heartbeat, .heartbeat(Mirsad_V1_Heartbeat())),
                (.bye, .bye(Mirsad_V1_Bye())),
                // Last: a welcomed HELLO opens a session, which changes how session commands are answered.
                (.hello, .hello(.with { $0.role = .worker; $0.id = "w-probe"; $0.capacity = 1 })),
            ]
            var forbidden: [String] = []
            var expectedForbidden: [String] = []
            var unanswered: [String] = []
            for role in SecurityRole.allCases {
                let peer = try CurvePeer(endpoint: dispatcher.readyValue, curve: keys.client(role), identity: "probe-\(role)")
                for (command, message) in requests {
                    let cell = "\(role) \(command)"
                    let allowed = command == .hello
                        ? SecurityRole.allowed(toSayHelloAs: .worker).contains(role)
                        : SecurityRole.allowed(toSend: command).contains(role)
                    if !allowed { expectedForbidden.append(cell) }
                    guard let reply = try peer.request(message) else {
                        unanswered.append(cell)
                        continue
                    }
                    if case .error(let error) = reply, error.code == .notAllowed { forbidden.append(cell) }
                }
            }
            #expect(unanswered.isEmpty)
            #expect(forbidden == expectedForbidden)
            #expect(forbidden.count == 34, "5 roles x 10 commands, 16 allowed")
            let status = try Self.status(dispatcher.readyValue, keys)
            #expect(status.securityRefusals["forbidden by role"] == UInt64(expectedForbidden.count))
            #expect(status.queued == 0 && status.deadLetters == 0 && status.workers.count == 1)
            try await dispatcher.stop()
        }
    }

    /// A result with a bad token is refused and counted at the collector, nothing stored; a STORED from a
    /// collector-role key for a job in flight (not awaiting store) changes nothing and is counted at the
    /// dispatcher; the real result with its real lease is stored and ends the job.
    @Test func forgedResultsAndStoredChangeNothingAndAreCounted() async throws {
        let keys = try SecurityFixture()
        let otherWorker = try CurveCertificate.generate(metadata: [("name", "worker-b")])
        try keys.allow(otherWorker, as: .worker)
        try await Self.withCleanup { cleanup in
            let dispatcher = try await Self.startDispatcher(keys)
            cleanup.add { try? await dispatcher.stop() }
            let storePath = (keys.directory as NSString).appendingPathComponent("reports.sqlite")
            let store = try SQLiteReportStore(path: storePath)
            var collectorConfiguration = CollectorService.Configuration(
                bindEndpoint: "tcp://127.0.0.1:*", dispatcherEndpoint: dispatcher.readyValue)
            collectorConfiguration.security = try keys.serverSecurity(keys.collector)
            collectorConfiguration.dispatcherSecurity = keys.client(.collector)
            collectorConfiguration.leaseKey = keys.leaseKey
            let collector = try await ServiceRun.start { ready in
                CollectorService(configuration: collectorConfiguration, store: store, logger: quietLogger, ready: ready)
            }
            cleanup.add { try? await collector.stop() }

            // A worker (a real worker key) takes two jobs.
            let worker = try CurvePeer(endpoint: dispatcher.readyValue, curve: keys.client(.worker), identity: "w1")
            guard case .welcome = try #require(try worker.request(.hello(.with { $0.role = .worker; $0.id = "w1"; $0.capacity = 2 })))
            else { throw Unexpected("no WELCOME") }
            let batch = "5e0c0b55-9d47-4c36-a1a4-7d2b8e0f1c2a"
            let session = try SubmitSession(options: {
                var options = SubmitSession.Options(dispatcherEndpoint: dispatcher.readyValue, batchID: batch)
                options.security = keys.client(.producer)
                return options
            }())
            for index in 0..<2 { try session.add(Article(id: "a\(index)", content: .text("نص المقال رقم \(index)"))) }
            #expect(try session.finish().accepted == 2)
            var leases: [String: Mirsad_V1_Lease] = [:]
            while leases.count < 2, let message = try worker.next() {
                guard case .jobsView(let jobs) = message else { continue }
                for bytes in jobs.jobs {
                    let job = try Mirsad_V1_Job(serializedBytes: bytes)
                    leases[job.jobID] = job.lease
                }
            }
            let (jobA, jobB) = ("\(batch):0", "\(batch):1")
            #expect(leases[jobA].map(keys.leaseKey.isValid) == true)

            // The worker sends job A's result with a tampered token.
            let toCollector = ClientSecurity(certificate: keys.keys[.worker]!, serverKey: keys.collector.publicKey)
            let results = try CurvePeer(endpoint: collector.readyValue, curve: toCollector, identity: "w1")
            func result(_ jobID: String, lease: Mirsad_V1_Lease?) -> MirsadMessage {
                var result = SampleResults.result(jobID: jobID).0
                result.batchID = batch
                result.workerID = "w1"
                if let lease { result.lease = lease }
                return .results(.with { $0.results = [result] })
            }
            var tampered = try #require(leases[jobA])
            tampered.token[0] ^= 0xFF
            guard case .resultsAck(let refusal) = try #require(try results.request(result(jobA, lease: tampered))) else {
                throw Unexpected("no RESULTS_ACK")
            }
            #expect(refusal.jobIds.isEmpty && refusal.refused.map(\.jobID) == [jobA])
            guard case .resultsAck(let missing) = try #require(try results.request(result(jobA, lease: nil))) else {
                throw Unexpected("no RESULTS_ACK")
            }
            #expect(missing.refused.map(\.jobID) == [jobA])
            #expect(collector.service.statistics.security[.forgedToken] == 2)
            #expect(try store.count().total == 0)

            // Another collector-role key says job B (in flight with w1) is stored.
            let rogue = try CurvePeer(endpoint: dispatcher.readyValue, curve: keys.client(.collector), identity: "rogue")
            guard case .welcome = try #require(try rogue.request(.hello(.with { $0.role = .collector; $0.id = "rogue"; $0.capacity = 0 })))
            else { throw Unexpected("no WELCOME") }
            guard case .storedAck = try #require(try rogue.request(.stored(.with { $0.jobIds = [jobB] }))) else {
                throw Unexpected("no STORED_ACK")
            }
            var status = try Self.status(dispatcher.readyValue, keys)
            #expect(status.securityRefusals["forged STORED"] == 1)
            let held = try StatusClient(dispatcherEndpoint: dispatcher.readyValue, security: keys.client(.status)).batch(batch)
            #expect(held.inFlight == 2 && held.stored == 0, "the forged STORED ended nothing")

            // The real result of job A, with its lease, is stored; its DONE and the collector's STORED end it.
            guard case .resultsAck(let ack) = try #require(try results.request(result(jobA, lease: leases[jobA]))) else {
                throw Unexpected("no RESULTS_ACK")
            }
            #expect(ack.jobIds == [jobA] && ack.refused.isEmpty)

            // Replays of that RESULTS, lease and all: from the worker's own key it is a resend (acknowledged, stored
            // once); from another worker key it is refused and counted, for the lease names the key it was made for.
            guard case .resultsAck(let resent) = try #require(try results.request(result(jobA, lease: leases[jobA]))) else {
                throw Unexpected("no RESULTS_ACK")
            }
            #expect(resent.jobIds == [jobA] && resent.refused.isEmpty)
            let replayer = try CurvePeer(
                endpoint: collector.readyValue,
                curve: ClientSecurity(certificate: otherWorker, serverKey: keys.collector.publicKey), identity: "w2")
            guard case .resultsAck(let replayed) = try #require(try replayer.request(result(jobA, lease: leases[jobA]))) else {
                throw Unexpected("no RESULTS_ACK")
            }
            #expect(replayed.jobIds.isEmpty && replayed.refused.map(\.jobID) == [jobA])
            #expect(collector.service.statistics.security[.forgedToken] == 3)
            let collectorStatus = try StatusClient(
                dispatcherEndpoint: collector.readyValue,
                security: ClientSecurity(certificate: keys.keys[.status]!, serverKey: keys.collector.publicKey)
            ).fetch(timeout: .seconds(10))
            #expect(collectorStatus.securityRefusals["forged token"] == 3)
            try worker.send(.done(.with { $0.jobIds = [jobA] }))
            var finished = false
            for _ in 0..<600 where !finished {  // a liveness bound only
                let batchStatus = try StatusClient(dispatcherEndpoint: dispatcher.readyValue, security: keys.client(.status)).batch(batch)
                finished = batchStatus.stored == 1
                if !finished { usleep(50_000) }
            }
            #expect(finished)
            #expect(try store.count().total == 1)
            status = try Self.status(dispatcher.readyValue, keys)
            #expect(status.securityRefusals["forged STORED"] == 1)
            try await collector.stop()
            try await dispatcher.stop()
        }
    }

    /// Dispatcher, collector, worker and producer with their keys over CURVE on tcp://127.0.0.1: a batch is stored
    /// exactly once.
    @Test func aSecuredBatchCompletesExactlyOnce() async throws {
        let keys = try SecurityFixture()
        try await Self.withCleanup { cleanup in
            let dispatcher = try await Self.startDispatcher(keys)
            cleanup.add { try? await dispatcher.stop() }
            let store = try SQLiteReportStore(path: (keys.directory as NSString).appendingPathComponent("reports.sqlite"))
            var collectorConfiguration = CollectorService.Configuration(
                bindEndpoint: "tcp://127.0.0.1:*", dispatcherEndpoint: dispatcher.readyValue)
            collectorConfiguration.security = try keys.serverSecurity(keys.collector)
            collectorConfiguration.dispatcherSecurity = keys.client(.collector)
            collectorConfiguration.leaseKey = keys.leaseKey
            let collector = try await ServiceRun.start { ready in
                CollectorService(configuration: collectorConfiguration, store: store, logger: quietLogger, ready: ready)
            }
            cleanup.add { try? await collector.stop() }
            var workerConfiguration = WorkerService.Configuration(
                dispatcherEndpoint: dispatcher.readyValue, collectorEndpoint: collector.readyValue, threads: 2, capacity: 8)
            workerConfiguration.analysis = .none
            workerConfiguration.dispatcherSecurity = keys.client(.worker)
            workerConfiguration.collectorSecurity = ClientSecurity(
                certificate: keys.keys[.worker]!, serverKey: keys.collector.publicKey)
            let worker = try await ServiceRun.start { ready in
                WorkerService(configuration: workerConfiguration, analyzer: ArticleAnalyzer(recognizer: EntityRecognizer()),
                              logger: quietLogger, ready: ready)
            }
            cleanup.add { try? await worker.stop() }

            let count = 40
            let batch = "0b7e9a8c-3f41-4d2e-9c55-1a2b3c4d5e6f"
            let session = try SubmitSession(options: {
                var options = SubmitSession.Options(dispatcherEndpoint: dispatcher.readyValue, batchID: batch)
                options.security = keys.client(.producer)
                return options
            }())
            for index in 0..<count { try session.add(Article(id: "s\(index)", content: .text("نص المقال رقم \(index)"))) }
            #expect(try session.finish().accepted == count)
            let follower = try StatusClient(dispatcherEndpoint: dispatcher.readyValue, security: keys.client(.producer))
            var progress = try follower.batch(batch)
            for _ in 0..<600 where progress.stored < count {  // a liveness bound only: the batch ends in well under it
                usleep(100_000)
                progress = try follower.batch(batch)
            }
            #expect(progress.stored == UInt32(count) && progress.failed == 0)
            #expect(try store.count().total == count)
            #expect(collector.service.statistics.committed == UInt64(count))
            #expect(collector.service.statistics.security.total == 0)
            let status = try Self.status(dispatcher.readyValue, keys)
            #expect(status.stored == UInt64(count) && status.failed == 0)
            #expect(status.securityRefusals.isEmpty)
            try await worker.stop()
            try await collector.stop()
            try await dispatcher.stop()
        }
    }

    /// A key added to the allowlist is let in after a reload, without a restart; a key taken out is refused from
    /// its next message on, on the connection it already has, and new connections with it fail.
    @Test func theAllowlistReloadsWithoutARestart() async throws {
        let keys = try SecurityFixture()
        try await Self.withCleanup { cleanup in
            let dispatcher = try await Self.startDispatcher(keys)
            cleanup.add { try? await dispatcher.stop() }
            let newcomer = try CurveCertificate.generate(metadata: [("name", "newcomer")])
            let security = ClientSecurity(certificate: newcomer, serverKey: keys.dispatcher.publicKey)

            let before = try CurvePeer(endpoint: dispatcher.readyValue, curve: security)
            #expect(try before.handshake() == .handshakeFailedAuth)

            try keys.allow(newcomer, as: .status)
            dispatcher.service.reloadAllowlist()
            let admitted = try CurvePeer(endpoint: dispatcher.readyValue, curve: security)
            guard case .statusReply = try #require(try admitted.request(.status(.with { $0.requestID = "1" }))) else {
                throw Unexpected("no STATUS_REPLY after the key was added")
            }

            try keys.disallow(name: "newcomer", as: .status)
            dispatcher.service.reloadAllowlist()
            guard case .error(let error) = try #require(try admitted.request(.status(.with { $0.requestID = "2" }))) else {
                throw Unexpected("the removed key was still answered")
            }
            #expect(error.code == .notAllowed)
            let after = try CurvePeer(endpoint: dispatcher.readyValue, curve: security)
            #expect(try after.handshake() == .handshakeFailedAuth)
            #expect(try Self.status(dispatcher.readyValue, keys).securityRefusals["unknown key"].map { $0 >= 3 } == true)
            try await dispatcher.stop()
        }
    }

    /// Off loopback without keys, neither server starts, and says how to fix it; with --insecure or keys it may.
    @Test func aNonLoopbackBindWithoutKeysRefusesToStart() async throws {
        let keys = try SecurityFixture()
        let dispatcher = DispatcherService(
            configuration: .init(bindEndpoint: "tcp://0.0.0.0:*", protocolConfiguration: DispatcherConfiguration()),
            logger: quietLogger)
        do {
            try await dispatcher.run()
            Issue.record("the dispatcher started")
        } catch let refused as BindPolicy.Refused {
            #expect(refused.description.contains("--insecure") && refused.description.contains("--key FILE"))
        }
        let collector = CollectorService(
            configuration: .init(bindEndpoint: "tcp://*:*", dispatcherEndpoint: "tcp://127.0.0.1:1"),
            store: try SQLiteReportStore(path: (keys.directory as NSString).appendingPathComponent("r.sqlite")),
            logger: quietLogger)
        await #expect(throws: BindPolicy.Refused.self) { try await collector.run() }
        #expect(throws: Never.self) {
            try BindPolicy.check(service: "x", endpoint: "tcp://*:5570", secured: false, insecure: true, keyFlags: "")
            try BindPolicy.check(service: "x", endpoint: "tcp://*:5570", secured: true, insecure: false, keyFlags: "")
        }
        #expect(BindPolicy.isLoopback("tcp://127.0.0.1:5570") && BindPolicy.isLoopback("tcp://localhost:*"))
        #expect(BindPolicy.isLoopback("tcp://[::1]:5570") && BindPolicy.isLoopback("ipc:///tmp/x"))
        #expect(!BindPolicy.isLoopback("tcp://*:5570") && !BindPolicy.isLoopback("tcp://0.0.0.0:5570"))
        #expect(!BindPolicy.isLoopback("tcp://10.0.0.5:5570") && !BindPolicy.isLoopback("tcp://eth0:5570"))
        #expect(!BindPolicy.isLoopback("tcp://127.0.0.1.example.com:5570"))
    }
}
