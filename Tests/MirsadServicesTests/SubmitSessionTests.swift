import ArticleAnalysis
import Foundation
import MirsadCore
import MirsadWire
import Testing
import ZeroMQ
@testable import MirsadServices

/// `SubmitSession` against a fake dispatcher: a real ROUTER on TCP loopback answering SUBMIT.
@Suite(.timeLimit(.minutes(5)))
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

    /// The acknowledgement a dispatcher gives when it takes every job of `submit` and grants `credit` more.
    private static func acceptAll(_ submit: Mirsad_V1_Submit, credit: Int) -> MirsadMessage {
        var ack = Mirsad_V1_SubmitAck()
        ack.requestID = submit.requestID
        ack.batchID = submit.batchID
        ack.accepted = UInt32(submit.jobs.count)
        ack.credit = UInt32(max(0, credit))
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
            var lastArrival = MonotonicInstant.origin
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
                guard !script.pending.isEmpty, script.lastArrival.duration(to: now) > .milliseconds(100) else { return [] }
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
        #expect(Self.submits(dispatcher.received).allSatisfy { !$0.jobs.isEmpty }, "credit queries to a dispatcher that never grants credit")
    }

    @Test func jobsTakenNeverExceedTheCreditTheDispatcherGranted() throws {
        /// A dispatcher that holds at most 20 jobs, works off 3 every 20 ms, and grants what room is left.
        final class BoundedQueue: @unchecked Sendable {
            var queued = 0
            var most = 0
            var overflows = 0
            var queries = 0
            var lastDrain = MonotonicInstant.origin
        }
        let capacity = 20
        let queue = BoundedQueue()   // touched only on the peer's thread until it stops
        let dispatcher = try FakeRouterPeer(
            respond: { arrival in
                guard case .submit(let s) = arrival.message else { return [] }
                if s.jobs.isEmpty { queue.queries += 1 }
                queue.queued += s.jobs.count
                if queue.queued > capacity { queue.overflows += 1 }
                queue.most = max(queue.most, queue.queued)
                return [Self.acceptAll(s, credit: capacity - queue.queued)]
            },
            tick: { now in
                if queue.lastDrain.duration(to: now) >= .milliseconds(20) {
                    queue.queued = max(0, queue.queued - 3)
                    queue.lastDrain = now
                }
                return []
            })
        var options = SubmitSession.Options(dispatcherEndpoint: dispatcher.endpoint, batchID: "c")
        options.chunkArticles = 8
        let session = try SubmitSession(options: options)
        let totals = try Self.run(session, Self.articles(120))
        dispatcher.stop()
        #expect(totals == SubmitSession.Totals(sent: 120, accepted: 120))
        #expect(queue.overflows == 0, "the dispatcher held \(queue.most) jobs; it granted room for \(capacity)")
        #expect(queue.queries > 0 && session.creditQueries == queue.queries, "no credit query while the credit was 0")
        let jobs = Self.submits(dispatcher.received).flatMap(\.jobs)
        #expect(jobs.map(\.jobID) == (0..<120).map { "c:\($0)" }, "every job sent once, in order")
    }

    @Test func aFirstChunkLargerThanTheDispatchersQueueIsRefusedAsBusyAndCutToTheCredit() throws {
        // The dispatcher holds at most 40 jobs and refuses a SUBMIT that would not fit with BUSY, as the real
        // one does; it works off 10 jobs every 20 ms.
        final class BoundedQueue: @unchecked Sendable {
            var queued = 0
            var busy = 0
            var lastDrain = MonotonicInstant.origin
        }
        let capacity = 40
        let queue = BoundedQueue()
        let dispatcher = try FakeRouterPeer(
            respond: { arrival in
                guard case .submit(let s) = arrival.message else { return [] }
                if !s.jobs.isEmpty && queue.queued + s.jobs.count > capacity {
                    queue.busy += 1
                    return [.error(.busy, "\(queue.queued) jobs are waiting; the limit is \(capacity)", requestID: s.requestID)]
                }
                queue.queued += s.jobs.count
                return [Self.acceptAll(s, credit: capacity - queue.queued)]
            },
            tick: { now in
                if queue.lastDrain.duration(to: now) >= .milliseconds(20) {
                    queue.queued = max(0, queue.queued - 10)
                    queue.lastDrain = now
                }
                return []
            })
        var options = SubmitSession.Options(dispatcherEndpoint: dispatcher.endpoint, batchID: "big")
        options.chunkArticles = 100
        let started = MonotonicInstant.now()
        let totals = try Self.run(try SubmitSession(options: options), Self.articles(300))
        dispatcher.stop()
        #expect(totals == SubmitSession.Totals(sent: 300, accepted: 300))
        #expect(started.duration(to: .now()) < .seconds(10))
        let chunks = Self.submits(dispatcher.received).filter { !$0.jobs.isEmpty }
        #expect(chunks.first?.jobs.count == 100, "the first chunk goes whole before any credit is known")
        #expect(queue.busy == 1, "only the first chunk was refused: \(queue.busy) BUSY")
        #expect(chunks.dropFirst().allSatisfy { $0.jobs.count <= capacity }, "\(chunks.map(\.jobs.count))")
        let accepted = chunks.dropFirst().flatMap(\.jobs).map(\.jobID)
        #expect(accepted.sorted() == (0..<300).map { "big:\($0)" }.sorted(), "every job taken once")
    }

    @Test func atCreditZeroTheProducerAsksWithEmptySubmitsAndResumesWhenCreditReturns() throws {
        /// Grants 4 after the first chunk, 0 after the second, and 0 to every query for 1.2 s; then 100.
        final class Script: @unchecked Sendable {
            var acks = 0
            var zeroSince: MonotonicInstant? = nil
        }
        let script = Script()
        let pause = Duration.milliseconds(1_200)
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            guard case .submit(let s) = arrival.message else { return [] }
            script.acks += 1
            let credit: Int
            switch script.acks {
            case 1: credit = 4
            case 2: credit = 0; script.zeroSince = arrival.at
            default: credit = script.zeroSince!.duration(to: arrival.at) < pause ? 0 : 100
            }
            return [Self.acceptAll(s, credit: credit)]
        })
        var options = SubmitSession.Options(dispatcherEndpoint: dispatcher.endpoint, batchID: "z")
        options.chunkArticles = 4
        let totals = try Self.run(try SubmitSession(options: options), Self.articles(12))
        dispatcher.stop()
        #expect(totals == SubmitSession.Totals(sent: 12, accepted: 12))

        let submits = dispatcher.received.compactMap { r -> (at: MonotonicInstant, jobs: Int)? in
            if case .submit(let s) = r.message { (r.at, s.jobs.count) } else { nil }
        }
        let zeroSince = try #require(script.zeroSince)
        let queries = submits.filter { $0.jobs == 0 }
        #expect(queries.count >= 2 && queries.count <= 5, "\(queries.count) credit queries in 1.2 s; one every 0.5 s was asked for")
        for (earlier, later) in zip(queries, queries.dropFirst()) {
            #expect(later.at - earlier.at >= .milliseconds(400), "credit queries \(later.at - earlier.at) apart")
        }
        let third = try #require(submits.filter { $0.jobs > 0 }.dropFirst(2).first)
        #expect(third.at >= zeroSince + pause, "a chunk was sent while the credit was 0")
        #expect(third.at < zeroSince + pause + .seconds(1), "the producer did not resume soon after credit returned")
    }

    @Test func aDispatcherSilentForAWhileGetsEveryChunkWhenItAnswersAgain() throws {
        // Drops everything for a second after the first SUBMIT (as if down), then takes each job once.
        final class Script: @unchecked Sendable {
            var firstArrival: MonotonicInstant? = nil
            var known: Set<String> = []
        }
        let script = Script()
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            guard case .submit(let s) = arrival.message else { return [] }
            let first = script.firstArrival ?? arrival.at
            script.firstArrival = first
            guard first.duration(to: arrival.at) >= .seconds(1) else { return [] }
            var ack = Mirsad_V1_SubmitAck()
            ack.requestID = s.requestID
            ack.credit = 50
            for job in s.jobs {
                if script.known.insert(job.jobID).inserted { ack.accepted += 1 } else { ack.duplicates += 1 }
            }
            return [.submitAck(ack)]
        })
        defer { dispatcher.stop() }
        var options = SubmitSession.Options(dispatcherEndpoint: dispatcher.endpoint, batchID: "s")
        options.chunkArticles = 5
        options.ackTimeout = .milliseconds(300)
        let started = MonotonicInstant.now()
        let totals = try Self.run(try SubmitSession(options: options), Self.articles(20))
        #expect(started.duration(to: .now()) >= .seconds(1))
        #expect(totals.sent == 20 && totals.accepted == 20 && totals.rejected == 0)
        let first = Self.submits(dispatcher.received).filter { $0.jobs.first?.jobID == "s:0" }
        #expect(first.count >= 3, "the first chunk was sent \(first.count) times over a second with a 0.3 s timeout")
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
        options.ackTimeout = .milliseconds(100)
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
        // Every copy is acknowledged 250 ms after it arrived, the first one only after the session has resent it.
        let due = Locked<[(at: MonotonicInstant, peer: RoutingID, reply: MirsadMessage)]>([])
        let dispatcher = try FakeRouterPeer(respond: { arrival in
            guard case .submit(let s) = arrival.message else { return [] }
            due.withLock { $0.append((arrival.at + .milliseconds(250), arrival.peer, Self.acceptAll(s))) }
            return []
        }, tick: { now in
            due.withLock { queue in
                let ready = queue.filter { $0.at <= now }
                queue.removeAll { $0.at <= now }
                return ready.map { ($0.peer, $0.reply) }
            }
        })
        defer { dispatcher.stop() }
        var options = SubmitSession.Options(dispatcherEndpoint: dispatcher.endpoint, batchID: "late")
        options.ackTimeout = .milliseconds(100)
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
        options.ackTimeout = .milliseconds(100)
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
