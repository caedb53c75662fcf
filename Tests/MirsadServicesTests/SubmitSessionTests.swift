import ArticleAnalysis
import Foundation
import MirsadProtocol
import Testing
@testable import MirsadServices

/// `SubmitSession` against a fake dispatcher: a real ROUTER on TCP loopback answering SUBMIT.
@Suite(.timeLimit(.minutes(1)))
struct SubmitSessionTests {
    private static func articles(_ count: Int, bytes: Int = 40) -> [Article] {
        (0..<count).map { i in
            Article(id: "article-\(i)", content: .text(String(repeating: "ب", count: bytes / 2)))
        }
    }

    private static func submits(_ received: [FakeRouterPeer.Received]) -> [Mirsad_V1_Submit] {
        received.compactMap { if case .submit(let s) = $0.message { s } else { nil } }
    }

    /// The acknowledgement a dispatcher gives when it takes every job of `submit`.
    private static func acceptAll(_ submit: Mirsad_V1_Submit) -> MirsadMessage {
        var ack = Mirsad_V1_SubmitAck()
        ack.requestID = submit.requestID
        ack.batchID = submit.batchID
        ack.accepted = UInt32(submit.jobs.count)
        return .submitAck(ack)
    }

    private static func run(_ session: SubmitSession, _ articles: [Article]) throws -> SubmitSession.Totals {
        for article in articles { try session.add(article) }
        return try session.finish()
    }

