import Foundation
import MirsadCore
import MirsadWire
import ReportStore
import Testing
@testable import MirsadServices

/// A result whose analysis the collector cannot read is refused, never stored: RESULTS_ACK lists it in `refused`
/// with the reason, STORED never names it, and a later readable result for the same job is stored as any other.
/// Real sockets (a fake worker DEALER, a fake dispatcher ROUTER) and a real SQLite file.
@Suite(.timeLimit(.minutes(5)))
struct CollectorRefusalTests {
    typealias Harness = CollectorServiceTests

    /// RESULTS for `ids`, sent as a worker's raw frames, the analysis of each job in `garbled` replaced by bytes
    /// that are not a well-framed `Analysis` (field 4 claiming more bytes than follow).
    static func send(_ ids: [String], garbled: Set<String>, from worker: FakeDealer) throws {
        let results = Mirsad_V1_Results.with { $0.results = ids.map { SampleResults.result(jobID: $0).0 } }
        var view = try Mirsad_V1_ResultsView(serializedBytes: try results.serializedBytes() as [UInt8])
        for index in view.results.indices where garbled.contains(view.results[index].jobID) {
            view.results[index].analysis = Data([0x22, 0xFF, 0x01])
        }
        _ = try worker.socket.send([FrameCodec.protocolID, [Command.results.rawValue], try view.serializedBytes() as [UInt8]])
    }

    @Test func unreadableResultsAreRefusedToTheWorkerAndNeverStored() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-refusal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("reports.sqlite").path
        let dispatcher = try Harness.fakeDispatcher(acknowledging: true)
        defer { dispatcher.stop() }
        try await Harness.withCollector(dispatcher: dispatcher.endpoint, store: try SQLiteReportStore(path: path)) { collector in
            let worker = try FakeDealer(endpoint: collector.endpoint, identity: "worker-r1")

            // One readable and one unreadable result in a message: the first is committed, the second refused.
            try Self.send(["r:0", "r:1"], garbled: ["r:1"], from: worker)
            var replies = try worker.receive { Harness.acked($0) == ["r:0"] && !Harness.refused($0).isEmpty }
            #expect(Harness.acked(replies) == ["r:0"], "acknowledged: \(Harness.acked(replies))")
            let refusal = try #require(Harness.refused(replies).first, "no refusal for r:1")
            #expect(Harness.refused(replies).map(\.jobID) == ["r:1"])
            #expect(refusal.reason.hasPrefix("unreadable analysis: "), "\(refusal.reason)")

            // A message of unreadable results only is answered at once, with refusals and no job ids.
            try Self.send(["r:2"], garbled: ["r:2"], from: worker)
            replies = try worker.receive { Harness.refused($0).count == 2 }
            #expect(Harness.refused(replies).map(\.jobID) == ["r:1", "r:2"])
            let refusalOnly = replies.compactMap { message -> Mirsad_V1_ResultsAck? in
                if case .resultsAck(let ack) = message, ack.refused.map(\.jobID) == ["r:2"] { ack } else { nil }
            }
            #expect(refusalOnly.count == 1 && refusalOnly.first?.jobIds.isEmpty == true, "\(refusalOnly)")

            // The job of a refused result runs again; its readable result is stored like any other.
            try worker.send(Harness.results(["r:1"]))
            replies = try worker.receive { Harness.acked($0).contains("r:1") }
            #expect(Harness.acked(replies) == ["r:0", "r:1"])
            #expect(dispatcher.waitUntil { Set(Harness.stored(collector, $0)).isSuperset(of: ["r:0", "r:1"]) })
            #expect(!Harness.stored(collector, dispatcher.received).contains("r:2"), "a refused result was reported STORED")

            let reader = try SQLiteReportStore(path: path)
            #expect(try reader.count() == StoreCounts(analysed: 2, failed: 0))
            #expect(try reader.result(jobID: "r:1")?.analysis != nil)
            #expect(try reader.result(jobID: "r:2") == nil)
            #expect(collector.service.statistics.unreadableResults == 2)
            #expect(collector.service.statistics.committed == 2)
        }
    }
}
