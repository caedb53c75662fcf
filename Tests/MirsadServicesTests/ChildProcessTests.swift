import Foundation
import Testing
@testable import MirsadServices

/// `ChildProcess`: the ready line, and stopping a group of children at once with a bounded grace.
@Suite(.timeLimit(.minutes(5)))
struct ChildProcessTests {
    private static func shell(_ name: String, _ script: String) throws -> ChildProcess {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-child-\(UUID().uuidString).log").path
        return try ChildProcess(name: name, executable: "/bin/sh", arguments: ["-c", script], logPath: log)
    }

    @Test func stopSignalsAGroupAtOnceAndKillsOnlyWhatIgnoresSIGTERM() throws {
        // Two children that stop on SIGTERM after half a second, one that ignores it.
        let polite = try (1...2).map { try Self.shell("polite \($0)", "trap 'sleep 0.5; exit 0' TERM; echo READY $$; while :; do sleep 0.05; done") }
        let stubborn = try Self.shell("stubborn", "trap '' TERM; echo READY $$; while :; do sleep 0.05; done")
        for child in polite + [stubborn] {
            #expect(try child.awaitLine(prefix: "READY", timeoutSeconds: 10) == String(child.pid))
        }
        let started = Date()
        let killed = ChildProcess.stop(polite + [stubborn], graceSeconds: 1.5)
        let seconds = Date().timeIntervalSince(started)
        #expect(killed == ["stubborn"])
        #expect(seconds >= 1.5 && seconds < 3, "stopped in \(seconds) s: the grace is shared, not one per child")
        #expect((polite + [stubborn]).allSatisfy { !$0.isRunning })
        #expect(polite.allSatisfy { $0.exitStatus == 0 })
        #expect(stubborn.exitStatus == SIGKILL)
    }

    @Test func aChildThatExitsBeforeItIsReadyIsAnErrorNamingItsLog() throws {
        let child = try Self.shell("quitter", "echo starting; exit 3")
        do {
            _ = try child.awaitLine(prefix: "READY", timeoutSeconds: 10)
            Issue.record("no error from a child that exited")
        } catch {
            #expect("\(error)".contains("quitter exited before it was ready"))
            #expect("\(error)".contains(child.logPath))
        }
        #expect(ChildProcess.stop([child], graceSeconds: 1).isEmpty, "nothing to kill once it has exited")
    }
}
