import Testing
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
}
