import Foundation
import MirsadServices
import MirsadWire
import Testing
import ZeroMQ

/// Every service's `--metrics` endpoint, scraped over real HTTP from real processes: valid exposition text whose
/// numbers are the ones `mirsad status --json` shows.
@Suite(.serialized) struct MetricsEndpointTests {
    @Test func everyServiceServesMetricsThatAgreeWithStatus() async throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var children: [ManagedProcess] = []
        defer { let stopping = children; Task { await ManagedProcess.stop(stopping.reversed()) } }
        func start(_ name: String, _ arguments: [String]) async throws -> ManagedProcess {
            var launch = ManagedProcess.Configuration(executable: TestPaths.mirsad, arguments: arguments)
            launch.errorLogPath = directory.appendingPathComponent("\(name).log").path
            let child = try await ManagedProcess.start(name, launch)
            children.append(child)
            return child
        }
        let ports = try (0..<5).map { _ in try freeLoopbackPort() }
        let metrics = ports.map { "127.0.0.1:\($0)" }
        let storePath = directory.appendingPathComponent("reports.sqlite").path

        let dispatcher = try await start("dispatcher", [
            "dispatcher", "--bind", "tcp://127.0.0.1:*", "--journal", directory.appendingPathComponent("journal.sqlite").path,
            "--metrics", metrics[0]])
        let dispatcherEndpoint = try await dispatcher.awaitLine(prefix: "READY", timeout: .seconds(30))
        let collector = try await start("collector", [
            "collector", "--bind", "tcp://127.0.0.1:*", "--dispatcher", dispatcherEndpoint, "--store", storePath,
            "--metrics", metrics[1]])
        let collectorEndpoint = try await collector.awaitLine(prefix: "READY", timeout: .seconds(30))
        var workerIDs: [String] = []
        for index in 0..<2 {
            let worker = try await start("worker-\(index)", [
                "worker", "--dispatcher", dispatcherEndpoint, "--collector", collectorEndpoint, "--threads", "1",
                "--metrics", metrics[2 + index]])
            workerIDs.append(try await worker.awaitLine(prefix: "READY", timeout: .seconds(60)))
        }

        let submitted = try await runMirsad(["submit", TestPaths.samples.path, "--dispatcher", dispatcherEndpoint, "--wait", "--json"])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let articles = try #require(try decodeJSON(submitted.stdout)["stored"] as? Int)
        #expect(articles > 0)

        // A malformed message, so the refusal counters have something to agree on.
        let context = try ZMQContext()
        let junk = try Socket(context: context, type: .dealer)
        try junk.connect(dispatcherEndpoint)
        _ = try junk.send([Array("not a protocol frame".utf8)])

        let web = try await start("web", ["web", "--store", storePath, "--bind", "127.0.0.1:0", "--metrics", metrics[4]])
        let webURL = try await web.awaitLine(prefix: "READY", timeout: .seconds(30))
        #expect(try await httpGet(webURL + "/").status == 200)

        // The dispatcher: its numbers become those of status --json once both are taken of a still cluster.
        var status: [String: Any] = [:]
        var scraped = try PrometheusText("")
        let agreed = try await waitUntil(timeout: .seconds(15), interval: .milliseconds(300)) {
            let reply = try await runMirsad(["status", "--json", "--dispatcher", dispatcherEndpoint])
            status = try decodeJSON(reply.stdout)
            let page = try await httpGet("http://\(metrics[0])/metrics")
            #expect(page.contentType.hasPrefix("text/plain; version=0.0.4"))
            scraped = try PrometheusText(page.body)
            return Self.disagreements(status, scraped).isEmpty && (status["malformed_messages"] as? Int ?? 0) >= 1
        }
        #expect(agreed, "metrics and status disagree: \(Self.disagreements(status, scraped))")
        #expect(scraped.value("mirsad_jobs", ["state": "stored"]) == Double(articles))
        #expect(scraped.value("mirsad_submit_to_stored_seconds_count") == Double(articles))
        #expect(scraped.value("mirsad_build_info", ["role": "dispatcher", "version": Defaults.version]) == 1)
        #expect(scraped.value("mirsad_workers_connected") == 2)
        #expect(scraped.value("mirsad_collectors_connected") == 1)

