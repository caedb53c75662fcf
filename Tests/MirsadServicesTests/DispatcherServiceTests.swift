import ArticleAnalysis
import Foundation
import MirsadCore
import Testing
import ZeroMQ
@testable import MirsadServices

/// `DispatcherService` started alone in this process: its wiring to the journal and the socket, and both ways to
/// stop it (graceful shutdown, cancellation). The decisions are `DispatcherStateMachine`'s, tested without sockets.
@Suite(.timeLimit(.minutes(5)))
struct DispatcherServiceTests {
    static func start(journalPath: String = DispatcherService.Configuration.inMemoryJournalPath) async throws
        -> ServiceRun<DispatcherService>
    {
        try await ServiceRun.start { ready in
            DispatcherService(
                configuration: .init(
                    bindEndpoint: "tcp://127.0.0.1:*", protocolConfiguration: DispatcherConfiguration(),
                    journalPath: journalPath),
                logger: quietLogger, ready: ready)
        }
    }

    static func submit(_ count: Int, batch: String, to endpoint: String) throws -> SubmitSession.Totals {
        let session = try SubmitSession(options: .init(dispatcherEndpoint: endpoint, batchID: batch))
        for index in 0..<count {
            try session.add(Article(id: "\(batch)-\(index)", content: .text("نص المقال رقم \(index)")))
        }
        return try session.finish()
    }

    /// Jobs submitted to a dispatcher are in its journal: a second dispatcher on the same file, started after the
    /// first was stopped gracefully, knows them; the first one's socket is gone.
    @Test func aGracefulStopKeepsTheJournalAndReleasesTheEndpoint() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-dispatcher-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let journal = directory.appendingPathComponent("journal.sqlite").path

        let first = try await Self.start(journalPath: journal)
        let totals = try Self.submit(5, batch: "kept", to: first.readyValue)
        #expect(totals.accepted == 5)
        let status = try StatusClient(dispatcherEndpoint: first.readyValue).fetch()
        #expect(status.queued == 5)
        try await first.stop()

        let second = try await Self.start(journalPath: journal)
        let batch = try StatusClient(dispatcherEndpoint: second.readyValue).batch("kept")
        #expect(batch.known && batch.total == 5 && batch.queued == 5)
        try await second.stop()
        #expect(throws: (any Error).self, "the stopped dispatcher still answers") {
            _ = try StatusClient(dispatcherEndpoint: second.readyValue).fetch(timeout: .milliseconds(300))
        }
    }

    /// Two dispatchers in one process: stopping one leaves the other serving (no process-wide stop).
    @Test func stoppingOneDispatcherLeavesAnotherServing() async throws {
        let one = try await Self.start()
        let other = try await Self.start()
        try await one.stop()
        #expect(try Self.submit(3, batch: "alive", to: other.readyValue).accepted == 3)
        #expect(try StatusClient(dispatcherEndpoint: other.readyValue).fetch().queued == 3)
        try await other.stop()
    }

    /// Cancellation ends `run` at once through the ZeroMQ context (blocked calls return ETERM).
    @Test func cancellationEndsTheRun() async throws {
        let (endpoints, continuation) = AsyncStream.makeStream(of: String.self)
        let service = DispatcherService(
            configuration: .init(bindEndpoint: "tcp://127.0.0.1:*", protocolConfiguration: DispatcherConfiguration()),
            logger: quietLogger, ready: { continuation.yield($0) })
        let task = Task { try await service.run() }
        var iterator = endpoints.makeAsyncIterator()
        let endpoint = await iterator.next()
        #expect(endpoint != nil)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
