import Foundation
import GRDB
import MirsadWire
import ReportStore
import Testing
import ZeroMQ

/// The whole path over real TCP loopback: separate `mirsad` processes, a real SQLite store.
@Suite(.serialized)
struct ClusterTests {
    /// Lines of a JSON Lines file that hold an article.
    private func articleLines(_ url: URL) throws -> Int {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
    }

    @Test func separateProcessesStoreEveryArticleOnceAndStatusAgrees() async throws {
        try await TestCluster.with(workers: 2) { cluster in
            let input = TestPaths.samples.appendingPathComponent("ant-sample.jsonl")
            let expected = try articleLines(input)

            let submitted = try await runMirsad(["submit", input.path, "--dispatcher", cluster.dispatcherEndpoint, "--wait", "--json"])
            #expect(submitted.status == 0, "submit failed: \(submitted.stderr)")
            let report = try decodeJSON(submitted.stdout)
            #expect(report["articles"] as? Int == expected)
            #expect(report["accepted"] as? Int == expected)
            #expect(report["stored"] as? Int == expected)

            let store = try SQLiteReportStore(path: cluster.storePath)
            #expect(try store.count().analysed == expected)

            let status = try await runMirsad(["status", "--dispatcher", cluster.dispatcherEndpoint, "--json"])
            #expect(status.status == 0, "status failed: \(status.stderr)")
            let figures = try decodeJSON(status.stdout)
            #expect(figures["stored"] as? Int == expected)
            #expect(figures["queued"] as? Int == 0)
            #expect(figures["in_flight"] as? Int == 0)
            let workers = figures["workers"] as? [[String: Any]] ?? []
            #expect(workers.count == 2)
            #expect(workers.reduce(0) { $0 + ($1["done"] as? Int ?? 0) } == expected)
            #expect((figures["latency_p99_ms"] as? Double ?? 0) > 0)

            // The same batch again changes nothing: no duplicate rows.
            let batch = try #require(report["batch_id"] as? String)
            let again = try await runMirsad(["submit", input.path, "--dispatcher", cluster.dispatcherEndpoint, "--batch", batch, "--wait", "--json"])
            #expect(again.status == 0, "resubmit failed: \(again.stderr)")
            #expect(try decodeJSON(again.stdout)["duplicates"] as? Int == expected)
            #expect(try store.count().total == expected)
        }
    }

    @Test func badInputIsReportedAndTheRestIsStored() async throws {
        try await TestCluster.with(workers: 1) { cluster in
            let dir = try TestPaths.temporaryDirectory()
            try "وصل وفد قيادي من حركة حماس إلى القاهرة لبحث الملفات المتعلقة بإدارة قطاع غزة.".write(
                to: dir.appendingPathComponent("good.txt"), atomically: true, encoding: .utf8)
            try """
            {"id": "a1", "title": "one", "text": "The harbour reopened on Monday after repairs, officials said."}
            {"id": "a2", "text": broken json
            {"id": "a3", "text": "Le port a rouvert lundi après des réparations, selon les autorités."}
            """.write(to: dir.appendingPathComponent("mixed.jsonl"), atomically: true, encoding: .utf8)
            try Data([0, 1, 2, 0, 0, 0xFF, 0xFE, 0, 7, 0]).write(to: dir.appendingPathComponent("garbage.txt"))
            try "   \n ".write(to: dir.appendingPathComponent("empty.txt"), atomically: true, encoding: .utf8)

            let result = try await runMirsad(["submit", dir.path, "--dispatcher", cluster.dispatcherEndpoint, "--wait", "--json"])
            #expect(result.status == 6, "submit exits 6 when it passed input over: \(result.stderr)")
            #expect(result.stderr.contains("3 input problems (1 binary, 1 empty, 1 malformed_json) passed over"), "\(result.stderr)")
            let report = try decodeJSON(result.stdout)
            #expect(report["stored"] as? Int == 3)
            let problems = report["input_problems"] as? [String: Int] ?? [:]
            #expect(problems["malformed_json"] == 1)
            #expect(problems["binary"] == 1)
            #expect(problems["empty"] == 1)
            #expect(result.stderr.contains("mixed.jsonl:2"), "the malformed line is named: \(result.stderr)")
            #expect(try SQLiteReportStore(path: cluster.storePath).count().analysed == 3)
        }
    }

