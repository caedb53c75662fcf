import Foundation
import MirsadCore
import MirsadWire
import Testing
@testable import MirsadServices

/// `DeadLetterClient` against a fake dispatcher holding dead letters: paging, limits, retries, silence.
@Suite(.timeLimit(.minutes(5)))
struct StatusDeadLetterClientTests {
    /// A fake dispatcher with `count` dead letters of batch "b" and one of batch "other", listed in job-id order
    /// (by index), pages of at most `pageCap`.
    private static func dispatcher(count: Int, pageCap: Int = 100) throws -> FakeRouterPeer {
        let letters: [Mirsad_V1_DeadLetter] = (0..<count).map { i in
            var letter = Mirsad_V1_DeadLetter()
            letter.jobID = "b:\(i)"
            letter.batchID = "b"
            letter.articleID = "a\(i)"
            letter.attempts = 5
            return letter
        } + [{ var l = Mirsad_V1_DeadLetter(); l.jobID = "other:0"; l.batchID = "other"; return l }()]
        return try FakeRouterPeer(respond: { arrival in
            switch arrival.message {
            case .deadLetters(let request):
                let matching = letters.filter { request.batchID.isEmpty || $0.batchID == request.batchID }
                let start = request.afterJobID.isEmpty ? 0
                    : (matching.firstIndex { $0.jobID == request.afterJobID }.map { $0 + 1 } ?? matching.count)
                let size = min(request.limit == 0 ? 100 : Int(request.limit), pageCap)
                var reply = Mirsad_V1_DeadLettersReply()
                reply.requestID = request.requestID
                reply.letters = Array(matching[start..<min(matching.count, start + size)])
                reply.total = UInt64(matching.count)
                reply.more = start + size < matching.count
                return [.deadLettersReply(reply)]
            case .retryDeadLetters(let request):
                var reply = Mirsad_V1_RetryDeadLettersReply()
                reply.requestID = request.requestID
                if request.all {
                    reply.requeued = UInt32(letters.filter { request.batchID.isEmpty || $0.batchID == request.batchID }.count)
                } else {
                    let dead = Set(letters.map(\.jobID))
                    reply.requeued = UInt32(request.jobIds.filter(dead.contains).count)
                    reply.notDead = request.jobIds.filter { !dead.contains($0) }
                }
                return [.retryDeadLettersReply(reply)]
            default:
                return []
            }
        })
    }

    @Test func listPagesThroughEveryDeadLetterOfTheBatch() throws {
        let dispatcher = try Self.dispatcher(count: 250)
        defer { dispatcher.stop() }
        let listing = try DeadLetterClient(dispatcherEndpoint: dispatcher.endpoint).list(batchID: "b", limit: nil, timeout: .seconds(3))
        #expect(listing.total == 250)
        #expect(listing.deadLetters.map(\.jobID) == (0..<250).map { "b:\($0)" })
        let pages = dispatcher.received.compactMap { if case .deadLetters(let r) = $0.message { r } else { nil } }
        #expect(pages.count == 3)
        #expect(pages.allSatisfy { $0.batchID == "b" })
        #expect(pages.map(\.afterJobID) == ["", "b:99", "b:199"])
    }

    @Test func listStopsAtTheLimitAndAllBatchesAreListedWithoutOne() throws {
        let dispatcher = try Self.dispatcher(count: 250)
        defer { dispatcher.stop() }
        let client = try DeadLetterClient(dispatcherEndpoint: dispatcher.endpoint)
        let limited = try client.list(batchID: "b", limit: 120, timeout: .seconds(3))
        #expect(limited.deadLetters.map(\.jobID) == (0..<120).map { "b:\($0)" })
        #expect(limited.total == 250)
        let pages = dispatcher.received.compactMap { if case .deadLetters(let r) = $0.message { r } else { nil } }
        #expect(pages.map(\.limit) == [120, 20], "the last page asks only for what the limit leaves")
        let everything = try client.list(batchID: nil, limit: nil, timeout: .seconds(3))
        #expect(everything.total == 251)
        #expect(everything.deadLetters.last?.jobID == "other:0")
    }

    @Test func aDispatcherClaimingMoreWithoutAdvancingDoesNotLoop() throws {
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            guard case .deadLetters(let request) = arrival.message else { return [] }
            var letter = Mirsad_V1_DeadLetter()
            letter.jobID = "b:0"
            var reply = Mirsad_V1_DeadLettersReply()
            reply.requestID = request.requestID
            reply.letters = [letter]
            reply.total = 5
            reply.more = true
            return [.deadLettersReply(reply)]
        })
        defer { dispatcher.stop() }
        let listing = try DeadLetterClient(dispatcherEndpoint: dispatcher.endpoint).list(batchID: nil, limit: nil, timeout: .seconds(3))
        #expect(listing.deadLetters.map(\.jobID) == ["b:0"])
    }

    @Test func retrySendsTheIdsOrAllAndSumsTheReplies() throws {
        let dispatcher = try Self.dispatcher(count: 3)
        defer { dispatcher.stop() }
        let client = try DeadLetterClient(dispatcherEndpoint: dispatcher.endpoint)
        let some = try client.retry(jobIDs: ["b:0", "b:2", "b:9"], timeout: .seconds(3))
        #expect(some == DeadLetterRetryOutcome(requeued: 2, notDead: ["b:9"]))
        let many = (0..<2500).map { "x:\($0)" } + ["b:1"]
        let split = try client.retry(jobIDs: many, timeout: .seconds(3))
        #expect(split.requeued == 1 && split.notDead.count == 2500)
        let all = try client.retryAll(batchID: "b", timeout: .seconds(3))
        #expect(all.requeued == 3)
        let requests = dispatcher.received.compactMap { if case .retryDeadLetters(let r) = $0.message { r } else { nil } }
        #expect(requests.map(\.jobIds.count) == [3, 1000, 1000, 501, 0])
        #expect(requests.last?.all == true && requests.last?.batchID == "b")
        #expect(requests.dropLast().allSatisfy { !$0.all && $0.batchID.isEmpty })
    }

    @Test func aSilentDispatcherIsATimeoutNamingTheEndpoint() throws {
        let silent = try FakeRouterPeer()
        defer { silent.stop() }
        let started = MonotonicInstant.now()
        do {
            _ = try DeadLetterClient(dispatcherEndpoint: silent.endpoint).list(batchID: nil, limit: nil, timeout: .milliseconds(300))
            Issue.record("no error from a dispatcher that never answers")
        } catch {
            #expect("\(error)".contains(silent.endpoint), "\(error)")
            #expect("\(error)".contains("no answer"))
        }
        // It gives up rather than waiting on: a bound a loaded machine meets, far under "never".
        #expect(started.duration(to: .now()) < .seconds(15))
    }

    @Test func aRefusalIsReportedWithTheDispatchersMessage() throws {
        let refusing = try FakeRouterPeer(respond: { arrival in
            guard case .retryDeadLetters(let r) = arrival.message else { return [] }
            return [.error(.notAllowed, "RETRY_DEAD_LETTERS not allowed", requestID: r.requestID)]
        })
        defer { refusing.stop() }
        #expect(throws: DispatcherRefusal.self) {
            _ = try DeadLetterClient(dispatcherEndpoint: refusing.endpoint).retryAll(batchID: nil, timeout: .seconds(3))
        }
    }
}
