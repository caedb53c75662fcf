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
}
