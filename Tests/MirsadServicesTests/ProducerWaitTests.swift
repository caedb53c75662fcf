import Foundation
import MirsadCore
import MirsadWire
import Testing
@testable import MirsadServices

/// `Producer` with `--wait` against a fake dispatcher: the wait survives unanswered polls and ends only when no job
/// is left to run.
@Suite(.timeLimit(.minutes(5)))
struct ProducerWaitTests {
    /// A JSON Lines file of `count` articles in a new directory.
    private static func input(_ count: Int) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mirsad-producer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let lines = (0..<count).map { #"{"id": "p\#($0)", "text": "وصل الوفد إلى القاهرة صباح اليوم رقم \#($0)."}"# }
        let path = directory.appendingPathComponent("articles.jsonl").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private static func options(_ endpoint: String, waitTimeout: Duration?) -> Producer.Options {
        var options = Producer.Options(session: SubmitSession.Options(dispatcherEndpoint: endpoint, batchID: "wait"))
        options.wait = true
        options.waitTimeout = waitTimeout
        options.statusTimeout = .milliseconds(300)
        options.pollInterval = .milliseconds(50)
        return options
    }

    private static func acknowledge(_ submit: Mirsad_V1_Submit) -> MirsadMessage {
        var ack = Mirsad_V1_SubmitAck()
        ack.requestID = submit.requestID
        ack.batchID = submit.batchID
        ack.accepted = UInt32(submit.jobs.count)
        ack.credit = 1000
        return .submitAck(ack)
    }

    /// The dispatcher acknowledged every job but holds fewer at the end (its journal was replaced while the batch
    /// ran): the wait fails naming how many are missing, instead of reporting a finished batch.
    @Test func jobsTheDispatcherNoLongerHoldsFailTheWait() throws {
        let count = 8
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            switch arrival.message {
            case .submit(let s):
                return [Self.acknowledge(s)]
            case .batchStatus(let request):
                var reply = Mirsad_V1_BatchStatusReply()
                reply.requestID = request.requestID
                reply.batchID = request.batchID
                reply.known = true
                reply.total = 5
                reply.stored = 5
                return [.batchStatusReply(reply)]
            default:
                return []
            }
        })
        defer { dispatcher.stop() }
        let error = #expect(throws: Producer.JobsMissing.self) {
            _ = try Producer(options: Self.options(dispatcher.endpoint, waitTimeout: .seconds(20)), logger: quietLogger)
                .run(inputs: [try Self.input(count)])
        }
        #expect(error?.missing == 3)
        #expect(error?.description.contains("--batch wait") == true, "\(String(describing: error))")
    }

    @Test func waitGoesOnThroughUnansweredPollsAndEndsWhenNothingIsRetrying() throws {
        // BATCH_STATUS goes unanswered for 1.2 s (a dispatcher restarting); then one job is retrying, then the
        // batch is finished with one dead letter.
        final class Script: @unchecked Sendable {
            var firstPoll: MonotonicInstant? = nil
            var answers = 0
        }
        let script = Script()
        let count = 6
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            switch arrival.message {
            case .submit(let s):
                return [Self.acknowledge(s)]
            case .batchStatus(let request):
                let first = script.firstPoll ?? arrival.at
                script.firstPoll = first
                guard first.duration(to: arrival.at) >= .milliseconds(1_200) else { return [] }
                script.answers += 1
                var reply = Mirsad_V1_BatchStatusReply()
                reply.requestID = request.requestID
                reply.batchID = request.batchID
                reply.known = true
                reply.total = UInt32(count)
                if script.answers == 1 {
                    reply.stored = UInt32(count - 2)
                    reply.retrying = 1
                    reply.failed = 1
                } else {
                    reply.stored = UInt32(count - 1)
                    reply.failed = 1
                }
                return [.batchStatusReply(reply)]
            default:
                return []
            }
        })
        defer { dispatcher.stop() }
        let started = MonotonicInstant.now()
        let report = try Producer(options: Self.options(dispatcher.endpoint, waitTimeout: .seconds(exactly: 20)), logger: quietLogger)
            .run(inputs: [try Self.input(count)])
        #expect(started.duration(to: .now()) >= .milliseconds(1_200))
        #expect(report.accepted == count)
        #expect(report.stored == count - 1)
        #expect(report.deadLetters == 1 && report.failed == 1)
        #expect(report.retrying == 0)
        #expect(script.answers >= 2, "the wait ended while a job was retrying")
        let polls = dispatcher.received.filter { if case .batchStatus = $0.message { true } else { false } }
        #expect(polls.count >= 4, "\(polls.count) polls: unanswered ones were not followed by more")
    }

    @Test func waitTimeoutEndsAWaitTheDispatcherNeverAnswers() throws {
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            if case .submit(let s) = arrival.message { [Self.acknowledge(s)] } else { [] }
        })
        defer { dispatcher.stop() }
        let started = MonotonicInstant.now()
        #expect(throws: Producer.WaitTimeout.self) {
            _ = try Producer(options: Self.options(dispatcher.endpoint, waitTimeout: .milliseconds(800)), logger: quietLogger)
                .run(inputs: [try Self.input(3)])
        }
        let seconds = started.duration(to: .now()).inSeconds
        #expect(seconds >= 0.8 && seconds < 5, "gave up after \(seconds) s")
    }

    @Test func aBatchIsFinishedOnlyWhenEveryJobIsStoredOrDeadLettered() {
        func finished(stored: UInt32, failed: UInt32 = 0, queued: UInt32 = 0, inFlight: UInt32 = 0,
                      retrying: UInt32 = 0, awaitingStore: UInt32 = 0) -> Bool {
            var reply = Mirsad_V1_BatchStatusReply()
            reply.known = true
            reply.total = 10
            reply.stored = stored
            reply.failed = failed
            reply.queued = queued
            reply.inFlight = inFlight
            reply.retrying = retrying
            reply.awaitingStore = awaitingStore
            return Producer.isFinished(reply)
        }
        #expect(finished(stored: 10))
        #expect(finished(stored: 7, failed: 3))
        #expect(!finished(stored: 9, queued: 1))
        #expect(!finished(stored: 9, inFlight: 1))
        #expect(!finished(stored: 9, retrying: 1))
        #expect(!finished(stored: 9, awaitingStore: 1))
        #expect(!finished(stored: 8, failed: 1), "a job unaccounted for")
    }

    @Test func reportJSONNamesDeadLettersAndRetrying() throws {
        let report = Producer.Report(
            batchID: "b", articles: 3, accepted: 3, duplicates: 0, rejected: 0, inputProblems: [:], stored: 2, failed: 1,
            deadLetters: 1, retrying: 0, seconds: 1, articlesPerSecond: 2)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        #expect(object?["dead_letters"] as? Int == 1)
        #expect(object?["retrying"] as? Int == 0)
        #expect(object?["failed"] as? Int == 1)
        #expect(object?["stored"] as? Int == 2)
    }
}
