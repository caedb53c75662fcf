import Algorithms
import ArticleAnalysis
import Foundation
import Logging
import MirsadCore
import MirsadWire
import ReportStore
import Testing
import ZeroMQ
@testable import MirsadServices

/// No result lost, none stored twice, whatever stops the collector: STORED notices live in the report store until
/// the dispatcher acknowledges them, a full store acknowledges nothing, and a stop is graceful.
///
/// Each collector is started and stopped alone, in this process (`CollectorServiceTests.withCollector`).
@Suite(.timeLimit(.minutes(5)))
struct CollectorDurabilityTests {
    typealias Harness = CollectorServiceTests

    static func temporaryStorePath(_ name: String) throws -> (directory: URL, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-collector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return (directory, directory.appendingPathComponent(name).path)
    }

    /// RESULTS for `ids`, all carrying one real analysis (analysed once, copied).
    static func results(_ ids: [String]) -> MirsadMessage {
        let template = SampleResults.result(jobID: "template").0
        var body = Mirsad_V1_Results()
        body.results = ids.map { id in
            var result = template
            result.jobID = id
            return result
        }
        return .results(body)
    }

    static func pending(_ path: String) -> Set<String> {
        Set((try? SQLiteReportStore(path: path).pendingNotices(limit: 100_000)) ?? ["(store unreadable)"])
    }

    // MARK: - Restart

    /// A collector whose STORED the dispatcher never acknowledged stops after a short grace period (as a killed
    /// one would, its notices left in the store); the next one on the same file tells the dispatcher again, and
    /// the acknowledgement empties the table.
    @Test func theNextCollectorSendsStoredForWhatTheLastOneLeftUnacknowledged() async throws {
        let (directory, path) = try Self.temporaryStorePath("reports.sqlite")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ids = ["r:0", "r:1", "r:2"]

        let silent = try Harness.fakeDispatcher(acknowledging: false)
        try await Harness.withCollector(
            dispatcher: silent.endpoint, store: try SQLiteReportStore(path: path),
            configure: { $0.shutdownGrace = .milliseconds(100) }
        ) { first in
            let worker = try FakeDealer(endpoint: first.endpoint, identity: "worker-d1")
            try worker.send(Self.results(ids))
            #expect(Set(Harness.acked(try worker.receive { Set(Harness.acked($0)) == Set(ids) })) == Set(ids))
            #expect(silent.waitUntil { Set(Harness.stored(first, $0)) == Set(ids) })
        }
        silent.stop()
        #expect(Self.pending(path) == Set(ids), "stored, acknowledged to the worker, not yet to the dispatcher")

        let dispatcher = try Harness.fakeDispatcher(acknowledging: true)
        defer { dispatcher.stop() }
        try await Harness.withCollector(dispatcher: dispatcher.endpoint, store: try SQLiteReportStore(path: path)) { second in
        #expect(dispatcher.waitUntil { Set(Harness.stored(second, $0)) == Set(ids) })
        #expect(eventually { Self.pending(path).isEmpty }, "left: \(Self.pending(path))")
        #expect(eventually { second.service.statistics.noticesConfirmed == 3 })

        // A duplicate result is acknowledged and reported STORED again (its first STORED may have been lost),
        // and stored once.
        let again = try FakeDealer(endpoint: second.endpoint, identity: "worker-d2")
        try again.send(Self.results(["r:1"]))
        #expect(Harness.acked(try again.receive { Harness.acked($0) == ["r:1"] }) == ["r:1"])
        #expect(dispatcher.waitUntil { Harness.stored(second, $0).filter { $0 == "r:1" }.count == 2 })
        #expect(eventually { Self.pending(path).isEmpty })
        #expect(try SQLiteReportStore(path: path).count().total == 3)
        #expect(second.service.statistics.duplicates == 1)
        }
    }

    /// Far more notices in the store than the collector may hold in memory: all are sent, a window at a time.
    @Test func aBacklogLargerThanMemoryIsPagedThrough() async throws {
        let (directory, path) = try Self.temporaryStorePath("backlog.sqlite")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ids = (0..<25).map { "b:\($0)" }
        guard case .results(let body) = Self.results(ids) else { return }
        _ = try SQLiteReportStore(path: path).store(try body.results.map(CollectorService.storedResult(from:)))
        #expect(Self.pending(path).count == 25)

        let dispatcher = try Harness.fakeDispatcher(acknowledging: true)
        defer { dispatcher.stop() }
        try await Harness.withCollector(
            dispatcher: dispatcher.endpoint, store: try SQLiteReportStore(path: path),
            configure: {
                $0.maxPendingNoticesInMemory = 8
                $0.noticePageSize = 3
            }
        ) { collector in
            #expect(dispatcher.waitUntil { Set(Harness.stored(collector, $0)) == Set(ids) })
            #expect(eventually { Self.pending(path).isEmpty }, "left: \(Self.pending(path).sorted())")
            #expect(collector.service.statistics.noticesInMemory <= 8)
        }
    }

