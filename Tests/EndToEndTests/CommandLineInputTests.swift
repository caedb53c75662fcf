import Foundation
import MirsadServices
import Testing

/// Bad input at the command line: special files among the inputs, Ctrl-C, a dispatcher that never answers, a run
/// that finds nothing. Each command runs as a real process.
@Suite struct CommandLineInputTests {
    /// A FIFO given as an input, and one inside a directory, are skipped with a message instead of blocking the
    /// command forever in `open`; and `--wait-timeout` bounds the submission too: with no dispatcher listening the
    /// command gives up (exit 3) instead of resending forever.
    @Test func fifosAreSkippedAndTheTimeLimitCoversSubmission() async throws {
        let directory = try TestPaths.temporaryDirectory()
        let inner = directory.appendingPathComponent("articles")
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
        try "خبر عن الاقتصاد في القاهرة اليوم.".write(to: inner.appendingPathComponent("one.txt"), atomically: true, encoding: .utf8)
        let named = directory.appendingPathComponent("named.jsonl").path
        let hidden = inner.appendingPathComponent("pipe.txt").path
        #expect(mkfifo(named, 0o600) == 0 && mkfifo(hidden, 0o600) == 0)
        let port = try freeLoopbackPort()
        let started = ContinuousClock.now
        let result = try await runMirsad([
            "submit", named, inner.path, "--dispatcher", "tcp://127.0.0.1:\(port)", "--wait-timeout", "2",
        ])
        #expect(result.status == 3, "exit \(result.status): \(result.stderr.suffix(1_000))")
        // A liveness bound, not a timing: without the limit the command resends forever.
        #expect(ContinuousClock.now - started < .seconds(120))
        #expect(result.stderr.contains("\(named): a FIFO, not a regular file"), "\(result.stderr.suffix(1_000))")
        #expect(result.stderr.contains("\(hidden): a FIFO, not a regular file"), "\(result.stderr.suffix(1_000))")
        #expect(result.stderr.contains("not all acknowledged"), "\(result.stderr.suffix(1_000))")
    }

    /// `mirsad submit` stops on Ctrl-C (SIGINT) while it waits for a dispatcher that does not answer: exit 130.
    @Test func submitStopsOnControlC() async throws {
        let port = try freeLoopbackPort()
        let submit = try await ManagedProcess.start("submit", .init(
            executable: TestPaths.mirsad,
            arguments: ["submit", TestPaths.samples.path, "--dispatcher", "tcp://127.0.0.1:\(port)"]))
        _ = try await submit.awaitLine(prefix: "batch ", timeout: .seconds(30))
        // The batch id is printed first; the submission then waits for credit that never comes.
        try await Task.sleep(for: .milliseconds(500))
        submit.signal(SIGINT)
        let ending = await submit.waitForExit(timeout: .seconds(15))
        if ending == nil { await submit.stop() }
        #expect(ending == .exited(130), "submit \(ending?.description ?? "did not stop on SIGINT")")
    }

    /// `mirsad run` stops on Ctrl-C while its cluster works, and leaves no process behind.
    @Test func runStopsOnControlCAndLeavesNothingRunning() async throws {
        let directory = try TestPaths.temporaryDirectory()
        let store = directory.appendingPathComponent("interrupted.sqlite").path
        // Enough articles that the run is still working when it is interrupted, however fast or slow the machine.
        let input = directory.appendingPathComponent("many.jsonl")
        try (0..<50_000).map { #"{"id":"c\#($0)","text":"خبر رقم \#($0) عن الاقتصاد في القاهرة اليوم."}"# }
            .joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        var launch = ManagedProcess.Configuration(
            executable: TestPaths.mirsad, arguments: ["run", input.path, "--store", store, "--workers", "1"])
        launch.workingDirectory = directory.path
        launch.errorLogPath = directory.appendingPathComponent("run.log").path
        let run = try await ManagedProcess.start("run", launch)
        // Its children are up once one of them mentions the store (the collector's command line; not the run's own).
        let own = String(run.processIdentifier)
        let started = await waitUntil(timeout: .seconds(60)) { processes(mentioning: store).contains { $0 != own } }
        #expect(started)
        run.signal(SIGINT)
        let ending = await run.waitForExit(timeout: .seconds(30))
        if ending == nil { await run.stop() }
        #expect(ending == .exited(130), "run \(ending?.description ?? "did not stop on SIGINT")")
        let gone = await waitUntil(timeout: .seconds(10)) { processes(mentioning: store).isEmpty }
        #expect(gone, "children still running: \(processes(mentioning: store))")
    }

    /// `mirsad run --json` exits 2 when it found no articles, as the text output and the other commands do.
    @Test func runJSONExitsTwoWithoutArticles() async throws {
        let directory = try TestPaths.temporaryDirectory()
        let empty = directory.appendingPathComponent("nothing")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let result = try await runMirsad(
            ["run", empty.path, "--store", directory.appendingPathComponent("s.sqlite").path, "--workers", "1", "--json"],
            directory: directory)
        #expect(result.status == 2, "exit \(result.status): \(result.stderr.suffix(1_000))")
        #expect(try decodeJSON(result.stdout)["articles"] as? Int == 0)
    }
}
