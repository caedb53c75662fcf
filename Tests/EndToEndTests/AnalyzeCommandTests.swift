import Foundation
import Testing

/// `mirsad analyze` in one process: the threaded run prints what the single-threaded run prints.
@Suite struct AnalyzeCommandTests {
    @Test func threadsKeepInputOrderUnlessUnordered() async throws {
        let input = TestPaths.samples.path
        let single = try await runMirsad(["analyze", "--json", input])
        #expect(single.status == 0, "\(single.stderr)")
        let lines = single.stdout.split(separator: "\n")
        #expect(lines.count == 62)

        let ordered = try await runMirsad(["analyze", "--json", "--threads", "2", input])
        #expect(ordered.status == 0, "\(ordered.stderr)")
        #expect(ordered.stdout == single.stdout)

        let unordered = try await runMirsad(["analyze", "--json", "--threads", "2", "--unordered", input])
        #expect(unordered.status == 0, "\(unordered.stderr)")
        #expect(unordered.stdout.split(separator: "\n").sorted() == lines.sorted())

        let text = try await runMirsad(["analyze", "--threads", "3", input])
        #expect(text.stdout == (try await runMirsad(["analyze", input])).stdout)
    }

    @Test func badThreadOptionsAreUsageErrors() async throws {
        let zero = try await runMirsad(["analyze", "--threads", "0", TestPaths.samples.path])
        #expect(zero.status != 0 && zero.stderr.contains("--threads"))
        let unordered = try await runMirsad(["analyze", "--unordered", TestPaths.samples.path])
        #expect(unordered.status != 0 && unordered.stderr.contains("--unordered"))
    }

    /// `mirsad analyze … | head` ends quietly with 141 (as SIGPIPE would end it) once the reader is gone, threaded
    /// or not; a full disk under the output is named with status 1. The output (about 850 KB) is many times a pipe's
    /// buffer, so the reader is gone before the last write.
    @Test(arguments: [[], ["--threads", "2"]])
    func aClosedOrFullOutputEndsTheCommand(threads: [String]) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-pipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let command = ([TestPaths.mirsad, "analyze", "--json"] + threads + [TestPaths.samples.path]).map { "'\($0)'" }
            .joined(separator: " ")
        let shell = "{ \(command) 2> '\(directory.path)/stderr'; echo $? > '\(directory.path)/status'; } | head -c 100 > /dev/null"
        #expect(try await runShell(shell) == 0)
        let status = try String(contentsOf: directory.appendingPathComponent("status"), encoding: .utf8)
        let stderr = try String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)
        #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "141", "stderr: \(stderr)")
        #expect(stderr.isEmpty)

        guard FileManager.default.isWritableFile(atPath: "/dev/full") else { return }
        #expect(try await runShell("\(command) > /dev/full 2> '\(directory.path)/full'") == 1)
        let full = try String(contentsOf: directory.appendingPathComponent("full"), encoding: .utf8)
        #expect(full.contains("cannot write standard output: No space left on device"), "\(full)")
    }

    /// Skipped input ends `analyze` with status 6 once every readable article is printed; repaired UTF-8 is not
    /// skipped input (its article is analysed), and a clean input exits 0.
    @Test func skippedInputExitsSixAfterTheRest() async throws {
        let directory = try TestPaths.temporaryDirectory()
        let mixed = directory.appendingPathComponent("mixed.jsonl")
        try Data("""
            {"id": "a1", "text": "قال المتحدث باسم الوزارة إن المحادثات مستمرة في القاهرة."}
            {"id": "a2", "text": broken json
            {"id": "a3", "text": "Le port a rouvert lundi après des réparations, selon les autorités."}

            """.utf8).write(to: mixed)
        let result = try await runMirsad(["analyze", "--json", mixed.path])
        #expect(result.status == 6, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 2)
        #expect(result.stderr.contains("mixed.jsonl:2"))
        #expect(result.stderr.contains("1 input problem (1 malformed_json) passed over"), "\(result.stderr)")

        let repaired = directory.appendingPathComponent("repaired.jsonl")
        try Data(Array(#"{"id": "u", "text": "قال المتحدث باسم الوزارة إن المحادثات "#.utf8) + [0xFF]
            + Array(#" مستمرة في القاهرة لبحث وقف إطلاق النار في المنطقة"}"#.utf8) + [0x0A]).write(to: repaired)
        let kept = try await runMirsad(["analyze", "--json", repaired.path])
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.stderr.contains("invalid UTF-8 replaced"))
        #expect(kept.stdout.split(separator: "\n").count == 1)
    }

    /// A command that prints with `print` (here `config keys`) and could not write its output ends with status 1
    /// and says so, instead of exiting 0 having written nothing.
    @Test func printedOutputThatCannotBeWrittenIsAnError() async throws {
        guard FileManager.default.isWritableFile(atPath: "/dev/full") else {
            print("skipped: no writable /dev/full on this machine")
            return
        }
        let directory = try TestPaths.temporaryDirectory()
        let errors = directory.appendingPathComponent("stderr").path
        #expect(try await runShell("'\(TestPaths.mirsad)' config keys > /dev/full 2> '\(errors)'") == 1)
        let stderr = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(stderr.contains("cannot write standard output: No space left on device"), "\(stderr)")
        #expect(try await runShell("'\(TestPaths.mirsad)' config keys > /dev/null") == 0)
    }
}
