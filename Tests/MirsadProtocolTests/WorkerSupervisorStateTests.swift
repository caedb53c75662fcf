import Foundation
import MirsadCore
import Testing

/// The supervisor's decisions, as a pure state machine.
struct WorkerSupervisorStateTests {
    private static let second = Duration.seconds(1)

    /// The monotonic instant `offset` after the origin.
    private static func at(_ offset: Duration) -> MonotonicInstant { .origin.advanced(by: offset) }

    private static func delay(_ decision: WorkerSupervisorState.Decision) -> Duration? {
        if case .restart(let delay, _, _) = decision { delay } else { nil }
    }

    @Test func cleanStopsAndShutdownEndTheSupervisorWithTheChildsStatus() {
        var state = WorkerSupervisorState()
        state.childStarted(id: "w-1", crashed: [], at: .origin)
        #expect(state.childEnded(.exited(0), crashReports: [], at: Self.at(Self.second), shutdownRequested: false) == .exit(0))
        state.childStarted(id: "w-2", crashed: [], at: .origin)
        #expect(state.childEnded(.exited(3), crashReports: [], at: Self.at(Self.second), shutdownRequested: true) == .exit(3))
        state.childStarted(id: "w-3", crashed: [], at: .origin)
        #expect(state.childEnded(.signalled(SIGKILL), crashReports: [], at: Self.at(Self.second), shutdownRequested: true) == .exit(128 + SIGKILL))
        state.childStarted(id: "w-4", crashed: [], at: .origin)
        #expect(state.childEnded(.exited(64), crashReports: [], at: Self.at(Self.second), shutdownRequested: false) == .exit(64))
        state.childStarted(id: "w-5", crashed: [], at: .origin)
        #expect(state.childEnded(.signalled(SIGTERM), crashReports: [], at: Self.at(Self.second), shutdownRequested: true) == .exit(0))
        state.childStarted(id: "w-6", crashed: [], at: .origin)
        #expect(Self.delay(state.childEnded(.signalled(SIGTERM), crashReports: [], at: Self.at(Self.second), shutdownRequested: false)) != nil,
                "a SIGTERM the supervisor did not send is a death like any other")
    }

    @Test func deathsRestartWithDoublingBackoffThatResetsAfterAMinuteOfGoodRunning() {
        var state = WorkerSupervisorState()
        var now = MonotonicInstant.origin
        var delays: [Duration] = []
        let endings: [WorkerSupervisorState.Ending] = [.signalled(SIGKILL), .exited(75), .signalled(SIGSEGV), .exited(1), .exited(2), .exited(3), .exited(4)]
        for (index, ending) in endings.enumerated() {
            state.childStarted(id: "w-\(index)", crashed: [], at: now)
            now = now.advanced(by: Self.second)
            delays.append(Self.delay(state.childEnded(ending, crashReports: [], at: now, shutdownRequested: false)) ?? .zero)
        }
        #expect(delays == [500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000].map { Duration.milliseconds($0) })
        // A minute of good running: back to the first delay, and doubling from there.
        state.childStarted(id: "w-long", crashed: [], at: now)
        now = now.advanced(by: Self.second * 61)
        #expect(Self.delay(state.childEnded(.signalled(SIGKILL), crashReports: [], at: now, shutdownRequested: false)) == Self.second / 2)
        state.childStarted(id: "w-next", crashed: [], at: now)
        #expect(Self.delay(state.childEnded(.signalled(SIGKILL), crashReports: [], at: now.advanced(by: .nanoseconds(1)), shutdownRequested: false)) == Self.second)
    }

    @Test func theNextChildReplacesTheDeadOneAndNamesOnlyCrashedJobs() {
        var state = WorkerSupervisorState()
        state.childStarted(id: "w-1", crashed: [], at: .origin)
        state.childBecameReady()
        let killed = state.childEnded(.signalled(SIGKILL), crashReports: [], at: Self.at(Self.second), shutdownRequested: false)
        #expect(killed == .restart(after: Self.second / 2, replaces: "w-1", crashed: []))

        state.childStarted(id: "w-2", crashed: [], at: Self.at(Self.second))
        state.childBecameReady()
        let reports = [CrashReport(signal: SIGILL, jobID: "b:9"), CrashReport(signal: SIGILL, jobID: nil), CrashReport(signal: SIGILL, jobID: "b:9")]
        guard case .restart(_, let replaces, let crashed) = state.childEnded(.signalled(SIGILL), crashReports: reports, at: Self.at(Self.second * 2), shutdownRequested: false) else {
            Issue.record("a crash must restart the worker")
            return
        }
        #expect(replaces == "w-2")
        #expect(crashed.map(\.jobID) == ["b:9"])
        #expect(crashed.first?.error == "worker process crashed with SIGILL while analysing it")

        // The next child dies before a dispatcher welcomed it: its crashed jobs go to the one after, with new ones.
        state.childStarted(id: "w-3", crashed: crashed, at: Self.at(Self.second * 2))
        guard case .restart(_, let replaces3, let crashed3) = state.childEnded(
            .signalled(SIGSEGV), crashReports: [CrashReport(signal: SIGSEGV, jobID: "b:4")], at: Self.at(Self.second * 3), shutdownRequested: false) else {
            Issue.record("a crash must restart the worker")
            return
        }
        #expect(replaces3 == "w-3")
        #expect(crashed3.map(\.jobID) == ["b:9", "b:4"])
        #expect(crashed3.last?.error == "worker process crashed with SIGSEGV while analysing it")

        // Once a child was welcomed, what it was handed is not handed on again.
        state.childStarted(id: "w-4", crashed: crashed3, at: Self.at(Self.second * 3))
        state.childBecameReady()
        guard case .restart(_, _, let crashed4) = state.childEnded(.exited(75), crashReports: [], at: Self.at(Self.second * 4), shutdownRequested: false) else {
            Issue.record("a stuck worker must be restarted")
            return
        }
        #expect(crashed4.isEmpty)
    }
}
