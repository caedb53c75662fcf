import Foundation
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Synchronization
import Testing
@testable import MirsadServices

/// `WorkerSupervisor` as a service in this process, with shell scripts standing in for the worker: the first ready
/// line passed on once, a dead child replaced with the handover naming it, graceful shutdown stopping the child.
@Suite(.timeLimit(.minutes(1)))
struct WorkerSupervisorTests {
    private static func supervisor(
        _ script: String, ready: @escaping @Sendable (String) -> Void
    ) -> WorkerSupervisor {
        var configuration = WorkerSupervisor.Configuration(executable: "/bin/sh", arguments: ["-c", script])
        configuration.timing.initialBackoff = .milliseconds(10)
        configuration.shutdownGrace = .seconds(10)
        return WorkerSupervisor(configuration: configuration, logger: Logger(label: "test.supervisor"), ready: ready)
    }

    @Test func aKilledChildIsReplacedByOneThatNamesItAndOnlyTheFirstReadyLineIsPassedOn() async throws {
        let handovers = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-handover-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: handovers) }
        let announced = Mutex<[String]>([])
        // The first child dies of SIGKILL once ready; the one replacing it exits cleanly, which ends the supervisor.
        let supervisor = Self.supervisor("""
            echo "$MIRSAD_WORKER_ID $MIRSAD_WORKER_REPLACES" >> '\(handovers.path)'
            echo READY $MIRSAD_WORKER_ID
            if [ -z "$MIRSAD_WORKER_REPLACES" ]; then kill -9 $$; fi
            exit 0
            """) { id in announced.withLock { $0.append(id) } }
        try await supervisor.run()
        #expect(supervisor.exitStatus == 0)
        let lines = try String(contentsOf: handovers, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.count == 2, "\(lines)")
        let first = lines.first?.first ?? "?"
        #expect(lines.first?.count == 1, "the first child replaces no one")
        #expect(lines.last?.last == first, "the second child replaces the first")
        #expect(announced.withLock { $0 } == [first], "only the first ready line is passed on")
    }

    @Test func gracefulShutdownStopsTheChildAndEndsWithItsStatus() async throws {
        let (readyLines, readyContinuation) = AsyncStream.makeStream(of: String.self)
        let supervisor = Self.supervisor("trap 'exit 0' TERM; echo READY w; while :; do sleep 0.05; done") {
            readyContinuation.yield($0)
        }
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await supervisor.run() }
                var iterator = readyLines.makeAsyncIterator()
                #expect(await iterator.next() == "w")
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(supervisor.exitStatus == 0)
    }

    @Test func aChildThatIgnoresSIGTERMIsKilledAfterTheGraceAndItsStatusKept() async throws {
        let (readyLines, readyContinuation) = AsyncStream.makeStream(of: String.self)
        var configuration = WorkerSupervisor.Configuration(
            executable: "/bin/sh", arguments: ["-c", "trap '' TERM; echo READY w; while :; do sleep 0.05; done"])
        configuration.shutdownGrace = .milliseconds(300)
        let supervisor = WorkerSupervisor(configuration: configuration, logger: Logger(label: "test.supervisor")) {
            readyContinuation.yield($0)
        }
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await supervisor.run() }
                var iterator = readyLines.makeAsyncIterator()
                #expect(await iterator.next() == "w")
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        #expect(supervisor.exitStatus == 128 + SIGKILL)
    }
}
