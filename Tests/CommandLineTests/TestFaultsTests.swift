import Foundation
import MirsadWire
import Testing
@testable import MirsadServices
@testable import mirsad

/// The test-only faults `mirsad worker` reads from its environment.
struct TestFaultsTests {
    @Test func testFaultsComeFromTheirVariablesOnly() {
        #expect(TestFaults.fromEnvironment([:]).isEmpty)
        #expect(TestFaults.fromEnvironment(["MIRSAD_TEST_POISON_MARKER": ""]).isEmpty)
        let faults = TestFaults.fromEnvironment(["MIRSAD_TEST_POISON_MARKER": "P!", "MIRSAD_TEST_HANG_MARKER": "H!"])
        #expect(faults == TestFaults(poisonMarker: "P!", hangMarker: "H!"))
        // An article without a marker passes through.
        faults.strike(.init(id: "a", content: .html("<p>نص عادي</p>")))
    }

    /// The unreadable switch the end-to-end refusal test relies on: the marked article's result is refused by a
    /// collector, compressed or not; an unmarked one is untouched.
    @Test func theUnreadableSwitchMakesResultsTheCollectorRefuses() throws {
        let faults = TestFaults.fromEnvironment([TestFaults.unreadableVariable: "U!"])
        #expect(faults == TestFaults(unreadableMarker: "U!"))
        #expect(!faults.isEmpty)
        for (text, refused) in [("خبر عاجل U!", true), ("خبر عاجل", false)] {
            var analysis = Mirsad_V1_Analysis()
            analysis.cleanText = "خبر عاجل"
            faults.garble(&analysis, of: .init(id: "a", content: .text(text)))
            var result = Mirsad_V1_Result()
            result.jobID = "b:0"
            result.analysis = analysis
            var compressed = result
            try compressed.setCompressedAnalysis(analysis)
            compressed.clearAnalysis()
            for candidate in [result, compressed] {
                let view = try Mirsad_V1_ResultView(serializedBytes: try candidate.serializedBytes() as [UInt8])
                let taken = (try? CollectorService.storedResult(from: view)) != nil
                #expect(taken == !refused, "\(text), compressed: \(!candidate.analysisZlib.isEmpty)")
            }
        }
    }
}