        // The collector: what it committed is what the dispatcher counts stored, and what its own STATUS reply says.
        let collectorText = try PrometheusText(try await httpGet("http://\(metrics[1])/metrics").body)
        #expect(collectorText.value("mirsad_results_stored_total") == Double(articles))
        let collectorStatus = try decodeJSON(try await runMirsad(["status", "--json", "--dispatcher", collectorEndpoint]).stdout)
        #expect(collectorText.value("mirsad_results_stored_total") == (collectorStatus["stored"] as? NSNumber)?.doubleValue)
        for (kind, count) in collectorStatus["peer_problems"] as? [String: Int] ?? [:] {
            #expect(collectorText.value("mirsad_peer_problems_total", ["kind": kind]) == Double(count), "collector peer_problems.\(kind)")
        }
        #expect(collectorText.value("mirsad_results_duplicate_total") == 0)
        #expect((collectorText.value("mirsad_store_commit_seconds_count") ?? 0) >= 1)

        // The workers: analyses and acknowledgements add up to the articles, each worker's to its `done`.
        let workers = status["workers"] as? [[String: Any]] ?? []
        var analysed = 0.0
        for index in 0..<2 {
            let text = try PrometheusText(try await httpGet("http://\(metrics[2 + index])/metrics").body)
            let succeeded = text.value("mirsad_analyses_total", ["outcome": "succeeded"]) ?? -1
            let done = workers.first { $0["id"] as? String == workerIDs[index] }?["done"] as? Int
            #expect(done.map(Double.init) == text.value("mirsad_results_acknowledged_total", ["outcome": "stored"]))
            analysed += succeeded
        }
        #expect(analysed == Double(articles))

        // The web server counts the page it served.
        let webText = try PrometheusText(try await httpGet("http://\(metrics[4])/metrics").body)
        #expect((webText.value("mirsad_web_requests_total", ["status": "2xx"]) ?? 0) >= 1)

        junk.close()
        context.shutdown()
        await ManagedProcess.stop(children.reversed())
        children = []
    }

    /// Where the dispatcher's metrics and `status --json` differ, as "field: status vs metric".
    static func disagreements(_ status: [String: Any], _ text: PrometheusText) -> [String] {
        var differences: [String] = []
        func compare(_ field: String, _ metric: String, _ labels: [String: String] = [:]) {
            let expected = (status[field] as? NSNumber)?.doubleValue ?? 0
            let actual = text.value(metric, labels)
            if actual != expected { differences.append("\(field): \(expected) vs \(metric)\(labels) \(String(describing: actual))") }
        }
        for (field, state) in [("queued", "queued"), ("in_flight", "in_flight"), ("retrying", "retrying"),
                               ("awaiting_store", "awaiting_store"), ("stored", "stored"), ("dead_letters", "dead")] {
            compare(field, "mirsad_jobs", ["state": state])
        }
        compare("dead_letters", "mirsad_dead_letters")
        compare("redispatches", "mirsad_redispatches_total")
        compare("malformed_messages", "mirsad_malformed_messages_total")
        compare("refused_messages", "mirsad_refused_messages_total")
        compare("batches", "mirsad_batches")
        for (kind, count) in status["peer_problems"] as? [String: Int] ?? [:] {
            let value = text.value("mirsad_peer_problems_total", ["kind": kind.lowercased()])
            if value != Double(count) { differences.append("peer_problems.\(kind): \(count) vs \(String(describing: value))") }
        }
        for worker in status["workers"] as? [[String: Any]] ?? [] {
            let labels = ["worker": worker["id"] as? String ?? "", "host": worker["host"] as? String ?? ""]
            for (field, metric) in [("done", "mirsad_worker_jobs_done_total"), ("failed", "mirsad_worker_jobs_failed_total"),
                                    ("in_flight", "mirsad_worker_jobs_in_flight"), ("capacity", "mirsad_worker_capacity")] {
                let value = text.value(metric, labels)
                if value != (worker[field] as? NSNumber)?.doubleValue {
                    differences.append("workers[\(labels["worker"]!)].\(field) vs \(metric) \(String(describing: value))")
                }
            }
        }
        return differences
    }
}
