import Testing
@testable import mirsad

/// `--commit-window` of the dispatcher and the collector: seconds, 0 to 1, the shared default when not given.
struct CommitWindowOptionTests {
    @Test func givenInSecondsOrLeftAtTheDefault() throws {
        let dispatcher = try DispatcherCommand.parse(["--journal", ":memory:", "--commit-window", "0.01"])
        #expect(dispatcher.commits.window == .milliseconds(10))
        let collector = try CollectorCommand.parse([])
        #expect(collector.commits.window == .milliseconds(25))
        #expect(try CollectorCommand.parse(["--commit-window", "0"]).commits.window == .zero)
    }

    @Test func outOfRangeIsRefusedNamingTheOption() {
        for value in ["2", "-0.5", "nan"] {
            #expect {
                _ = try CollectorCommand.parse(["--commit-window=\(value)"])
            } throws: { error in
                CollectorCommand.message(for: error).contains("--commit-window must be between 0 and 1 second")
            }
        }
    }
}
