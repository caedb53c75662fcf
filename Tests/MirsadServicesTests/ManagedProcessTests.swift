import Foundation
import Synchronization
import Testing
@testable import MirsadServices

/// `ManagedProcess`: the ready line, standard output kept whole, and stopping a group of children at once with a
/// bounded grace.
@Suite(.timeLimit(.minutes(5)))
struct ManagedProcessTests {
    private static func shell(_ name: String, _ script: String, grace: Duration = .seconds(10)) async throws -> ManagedProcess {
        var launch = ManagedProcess.Configuration(executable: "/bin/sh", arguments: ["-c", script])
        launch.errorLogPath = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-child-\(UUID().uuidString).log").path
        launch.stopGrace = grace
        return try await ManagedProcess.start(name, launch)
    }

    /// The grace is not timed here: the teardowns run on the shared task pool, which the rest of the suite keeps
    /// busy on a two-core machine, so only who ended how is checked.
    @Test func stopSignalsAGroupAtOnceAndKillsOnlyWhatIgnoresSIGTERM() async throws {
        // Two children that stop on SIGTERM after half a second, two that ignore it.
        var polite: [ManagedProcess] = []
        for index in 1...2 {
            polite.append(try await Self.shell("polite \(index)", "trap 'sleep 0.5; exit 0' TERM; echo READY $$; while :; do sleep 0.05; done", grace: .seconds(5)))
        }
        var stubborn: [ManagedProcess] = []
        for index in 1...2 {
            stubborn.append(try await Self.shell("stubborn \(index)", "trap '' TERM; echo READY $$; while :; do sleep 0.05; done", grace: .seconds(1)))
        }
        for child in polite + stubborn {
            #expect(try await child.awaitLine(prefix: "READY", timeout: .seconds(10)) == String(child.processIdentifier))
        }
        let started = ContinuousClock.now
        let killed = await ManagedProcess.stop(polite + stubborn)
        #expect(killed.sorted() == ["stubborn 1", "stubborn 2"])
        #expect(ContinuousClock.now - started >= .seconds(1), "killed before the grace had passed")
        #expect((polite + stubborn).allSatisfy { !$0.isRunning })
        #expect(polite.allSatisfy { $0.ending == .exited(0) })
        #expect(stubborn.allSatisfy { $0.ending == .signalled(SIGKILL) })
    }

    @Test func aChildThatExitsBeforeItIsReadyIsAnErrorNamingItsLog() async throws {
        let child = try await Self.shell("quitter", "echo starting; echo broken >&2; exit 3")
        await #expect {
            _ = try await child.awaitLine(prefix: "READY", timeout: .seconds(10))
        } throws: { error in
            "\(error)".contains("quitter exited before it was ready (exited with status 3)")
                && "\(error)".contains(child.configuration.errorLogPath ?? "?")
        }
        #expect(child.ending == .exited(3))
        #expect(child.outputLines == ["starting"])
        #expect(try String(contentsOfFile: child.configuration.errorLogPath ?? "", encoding: .utf8) == "broken\n")
        #expect(await ManagedProcess.stop([child]).isEmpty, "nothing to kill once it has exited")
    }

    @Test func aChildThatSaysNothingTimesOutAndIsStopped() async throws {
        let child = try await Self.shell("mute", "exec sleep 30")
        await #expect {
            _ = try await child.awaitLine(prefix: "READY", timeout: .milliseconds(200))
        } throws: { "\($0)".contains("mute did not report ready within") }
        #expect(child.isRunning)
        #expect(await child.stop() == .signalled(SIGTERM))
    }

    @Test func everyLineOfOutputIsKeptAndSeenAsItArrives() async throws {
        let seen = Mutex<[String]>([])
        var launch = ManagedProcess.Configuration(executable: "/bin/sh", arguments: ["-c", "for i in 1 2 3; do echo line $i; done; echo -n tail"])
        launch.environment = ["UNUSED_BY_THE_SHELL": "1"]
        let child = try await ManagedProcess.start("lines", launch) { line in seen.withLock { $0.append(line) } }
        #expect(await child.waitForExit() == .exited(0))
        #expect(child.outputLines == ["line 1", "line 2", "line 3", "tail"])
        #expect(seen.withLock { $0 } == child.outputLines)
    }

    @Test func aMissingExecutableFailsToStart() async {
        await #expect {
            _ = try await ManagedProcess.start("ghost", .init(executable: "/nonexistent/mirsad", arguments: []))
        } throws: { "\($0)".contains("cannot start ghost (/nonexistent/mirsad)") }
    }
}
