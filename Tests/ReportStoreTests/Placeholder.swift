import Testing
@testable import ReportStore

@Test func placeholder() { #expect(Bool(true)) }
