import Testing
@testable import ArticleIngest

@Test func placeholder() { #expect(Bool(true)) }
