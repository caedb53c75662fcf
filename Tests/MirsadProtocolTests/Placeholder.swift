import Testing
@testable import MirsadProtocol

@Test func placeholder() { #expect(Bool(true)) }
