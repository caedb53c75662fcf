import Foundation
import SwiftProtobuf
import Testing
@testable import MirsadCore
@testable import MirsadWire

/// The data path's readers: jobs and results passed on as bytes, read only as far as their framing.
@Suite struct PassThroughTests {
    static func encoded(_ job: Mirsad_V1_Job) throws -> Data { try job.serializedData() }

    @Test func anEncodedJobReadsWhatTheDecoderReads() throws {
        let job = SampleValues.job(batch: "b", index: 7)
        let encoded = try EncodedJob(bytes: Self.encoded(job))
        #expect(encoded.jobID == job.jobID)
        #expect(encoded.batchID == "b")
        #expect(encoded.articleID == job.article.metadata.id)
        #expect(encoded.contentBytes == job.article.contentBytes)
        #expect(try encoded.decoded() == job)
    }

    @Test func theBytesPassThroughUnchanged() throws {
        var job = SampleValues.job(batch: "b", index: 1)
        job.options.includeTokens = true
        var bytes = try Self.encoded(job)
        bytes.append(contentsOf: [0xA0, 0x06, 0x01])  // field 100 (varint 1): a later revision's field
        let encoded = try EncodedJob(bytes: bytes, batchID: "b")
        #expect(encoded.bytes == bytes, "a job with every field known and set must not be rewritten")
        let jobs = Mirsad_V1_JobsView.with { $0.jobs = [encoded.bytes] }
        let decoded = try Mirsad_V1_Jobs(serializedBytes: jobs.serializedBytes() as [UInt8])
        var received = try #require(decoded.jobs.first)
        #expect(Array(received.unknownFields.data) == [0xA0, 0x06, 0x01], "the later revision's field did not reach the worker")
        received.unknownFields = UnknownStorage()
        #expect(received == job, "JOBS built from the bytes must decode as the jobs the producer sent")
    }

    @Test func aMissingBatchIdIsAppendedAsAField() throws {
        var job = SampleValues.job(batch: "b", index: 2)
        job.batchID = ""
        let encoded = try EncodedJob(bytes: Self.encoded(job), batchID: "b")
        #expect(encoded.batchID == "b")
        #expect(try encoded.decoded().batchID == "b")
        #expect(try encoded.decoded().article == job.article)
    }

    @Test(arguments: [
        ("job_id twice", Data([0x0A, 0x01, 0x61, 0x0A, 0x01, 0x62])),
        ("a truncated length", Data([0x0A, 0x05, 0x61])),
        ("a group", Data([0x0B])),
        ("field number 0", Data([0x02, 0x00])),
        ("job_id not a string", Data([0x08, 0x01])),
        ("text and html", Data([0x1A, 0x06, 0x12, 0x01, 0x61, 0x1A, 0x01, 0x62])),
    ])
    func malformedJobsAreRefusedWithAReason(_ what: String, _ bytes: Data) {
        #expect(throws: EncodedJob.Unreadable.self, "\(what)") { try EncodedJob(bytes: bytes) }
    }

    /// Whatever the bytes, reading never traps: it returns fields that lie inside the input, or throws.
    @Test func randomBytesNeverTrap() {
        var generator = SeededRandom(seed: 0x5EED)
        for _ in 0..<2_000 {
            let count = Int(generator.next() % 64)
            let bytes = Data((0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            if let fields = try? ProtobufFields.fields(of: bytes) {
                #expect(fields.allSatisfy { $0.extent.upperBound <= bytes.count && $0.payload.upperBound <= bytes.count })
            }
            _ = try? EncodedJob(bytes: bytes)
        }
    }

    @Test func mutatedJobsEitherReadTheSameAsTheDecoderOrAreRefused() throws {
        var generator = SeededRandom(seed: 42)
        let original = try Self.encoded(SampleValues.job(batch: "b", index: 3))
        for _ in 0..<2_000 {
            var bytes = original
            let position = Int(generator.next() % UInt64(bytes.count))
            bytes[position] = UInt8(truncatingIfNeeded: generator.next())
            guard let encoded = try? EncodedJob(bytes: bytes), let decoded = try? encoded.decoded() else { continue }
            #expect(decoded.jobID == encoded.jobID)
            #expect(decoded.article.metadata.id == encoded.articleID)
        }
    }

    @Test func fieldsAreFoundWithTheirExtents() throws {
        let message = Mirsad_V1_Done.with { $0.jobIds = ["a", "bc"] }
        let bytes = try message.serializedData()
        let fields = try ProtobufFields.fields(of: bytes)
        #expect(fields.map(\.number) == [1, 1])
        #expect(fields.map(\.payload.count) == [1, 2])
        #expect(fields.last?.extent.upperBound == bytes.count)
    }

    @Test func submitViewsAndJobsViewsAreTheSameBytesAsTheMessagesTheyView() throws {
        let submit = SampleValues.submit(batch: "b", indices: 0..<3)
        let bytes: [UInt8] = try submit.serializedBytes()
        let view = try Mirsad_V1_SubmitView(serializedBytes: bytes)
        #expect(view.jobs.count == 3)
        #expect(try view.serializedBytes() == bytes)
    }
}

/// The golden SUBMIT, JOBS and RESULTS read through their views: the same bytes, each job and analysis intact.
@Suite struct PassThroughFixtureTests {
    static func body(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: FixtureTests.directory.appendingPathComponent("\(name).bin")))
    }

    @Test func theGoldenSubmitReadAsTheDispatcherReadsIt() throws {
        let bytes = try Self.body("submit")
        let view = try Mirsad_V1_SubmitView(serializedBytes: bytes)
        #expect(try view.serializedBytes() == bytes)
        let submit = try Mirsad_V1_Submit(serializedBytes: bytes)
        for (encoded, job) in zip(view.jobs, submit.jobs) {
            let read = try EncodedJob(bytes: encoded, batchID: view.batchID)
            #expect(read.jobID == job.jobID && read.articleID == job.article.metadata.id)
            #expect(read.bytes == encoded, "a job that names its batch passes through unchanged")
        }
    }

    @Test func theGoldenJobsReadAsAWorkerReadsIt() throws {
        let bytes = try Self.body("jobs")
        let view = try Mirsad_V1_JobsView(serializedBytes: bytes)
        #expect(try view.serializedBytes() == bytes)
        #expect(try view.jobs.map { try EncodedJob(bytes: $0).decoded() } == Mirsad_V1_Jobs(serializedBytes: bytes).jobs)
    }

    @Test func theGoldenResultsReadAsTheCollectorReadsThem() throws {
        let bytes = try Self.body("results")
        let view = try Mirsad_V1_ResultsView(serializedBytes: bytes)
        #expect(try view.serializedBytes() == bytes)
        let results = try Mirsad_V1_Results(serializedBytes: bytes)
        for (read, result) in zip(view.results, results.results) {
            #expect(try Mirsad_V1_Analysis(serializedBytes: read.analysis) == result.analysis)
            #expect(read.jobID == result.jobID)
        }
    }
}
