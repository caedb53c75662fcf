import Testing
@testable import MirsadWire

struct EncodedResultTests {
    private func result(_ id: String, textBytes: Int) -> Mirsad_V1_Result {
        var r = Mirsad_V1_Result()
        r.jobID = id
        r.batchID = "b"
        r.workerID = "w"
        r.analysis.cleanText = String(repeating: "ن", count: textBytes / 2)
        return r
    }

    @Test func preEncodedResultsMessageDecodesToTheResultsAndMatchesTheCodec() throws {
        let results = [result("b:0", textBytes: 10), result("b:1", textBytes: 300), result("b:2", textBytes: 40_000)]
        let frames = EncodedResult.resultsMessage(try results.map(EncodedResult.init))
        var expected = Mirsad_V1_Results()
        expected.results = results
        #expect(frames == (try FrameCodec.encode(.results(expected))))
        #expect(try FrameCodec.decode(frames) == .results(expected))
    }

    /// Revision 6: `worker_idle` is appended as the codec would encode it, and read back through the collector's
    /// view.
    @Test func idleFlagMatchesTheCodec() throws {
        let results = [result("b:0", textBytes: 10), result("b:1", textBytes: 300)]
        let frames = EncodedResult.resultsMessage(try results.map(EncodedResult.init), workerIdle: true)
        var expected = Mirsad_V1_Results()
        expected.results = results
        expected.workerIdle = true
        #expect(frames == (try FrameCodec.encode(.results(expected))))
        guard case .resultsView(let view) = try FrameCodec.decode(frames, reading: .passThrough) else {
            Issue.record("RESULTS not read through its view")
            return
        }
        #expect(view.workerIdle)
        #expect(view.results.map(\.jobID) == ["b:0", "b:1"])
    }

    @Test func sizeInMessageIsExact() throws {
        for bytes in [0, 100, 200, 20_000, 3_000_000] {
            let encoded = try EncodedResult(result("b:\(bytes)", textBytes: bytes))
            #expect(EncodedResult.resultsMessage([encoded])[2].count == encoded.sizeInMessage)
        }
    }

    @Test func batchesOfEncodedResultsStayUnderTheFrameLimit() throws {
        // 40 results of about 2 MB: far more than one frame holds, so they must be split by size, not count.
        let encoded = try (0..<40).map { try EncodedResult(result("b:\($0)", textBytes: 2_000_000)) }
        let groups = MessageBatching.split(encoded, size: \.sizeInMessage)
        #expect(groups.count > 1)
        #expect(groups.reduce(0) { $0 + $1.count } == encoded.count)
        for group in groups {
            #expect(EncodedResult.resultsMessage(group)[2].count <= ProtocolLimits.maxFrameBytes)
        }
    }
}