    /// Nothing is told to the dispatcher before it has welcomed the collector.
    @Test func storedWaitsForTheDispatchersWelcome() async throws {
        let welcome = Locked(false)
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            guard case .stored(let notice) = arrival.message else { return [] }
            var ack = Mirsad_V1_StoredAck()
            ack.jobIds = notice.jobIds
            return [.storedAck(ack)]
        }, tick: { _ in [] })
        defer { dispatcher.stop() }
        try await Harness.withCollector(dispatcher: dispatcher.endpoint, store: InMemoryReportStore()) { collector in
            let worker = try FakeDealer(endpoint: collector.endpoint, identity: "worker-d3")
            try worker.send(Self.results(["w:0"]))
            #expect(Harness.acked(try worker.receive { Harness.acked($0) == ["w:0"] }) == ["w:0"])
            let toldEarly = dispatcher.waitUntil(seconds: 0.2) { !Harness.stored(collector, $0).isEmpty }
            #expect(!toldEarly, "STORED before WELCOME")
            #expect(welcome.current == false)

            try dispatcher.send(.welcome(Mirsad_V1_Welcome()), to: collector.routingID)
            #expect(dispatcher.waitUntil { Harness.stored(collector, $0) == ["w:0"] })
            #expect(eventually { collector.service.statistics.noticesConfirmed == 1 })
        }
    }

    // MARK: - Full store

    /// A full store: nothing acknowledged, a counter and a rate-limited log line naming the problem, still
    /// serving; once there is room the resent results go in and are acknowledged.
    @Test func aFullStoreAcknowledgesNothingAndRecoversWhenThereIsRoom() async throws {
        let (directory, path) = try Self.temporaryStorePath("full.sqlite")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try ReopenableSQLiteStore(path: path, maximumSizeBytes: nil)
        try store.reopen(maximumSizeBytes: 4096)  // no room to grow at all
        let lines = Locked<[String]>([])
        let dispatcher = try Harness.fakeDispatcher(acknowledging: true)
        defer { dispatcher.stop() }
        try await Harness.withCollector(dispatcher: dispatcher.endpoint, store: store, logger: capturingLogger(lines)) { collector in
        let worker = try FakeDealer(endpoint: collector.endpoint, identity: "worker-d4")
        let ids = (0..<20).map { "full:\($0)" }

        let started = Date()
        for attempt in 1...3 {
            try worker.send(Self.results(ids))
            #expect(eventually { collector.service.statistics.storeFailures == UInt64(attempt) })
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(Harness.acked(try worker.receive(seconds: 0.2) { !$0.isEmpty }).isEmpty, "acknowledged what was not stored")
        #expect(Harness.stored(collector, dispatcher.received).isEmpty)
        let complaints = lines.current.filter { $0.contains("could not store 20 results") }
        #expect(!complaints.isEmpty)
        #expect(complaints.allSatisfy { $0.contains("full") && $0.contains(path) }, "\(complaints)")
        #expect(Double(complaints.count) <= 1 + elapsed.rounded(.up), "not rate-limited: \(complaints.count) lines in \(elapsed) s")

        try store.reopen(maximumSizeBytes: nil)
        try worker.send(Self.results(ids))
        #expect(Set(Harness.acked(try worker.receive { Set(Harness.acked($0)) == Set(ids) })) == Set(ids))
        #expect(dispatcher.waitUntil { Set(Harness.stored(collector, $0)) == Set(ids) })
        #expect(try store.count().total == 20)
        #expect(eventually { Self.pending(path).isEmpty })
        #expect(collector.service.statistics.committed == 20)
        #expect(lines.current.contains { $0.contains("takes results again") })
        }
    }

    // MARK: - Memory bound on results

    @Test func noCommitHoldsMoreThanTheLimitAndOversizedResultsAreRefused() async throws {
        let dispatcher = try Harness.fakeDispatcher(acknowledging: true)
        defer { dispatcher.stop() }
        let store = SwitchableStore()
        try await Harness.withCollector(dispatcher: dispatcher.endpoint, store: store, configure: { $0.maxResultsPerCommit = 600 }) { collector in
        let worker = try FakeDealer(endpoint: collector.endpoint, identity: "worker-d5")
        let oversized = (0...ProtocolLimits.maxJobsPerMessage).map { "big:\($0)" }
        try worker.send(Self.results(oversized))
        let ids = (0..<1_000).map { "m:\($0)" }
        for chunk in ids.chunks(ofCount: 100) { try worker.send(Self.results(Array(chunk))) }

        let replies = try worker.receive { Set(Harness.acked($0)) == Set(ids) && $0.contains { $0.command == .error } }
        #expect(Set(Harness.acked(replies)) == Set(ids))
        guard case .error(let refusal)? = replies.first(where: { $0.command == .error }) else {
            Issue.record("no ERROR for \(oversized.count) results in one message")
            return
        }
        #expect(refusal.code == .tooLarge)
        #expect(refusal.message.contains("\(oversized.count) results"))
        #expect(try !store.contains(jobID: "big:0"))
        let sizes = store.batchSizes.current
        #expect(sizes.reduce(0, +) == 1_000)
        #expect(sizes.allSatisfy { $0 <= 600 }, "\(sizes)")
        #expect(collector.service.statistics.refusedResults == 1)
        }
    }

    // MARK: - Graceful stop

    /// A graceful stop (what SIGTERM does through the service group): the collector finishes, waits for the
    /// STORED_ACK already on its way and confirms it, says BYE, and returns; one whose dispatcher never answers
    /// gives up after its grace period and leaves its notices for the next start, which sends them. Each collector
    /// is stopped alone; the other keeps serving until its own stop.
    @Test func aGracefulStopConfirmsWhatIsAcknowledgedInTimeAndKeepsTheRest() async throws {
        let (directory, path) = try Self.temporaryStorePath("graceful.sqlite")
        defer { try? FileManager.default.removeItem(at: directory) }
        let silentPath = directory.appendingPathComponent("unanswered.sqlite").path

        // Answers STORED 300 ms late: the acknowledgement arrives while the collector is stopping.
        let due = Locked<[(at: MonotonicInstant, peer: RoutingID, ids: [String])]>([])
        let slow = try FakeRouterPeer(respond: { arrival in
            switch arrival.message {
            case .hello: return [.welcome(Mirsad_V1_Welcome())]
            case .stored(let notice):
                due.withLock { $0.append((arrival.at.advanced(by: .milliseconds(300)), arrival.peer, notice.jobIds)) }
                return []
            default: return []
            }
        }, tick: { now in
            due.withLock { queue in
                let ready = queue.filter { $0.at <= now }
                queue.removeAll { $0.at <= now }
                return ready.map { item in
                    var ack = Mirsad_V1_StoredAck()
                    ack.jobIds = item.ids
                    return (item.peer, MirsadMessage.storedAck(ack))
                }
            }
        })
        defer { slow.stop() }
        let silent = try Harness.fakeDispatcher(acknowledging: false)
        defer { silent.stop() }

        let answered = try await Harness.startCollector(
            dispatcher: slow.endpoint, store: try SQLiteReportStore(path: path), configure: { $0.shutdownGrace = .seconds(2) })
        let unanswered = try await Harness.startCollector(
            dispatcher: silent.endpoint, store: try SQLiteReportStore(path: silentPath),
            configure: { $0.shutdownGrace = .milliseconds(300) })

        let workerA = try FakeDealer(endpoint: answered.endpoint, identity: "worker-g1")
        let workerU = try FakeDealer(endpoint: unanswered.endpoint, identity: "worker-g2")
        try workerU.send(Self.results(["u:0", "u:1"]))
        #expect(Set(Harness.acked(try workerU.receive { Harness.acked($0).count == 2 })) == ["u:0", "u:1"])
        #expect(silent.waitUntil { Set(Harness.stored(unanswered, $0)) == ["u:0", "u:1"] })
        try workerA.send(Self.results(["a:0", "a:1", "a:2"]))
        #expect(Set(Harness.acked(try workerA.receive { Harness.acked($0).count == 3 })) == ["a:0", "a:1", "a:2"])
        #expect(slow.waitUntil { Set(Harness.stored(answered, $0)) == ["a:0", "a:1", "a:2"] })

        let clock = ContinuousClock()
        var stopping = clock.now
        try await unanswered.stop()
        let unansweredStop = clock.now - stopping
        #expect(Self.pending(silentPath) == ["u:0", "u:1"], "unacknowledged notices: \(Self.pending(silentPath))")
        #expect(silent.waitUntil { $0.contains { $0.peer == unanswered.routingID && $0.message.command == .bye } }, "no BYE")
        // The other collector was not stopped with it: it still stores and acknowledges.
        try workerA.send(Self.results(["a:3"]))
        #expect(Harness.acked(try workerA.receive { Harness.acked($0).contains("a:3") }).contains("a:3"))

        stopping = clock.now
        try await answered.stop()
        let answeredStop = clock.now - stopping
        // Each stop is bound by its grace period (0.3 s and 2 s); the bound leaves room for a machine as loaded as a
        // full parallel test run makes it. A stop that waited for answers that never come would not end at all.
        #expect(unansweredStop < .seconds(30), "stopping the collector without answers took \(unansweredStop)")
        #expect(answeredStop < .seconds(30), "stopping the answered collector took \(answeredStop)")
        #expect(Self.pending(path).isEmpty, "acknowledged during the stop but not confirmed: \(Self.pending(path))")
        #expect(answered.service.statistics.noticesConfirmed == 4)
        #expect(slow.waitUntil { $0.contains { $0.peer == answered.routingID && $0.message.command == .bye } }, "no BYE")

        let dispatcher = try Harness.fakeDispatcher(acknowledging: true)
        defer { dispatcher.stop() }
        try await Harness.withCollector(dispatcher: dispatcher.endpoint, store: try SQLiteReportStore(path: silentPath)) { next in
            #expect(dispatcher.waitUntil { Set(Harness.stored(next, $0)) == ["u:0", "u:1"] })
            #expect(eventually { Self.pending(silentPath).isEmpty })
        }
    }
}
