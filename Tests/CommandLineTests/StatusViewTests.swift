import Foundation
import MirsadWire
import Testing
@testable import MirsadServices
@testable import mirsad

/// What `mirsad status` and `mirsad dlq` print, as pure functions of the dispatcher's replies.
struct StatusViewTests {
    private static func object(_ value: some Encodable) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any])
    }

    private static var reply: Mirsad_V1_StatusReply {
        var reply = Mirsad_V1_StatusReply()
        reply.queued = 5
        reply.inFlight = 4
        reply.retrying = 3
        reply.awaitingStore = 2
        reply.stored = 100
        reply.failed = 7
        reply.deadLetters = 7
        reply.redispatches = 11
        reply.journal = "sqlite:/var/lib/mirsad/journal.sqlite"
        reply.uptimeMs = 1500
        reply.version = "mirsad 0.1.0"
        var worker = Mirsad_V1_WorkerStatus()
        worker.id = "w1"
        worker.capacity = 32
        reply.workers = [worker]
        reply.peerProblems = ["malformed": 2, "cut_off": 1]
        return reply
    }

    @Test func statusJSONKeepsItsFieldsAndAddsRetryingDeadLettersRedispatchesAndJournal() throws {
        let json = try Self.object(StatusView(Self.reply))
        let expectedKeys: Set<String> = [
            "queued", "in_flight", "retrying", "awaiting_store", "stored", "failed", "dead_letters", "redispatches",
            "journal", "workers", "collectors", "throughput_10s", "throughput_1m", "latency_p50_ms", "latency_p99_ms",
            "uptime_s", "batches", "malformed_messages", "refused_messages", "version", "no_worker_for_ms",
            "no_collector_for_ms", "security_refusals", "peer_problems", "collector_sessions",
        ]
        #expect(Set(json.keys) == expectedKeys)
        #expect(json["retrying"] as? Int == 3)
        #expect(json["dead_letters"] as? Int == 7)
        #expect(json["failed"] as? Int == 7)
        #expect(json["redispatches"] as? Int == 11)
        #expect(json["journal"] as? String == "sqlite:/var/lib/mirsad/journal.sqlite")
        #expect(json["uptime_s"] as? Double == 1.5)
        #expect((json["workers"] as? [[String: Any]])?.first?["capacity"] as? Int == 32)
        #expect(json["peer_problems"] as? [String: Int] == ["malformed": 2, "cut_off": 1])
    }

    @Test func statusTextShowsRetryingDeadLettersRedispatchesAndTheJournal() {
        let text = StatusView(Self.reply).text
        #expect(text.contains("3 retrying"))
        #expect(text.contains("7 dead letters"))
        #expect(text.contains("redispatches: 11"))
        #expect(text.contains("journal sqlite:/var/lib/mirsad/journal.sqlite"))
        #expect(text.contains("peer problems: 1 cut_off, 2 malformed"))
        #expect(text.contains("mirsad dlq list"), "dead letters point at the command that lists them")
        var quiet = Self.reply
        quiet.failed = 0
        quiet.deadLetters = 0
        #expect(!StatusView(quiet).text.contains("mirsad dlq list"))
    }

    @Test func anOlderDispatcherThatFillsOnlyFailedStillShowsDeadLetters() {
        var reply = Self.reply
        reply.deadLetters = 0
        reply.journal = ""
        let view = StatusView(reply)
        #expect(view.deadLetters == 7)
        #expect(view.text.contains("journal unknown"))
    }

    @Test func statusShowsEveryPeersHostVersionAndClock() throws {
        var reply = Self.reply
        reply.workers[0].host = "host-b"
        reply.workers[0].version = "mirsad 0.1.0"
        reply.workers[0].clockOffsetMs = -12
        reply.workers[0].clockKnown = true
        reply.collectors = 1
        reply.collectorSessions = [.with { $0.id = "c1"; $0.host = "host-a"; $0.pid = 7; $0.version = "mirsad 0.1.0" }]
        let view = StatusView(reply)
        #expect(view.warnings.isEmpty)
        #expect(view.text.contains("w1  host host-b pid 0  mirsad 0.1.0, clock -12 ms"))
        #expect(view.text.contains("c1  host host-a pid 7  mirsad 0.1.0, clock unknown"))
        let json = try Self.object(view)
        let worker = try #require((json["workers"] as? [[String: Any]])?.first)
        #expect(worker["clock_offset_ms"] as? Int == -12)
        #expect(worker["version"] as? String == "mirsad 0.1.0")
        let collector = try #require((json["collector_sessions"] as? [[String: Any]])?.first)
        #expect(collector["host"] as? String == "host-a")
        #expect(collector["clock_offset_ms"] == nil, "an unknown offset is left out")
    }

    @Test func warningsNameAMissingRoleJobsWaitingOnACollectorAClockAndAVersion() {
        var reply = Self.reply
        reply.noCollectorForMs = 90_000
        reply.awaitingStore = 40
        reply.workers[0].host = "host-c"
        reply.workers[0].version = "mirsad 0.0.9"
        reply.workers[0].clockOffsetMs = 2_500
        reply.workers[0].clockKnown = true
        let warnings = StatusView(reply).warnings
        #expect(warnings.count == 4)
        #expect(warnings[0].hasPrefix("warning: no collector has been connected to the dispatcher for 1 min 30 s"))
        #expect(warnings[1].hasPrefix("warning: 40 jobs done by workers wait on a collector that has not been seen for 1 min 30 s"))
        #expect(warnings[2].hasPrefix("warning: the clock of worker w1 on host-c is 2500 ms ahead of the dispatcher's"))
        #expect(warnings[3] == "warning: peers run mirsad 0.0.9 beside the dispatcher's mirsad 0.1.0")
        #expect(StatusView(reply).text.hasPrefix(warnings.joined(separator: "\n")))
    }

    private static func letter(_ index: Int, error: String = "analysis crashed") -> Mirsad_V1_DeadLetter {
        var letter = Mirsad_V1_DeadLetter()
        letter.jobID = "b:\(index)"
        letter.batchID = "b"
        letter.articleID = "article-\(index)"
        letter.error = error
        letter.workerID = index.isMultiple(of: 2) ? "host-1-abc" : ""
        letter.attempts = 5
        letter.deadUnixMs = 1_700_000_000_000 + UInt64(index)
        return letter
    }

    @Test func deadLetterListJSONHasExactlyTheAgreedFields() throws {
        let listing = DeadLetterListing(total: 9, letters: [Self.letter(0), Self.letter(1)])
        let json = try Self.object(listing)
        #expect(Set(json.keys) == ["total", "dead_letters"])
        #expect(json["total"] as? Int == 9)
        let entries = try #require(json["dead_letters"] as? [[String: Any]])
        #expect(entries.count == 2)
        #expect(Set(entries[0].keys) == ["job_id", "batch_id", "article_id", "error", "worker_id", "attempts", "dead_unix_ms"])
        #expect(entries[0]["job_id"] as? String == "b:0")
        #expect(entries[0]["article_id"] as? String == "article-0")
        #expect(entries[0]["worker_id"] as? String == "host-1-abc")
        #expect(entries[1]["worker_id"] as? String == "")
        #expect(entries[1]["attempts"] as? Int == 5)
        #expect(entries[1]["dead_unix_ms"] as? Int == 1_700_000_000_001)
    }

    @Test func deadLetterTableHasAColumnPerFieldAndOneLinePerLetter() throws {
        let listing = DeadLetterListing(total: 3, letters: [
            Self.letter(0), Self.letter(13, error: "worker crashed\nwhile analysing"),
        ])
        let lines = listing.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 5, "header, two rows, count, and the final newline: \(lines)")
        #expect(lines[0].hasPrefix("JOB ID"))
        for column in ["ARTICLE ID", "ATTEMPTS", "WORKER", "ERROR"] { #expect(lines[0].contains(column)) }
        // Columns line up: each row's article id starts where the header's column does.
        let articleColumn = try #require(lines[0].range(of: "ARTICLE ID")).lowerBound.utf16Offset(in: lines[0])
        #expect(lines[1].dropFirst(articleColumn).hasPrefix("article-0"))
        #expect(lines[2].dropFirst(articleColumn).hasPrefix("article-13"))
        #expect(lines[1].contains("host-1-abc"))
        #expect(lines[2].contains("worker crashed while analysing"), "a newline in an error stays on its row")
        #expect(lines[2].contains(" - "), "no worker is shown as -")
        #expect(lines[3] == "2 of 3 dead letters listed")
        #expect(DeadLetterListing(total: 0, letters: []).text == "no dead letters\n")
        #expect(DeadLetterListing(total: 1, letters: [Self.letter(1)]).text.hasSuffix("\n1 dead letter\n"))
    }

    @Test func retryOutcomeJSONAndText() throws {
        let outcome = DeadLetterRetryOutcome(requeued: 2, notDead: ["b:7", "x:1"])
        let json = try Self.object(outcome)
        #expect(Set(json.keys) == ["requeued", "not_dead"])
        #expect(json["requeued"] as? Int == 2)
        #expect(json["not_dead"] as? [String] == ["b:7", "x:1"])
        #expect(outcome.text.contains("2 dead letters queued again"))
        #expect(outcome.text.contains("b:7, x:1"))
        #expect(!DeadLetterRetryOutcome(requeued: 1, notDead: []).text.contains("not dead"))
    }
}
