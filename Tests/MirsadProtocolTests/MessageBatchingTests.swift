import Testing
@testable import MirsadWire

@Suite struct MessageBatchingTests {
    @Test func splitsByCountAndBytesKeepingOrder() {
        let sizes = [5, 5, 5, 20, 1, 1, 1, 1]
        let groups = MessageBatching.split(sizes, maxCount: 3, maxBytes: 10) { $0 }
        #expect(groups.map(Array.init) == [[5, 5], [5], [20], [1, 1, 1], [1]])
        #expect(MessageBatching.split([Int](), maxCount: 3, maxBytes: 10) { $0 }.isEmpty)
    }

    @Test func aJobsSizeInAMessageIsExact() throws {
        for job in FixtureCatalog.all.compactMap({ fixture -> [Mirsad_V1_Job]? in
            if case .submit(let s) = fixture.message { return s.jobs }
            return nil
        }).joined() {
            let encoded: [UInt8] = try Mirsad_V1_Jobs.with { $0.jobs = [job] }.serializedBytes()
            #expect(encoded.count == (try EncodedJob(job)).sizeInMessage)
        }
    }

    @Test func dispatcherKeepsJobsMessagesUnderTheFrameLimit() throws {
        var h = DispatcherHarness()
        let body = String(repeating: "ب", count: 1_500_000)  // 3,000,000 UTF-8 bytes
        for half in [0..<10, 10..<20] {  // one SUBMIT of 20 would itself be above the frame limit
            var submit = SampleValues.submit(batch: "big", indices: half)
            for i in submit.jobs.indices { submit.jobs[i].article.text = body }
            // Delivered decoded: encoding 60 MB in a debug build would only slow the test down.
            let ack = h.machine.received(.submit(submit), from: DispatcherHarness.producer, now: h.now).submitAck()
            #expect(ack?.accepted == 10)
        }
        let actions = try h.hello("w1", capacity: 20)
        var sizes: [Int] = []
        for case .jobsView(let jobs) in actions.sent(to: "w1") {
            let bytes = jobs.jobs.reduce(0) { $0 + $1.count }
            #expect(bytes <= MessageBatching.maxItemBytesPerMessage)
            sizes.append(jobs.jobs.count)
        }
        let perMessage = MessageBatching.maxItemBytesPerMessage / (3_000_000 + 200)
        #expect(sizes == [perMessage, 20 - perMessage])
    }
}
