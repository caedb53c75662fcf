import Testing
@testable import mirsad

@Test func placeholder() { #expect(Bool(true)) }