    @Test func malformedMessagesAreCountedAndTheDispatcherGoesOn() async throws {
        try await TestCluster.with(workers: 1) { cluster in
            let context = try ZMQContext()
            defer { context.shutdown() }
            let peer = try Socket(context: context, type: .dealer)
            defer { peer.close() }
            try peer.connect(cluster.dispatcherEndpoint)
            let garbage: [[[UInt8]]] = [
                [[1, 2, 3]],
                [Array("MRSD1".utf8), [0x10], [0xFF, 0xFF, 0xFF]],
                [Array("MRSD1".utf8), [0x66], []],
                [Array("NOPE!".utf8), [0x14], []],
                [Array("MRSD1".utf8), [0x14], [], [], []],
            ]
            for message in garbage { try peer.send(message) }
            // A well-formed command the client role may not send is refused, not dropped.
            try peer.send(FrameCodec.encode(.done(Mirsad_V1_Done())))

            let status = try await runMirsad(["status", "--dispatcher", cluster.dispatcherEndpoint, "--json"])
            #expect(status.status == 0, "status failed: \(status.stderr)")
            let figures = try decodeJSON(status.stdout)
            #expect(figures["malformed_messages"] as? Int == garbage.count)
            #expect(figures["refused_messages"] as? Int == 1)

            // Still serving: a batch goes through.
            let input = TestPaths.samples.appendingPathComponent("cairo-pressure-webpage.txt")
            let submitted = try await runMirsad(["submit", input.path, "--dispatcher", cluster.dispatcherEndpoint, "--wait", "--json"])
            #expect(try decodeJSON(submitted.stdout)["stored"] as? Int == 1)
        }
    }

    @Test func runStartsAClusterAnalysesAndStops() async throws {
        let dir = try TestPaths.temporaryDirectory()
        let store = dir.appendingPathComponent("run.sqlite").path
        let result = try await runMirsad(["run", TestPaths.samples.path, "--store", store, "--workers", "2", "--json"], directory: dir)
        #expect(result.status == 0, "run failed: \(result.stderr)")
        let summary = try decodeJSON(result.stdout)
        let articles = try #require(summary["articles"] as? Int)
        #expect(articles == (try articleLines(TestPaths.samples.appendingPathComponent("ant-sample.jsonl"))) + 2)
        #expect(summary["stored"] as? Int == articles)
        // The collector copied its logs into the files as it stopped: what is on disk is the store (read before
        // anything here opens it).
        for log in [store + "-wal", store + "-inbox-wal"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
            #expect(size == 0, "\(log) holds \(size) bytes after the run")
        }
        #expect(try SQLiteReportStore(path: store).count().analysed == articles)
        // Workers compress every analysis with the dictionary the collector names (revision 5): each asks the
        // collector what it takes as soon as it is connected, before any job comes. The report reads them back.
        let frames = try await DatabaseQueue(path: store).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results WHERE substr(analysis_pb, 1, 4) = ?", arguments: [Data(Zstd.frameMagic)]) ?? 0
        }
        #expect(frames == articles, "\(frames) of \(articles) analyses stored as zstd frames")
        let page = try await runMirsad(["report", "article", "BB-economy-26-20180128", "--store", store, "--format", "json"], directory: dir)
        #expect(page.status == 0, "report failed: \(page.stderr)")
        // Every child is gone: nothing listens or holds the store.
        let leftovers = processes(mentioning: store)
        #expect(leftovers.isEmpty, "children still running: \(leftovers)")
    }

    @Test func commandsFailClearlyOnBadArguments() async throws {
        let missing = try await runMirsad(["submit", "/nonexistent/articles.jsonl", "--dispatcher", "tcp://127.0.0.1:1"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/articles.jsonl"))

        let noDispatcher = try await runMirsad(["status", "--dispatcher", "tcp://127.0.0.1:1", "--timeout", "0.5"])
        #expect(noDispatcher.status != 0)
        #expect(noDispatcher.stderr.contains("no answer from the dispatcher"))
    }
}

/// Process ids whose command line contains `text`, read from /proc.
func processes(mentioning text: String) -> [String] {
    let own = String(getpid())
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.filter { pid in
        guard pid != own, pid.allSatisfy(\.isNumber),
              let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(text)
    }
}