    @Test func jobIdsFollowTheBatchAndChunksRespectTheProtocolLimit() throws {
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            if case .submit(let s) = arrival.message { [Self.acceptAll(s)] } else { [] }
        })
        defer { dispatcher.stop() }
        var options = SubmitSession.Options(dispatcherEndpoint: dispatcher.endpoint, batchID: "batch-x")
        options.chunkArticles = 10_000   // asks for more than a SUBMIT may carry
        options.includeTokens = true
        let input = Self.articles(600)
        let totals = try Self.run(try SubmitSession(options: options), input)

        #expect(totals == SubmitSession.Totals(sent: 600, accepted: 600))
        let submits = Self.submits(dispatcher.received)
        #expect(submits.map(\.jobs.count) == [256, 256, 88])
        #expect(Set(submits.map(\.requestID)).count == submits.count)
        let jobs = submits.flatMap(\.jobs)
        #expect(jobs.map(\.jobID) == (0..<600).map { "batch-x:\($0)" })
        #expect(jobs.map(\.article.metadata.id) == input.map(\.id))
        #expect(jobs.allSatisfy { $0.batchID == "batch-x" && $0.options.includeTokens })
        #expect(submits.allSatisfy { $0.batchID == "batch-x" })
    }

    @Test func chunksAreCutBySizeAndByBytes() throws {
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            if case .submit(let s) = arrival.message { [Self.acceptAll(s)] } else { [] }
        })
        defer { dispatcher.stop() }
        var byCount = SubmitSession.Options(dispatcherEndpoint: dispatcher.endpoint, batchID: "count")
        byCount.chunkArticles = 7
        _ = try Self.run(try SubmitSession(options: byCount), Self.articles(30))
        #expect(Self.submits(dispatcher.received).map(\.jobs.count) == [7, 7, 7, 7, 2])

        // 100-byte bodies and 350 bytes a chunk: three articles fit, a fourth would not.
        var byBytes = SubmitSession.Options(dispatcherEndpoint: dispatcher.endpoint, batchID: "bytes")
        byBytes.chunkBytes = 350
        _ = try Self.run(try SubmitSession(options: byBytes), Self.articles(10, bytes: 100))
        let chunks = Self.submits(dispatcher.received).filter { $0.batchID == "bytes" }
        #expect(chunks.map(\.jobs.count) == [3, 3, 3, 1])
        #expect(chunks.allSatisfy { $0.jobs.reduce(0) { $0 + $1.article.contentBytes } <= 350 })
    }

    @Test func unacknowledgedChunksNeverExceedTheWindow() throws {
        /// Acknowledges the oldest chunk only after the producer has been quiet for 100 ms, so a producer that
        /// ignored its window would pile up more chunks than it may.
        final class SlowAcks: @unchecked Sendable {
            var pending: [(RoutingID, Mirsad_V1_Submit)] = []
            var lastArrival: UInt64 = 0
            var most = 0
        }
        let script = SlowAcks()   // touched only on the peer's thread until it stops
        let dispatcher = try FakeRouterPeer(
            respond: { arrival in
                if case .submit(let s) = arrival.message, !script.pending.contains(where: { $0.1.requestID == s.requestID }) {
                    script.pending.append((arrival.peer, s))
                    script.most = max(script.most, script.pending.count)
                }
                script.lastArrival = arrival.at
                return []
            },
            tick: { now in
                guard !script.pending.isEmpty, now - script.lastArrival > 100_000_000 else { return [] }
                let (peer, oldest) = script.pending.removeFirst()
                script.lastArrival = now
                return [(peer, Self.acceptAll(oldest))]
            })
        var options = SubmitSession.Options(dispatcherEndpoint: dispatcher.endpoint, batchID: "w")
        options.chunkArticles = 2
        options.window = 3
        let totals = try Self.run(try SubmitSession(options: options), Self.articles(16))
        dispatcher.stop()
        #expect(totals.accepted == 16)
        #expect(Self.submits(dispatcher.received).count == 8)
        #expect(script.most == 3, "at most \(script.most) chunks were unacknowledged at once; the window is 3")
    }

    @Test func chunkWhoseAckNeverComesIsResent() throws {
        // The first copy of every chunk is lost; only a resend is acknowledged.
        let seen = Locked<Set<String>>([])
        let answering = try FakeRouterPeer(respond: { arrival in
            guard case .submit(let s) = arrival.message else { return [] }
            let again = seen.withLock { !$0.insert(s.requestID).inserted }
            return again ? [Self.acceptAll(s)] : []
        })
        defer { answering.stop() }
        var options = SubmitSession.Options(dispatcherEndpoint: answering.endpoint, batchID: "r")
        options.chunkArticles = 5
        options.ackTimeoutSeconds = 0.1
        let started = Date()
        let totals = try Self.run(try SubmitSession(options: options), Self.articles(12))
        #expect(Date().timeIntervalSince(started) >= 0.1)
        #expect(totals == SubmitSession.Totals(sent: 12, accepted: 12))
        let submits = Self.submits(answering.received)
        let byRequest = Dictionary(grouping: submits, by: \.requestID)
        #expect(byRequest.count == 3)
        for (id, copies) in byRequest {
            #expect(copies.count >= 2, "chunk \(id) was sent \(copies.count) times")
            #expect(copies.allSatisfy { $0.jobs == copies[0].jobs }, "chunk \(id) changed when resent")
        }
    }

    @Test func lateAckForAResentChunkIsCountedOnce() throws {
        // Every copy is acknowledged, the first one only after the session has resent it.
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            guard case .submit(let s) = arrival.message else { return [] }
            usleep(250_000)
            return [Self.acceptAll(s)]
        })
        defer { dispatcher.stop() }
        var options = SubmitSession.Options(dispatcherEndpoint: dispatcher.endpoint, batchID: "late")
        options.ackTimeoutSeconds = 0.1
        let totals = try Self.run(try SubmitSession(options: options), Self.articles(4))
        #expect(totals == SubmitSession.Totals(sent: 4, accepted: 4))
        #expect(dispatcher.waitUntil(seconds: 2) { Self.submits($0).count >= 2 }, "the chunk was never resent")
    }

    @Test func totalsAddUpAcceptedDuplicatesAndRejected() throws {
        // Every fifth job is a duplicate, every seventh (not fifth) is rejected, half of those by index only.
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            guard case .submit(let s) = arrival.message else { return [] }
            var ack = Mirsad_V1_SubmitAck()
            ack.requestID = s.requestID
            for (index, job) in s.jobs.enumerated() {
                let n = Int(job.jobID.split(separator: ":").last!)!
                if n % 5 == 0 {
                    ack.duplicates += 1
                } else if n % 7 == 0 {
                    var rejection = Mirsad_V1_Rejection()
                    rejection.index = UInt32(index)
                    if n % 2 == 0 { rejection.jobID = job.jobID }
                    rejection.reason = "too short"
                    ack.rejected.append(rejection)
                } else {
                    ack.accepted += 1
                }
            }
            return [.submitAck(ack)]
        })
        defer { dispatcher.stop() }
        var options = SubmitSession.Options(dispatcherEndpoint: dispatcher.endpoint, batchID: "t")
        options.chunkArticles = 9
        let count = 100
        let totals = try Self.run(try SubmitSession(options: options), Self.articles(count))
        let duplicates = (0..<count).filter { $0 % 5 == 0 }
        let rejected = (0..<count).filter { $0 % 5 != 0 && $0 % 7 == 0 }
        #expect(totals.sent == count)
        #expect(totals.duplicates == duplicates.count)
        #expect(totals.rejected == rejected.count)
        #expect(totals.accepted == count - duplicates.count - rejected.count)
        // A rejection names the job id when the dispatcher gave one, otherwise the article id at its index.
        let expectedRejections = rejected.map { n in n % 2 == 0 ? "t:\(n): too short" : "article-\(n): too short" }
        #expect(totals.rejections.sorted() == expectedRejections.sorted())
    }

    @Test func busyChunkIsSentAgainAndRefusedChunkIsCountedAsRejected() throws {
        // The first chunk is refused as busy once, the second refused outright, the rest accepted.
        let busyOnce = Locked(false)
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            guard case .submit(let s) = arrival.message else { return [] }
            if s.jobs.first?.jobID == "e:0", !busyOnce.withLock({ b in defer { b = true }; return b }) {
                return [.error(.busy, "queue full", requestID: s.requestID)]
            }
            if s.jobs.first?.jobID == "e:3" {
                return [.error(.invalid, "bad chunk", requestID: s.requestID)]
            }
            return [Self.acceptAll(s)]
        })
        defer { dispatcher.stop() }
        var options = SubmitSession.Options(dispatcherEndpoint: dispatcher.endpoint, batchID: "e")
        options.chunkArticles = 3
        options.ackTimeoutSeconds = 0.1
        let totals = try Self.run(try SubmitSession(options: options), Self.articles(9))
        #expect(totals.accepted == 6)
        #expect(totals.rejected == 3)
        #expect(totals.rejections.count == 1)
        #expect(totals.rejections.first?.contains("a chunk of 3 articles") == true, "\(totals.rejections)")
        #expect(totals.rejections.first?.contains("bad chunk") == true)
        let firstChunkCopies = Self.submits(dispatcher.received).filter { $0.jobs.first?.jobID == "e:0" }
        #expect(firstChunkCopies.count == 2)
    }

    /// A rejection without a job id whose index lies outside the chunk is reported, not fatal (runs in a child
    /// process, so a trap would fail only this test).
    @Test func rejectionWithAnIndexOutsideTheChunkIsReportedNotFatal() async {
        await #expect(processExitsWith: .success) {
            guard try SubmitSessionTests.outOfRangeRejectionScenario() else { exit(1) }
        }
    }

    /// True when a rejection pointing past the chunk is counted and named without a job id.
    static func outOfRangeRejectionScenario() throws -> Bool {
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            guard case .submit(let s) = arrival.message else { return [] }
            var ack = Mirsad_V1_SubmitAck()
            ack.requestID = s.requestID
            ack.accepted = UInt32(s.jobs.count - 1)
            var rejection = Mirsad_V1_Rejection()
            rejection.index = 999
            rejection.reason = "odd"
            ack.rejected = [rejection]
            return [.submitAck(ack)]
        })
        defer { dispatcher.stop() }
        let totals = try run(try SubmitSession(options: .init(dispatcherEndpoint: dispatcher.endpoint, batchID: "o")), articles(3))
        return totals.rejected == 1 && totals.accepted == 2 && totals.rejections.count == 1
    }
}
