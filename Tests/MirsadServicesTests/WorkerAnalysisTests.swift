import Testing
@testable import MirsadServices

@Suite struct WorkerAnalysisTests {
    @Test func parsesEveryMode() {
        #expect(WorkerAnalysis(argument: "full") == .full)
        #expect(WorkerAnalysis(argument: "none") == WorkerAnalysis.none)
        #expect(WorkerAnalysis(argument: "sleep:20ms") == .sleep(.milliseconds(20)))
        #expect(WorkerAnalysis(argument: "sleep:1.5s") == .sleep(.milliseconds(1500)))
        #expect(WorkerAnalysis(argument: "sleep:250us") == .sleep(.microseconds(250)))
    }

    @Test(arguments: ["", "fast", "sleep:", "sleep:20", "sleep:-1ms", "sleep:2h", "sleep:nanms", "sleep:7200s"])
    func refusesWhatIsNotAMode(_ argument: String) {
        #expect(WorkerAnalysis(argument: argument) == nil)
    }
}
