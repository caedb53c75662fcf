import ArticleAnalysis
import Testing
@testable import MirsadWire

@Suite struct ConversionTests {
    @Test func analysisRoundTripsThroughBytesWithTokens() throws {
        let wire = Mirsad_V1_Analysis(SampleValues.analysis, includeTokens: true)
        let bytes: [UInt8] = try wire.serializedBytes()
        let back = try Analysis(wire: Mirsad_V1_Analysis(serializedBytes: bytes))
        #expect(back == SampleValues.analysis)
    }

    @Test func tokensAreLeftOutUnlessAsked() throws {
        let wire = Mirsad_V1_Analysis(SampleValues.analysis, includeTokens: false)
        #expect(wire.tokens.isEmpty)
        var expected = SampleValues.analysis
        expected.tokens = []
        #expect(try Analysis(wire: wire) == expected)
    }

    @Test func spansAreUTF8ByteOffsets() {
        let wire = Mirsad_V1_Analysis(SampleValues.analysis, includeTokens: true)
        let bytes = Array(SampleValues.cleanText.utf8)
        let entity = wire.entities[0]
        let slice = bytes[Int(entity.span.start)..<Int(entity.span.end)]
        #expect(String(decoding: slice, as: UTF8.self) == "محمد")
    }

    @Test func spanOutsideTheTextIsRefusedNamingTheField() {
        var wire = Mirsad_V1_Analysis(SampleValues.analysis, includeTokens: false)
        wire.entities[0].span.end = Int64(SampleValues.cleanText.utf8.count + 1)
        #expect(throws: WireConversionError.self) { try Analysis(wire: wire) }
        do {
            _ = try Analysis(wire: wire)
        } catch {
            #expect(error.field == "analysis.entities[0].span")
        }
    }

    @Test func unknownFlagAndUnspecifiedEnumsAreRefused() {
        var flagged = Mirsad_V1_Analysis(SampleValues.analysis, includeTokens: false)
        flagged.flags.append("no_such_flag")
        #expect(throws: WireConversionError(field: "analysis.flags[2]", problem: "unknown flag \"no_such_flag\"")) {
            try Analysis(wire: flagged)
        }
        var untyped = Mirsad_V1_Analysis(SampleValues.analysis, includeTokens: false)
        untyped.canonicalEntities[0].type = .unspecified
        #expect(throws: WireConversionError.self) { try Analysis(wire: untyped) }
        var quote = Mirsad_V1_Analysis(SampleValues.analysis, includeTokens: false)
        quote.quotes[0].kind = .UNRECOGNIZED(9)
        #expect(throws: WireConversionError.self) { try Analysis(wire: quote) }
    }

    @Test func articleRoundTripsKeepingAbsentFieldsAbsent() throws {
        let article = SampleValues.article
        let bytes: [UInt8] = try Mirsad_V1_Article(article).serializedBytes()
        let back = try Article(wire: Mirsad_V1_Article(serializedBytes: bytes))
        #expect(back == article)
        #expect(back.author == nil)

        var html = article
        html.content = .html("<p>نص</p>")
        #expect(try Article(wire: Mirsad_V1_Article(html)) == html)
    }

    @Test func articleWithoutBodyOrIdIsRefused() {
        var noBody = Mirsad_V1_Article(SampleValues.article)
        noBody.content = nil
        #expect(throws: WireConversionError(field: "article.content", problem: "missing (neither text nor html)")) {
            try Article(wire: noBody)
        }
        var noID = Mirsad_V1_Article(SampleValues.article)
        noID.metadata.id = ""
        #expect(throws: WireConversionError(field: "article.metadata.id", problem: "empty")) { try Article(wire: noID) }
    }
}
