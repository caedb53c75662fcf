import Testing
@testable import MirsadServices

@Test func placeholder() { #expect(Bool(true)) }
