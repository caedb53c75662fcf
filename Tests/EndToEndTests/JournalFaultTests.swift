import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// The dispatcher's journal under an operator's mistakes, with real processes: a journal deleted under a batch,
/// and a journal whose disk fills up.
@Suite(.serialized) struct JournalFaultTests {
    /// `count` small articles as JSON lines in `directory/name`.
    private func writeArticles(_ count: Int, textBytes: Int, name: String, to directory: URL) throws -> URL {
        let url = directory.appendingPathComponent(name)
        let filler = String(repeating: "خبر ", count: max(1, textBytes / 8))
        var lines = ""
        for index in 0..<count {
            let object: [String: Any] = ["id": "\(name)-\(index)", "title": "عنوان \(index)", "text": "نص رقم \(index) \(filler)"]
            lines += String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) + "\n"
        }
        try lines.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func producerLog(_ cluster: FaultCluster) -> String {
        (try? String(contentsOf: cluster.directory.appendingPathComponent("producer.log"), encoding: .utf8)) ?? ""
    }

    @Test(.timeLimit(.minutes(3)))
    func aDeletedJournalMakesSubmitWaitExitNonZeroNamingTheMissingJobs() async throws {
        // No worker: every job stays queued, so the batch is still waiting when the journal goes.
        let cluster = try await FaultCluster.start(workers: [])
        try await cluster.run {
            let count = 300
            let input = try writeArticles(count, textBytes: 200, name: "lost.jsonl", to: cluster.directory)
            let batch = "lost-journal"
            let producer = try await cluster.submit(input, batch: batch)
            let acknowledged = await waitUntil(timeout: .seconds(60), interval: .milliseconds(100)) {
                jsonInt(await cluster.status(), "queued") == count
            }
            #expect(acknowledged, "the dispatcher never held the whole batch")
            await cluster.kill9(.dispatcher)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: cluster.journalPath + suffix) }
            try await cluster.start(.dispatcher)
            let ended = await producer.waitForExit(timeout: .seconds(60)) != nil
            let log = producerLog(cluster)
            #expect(ended, "submit --wait did not end after the journal was replaced")
            #expect(producer.exitCode == 4, "submit ended: \(producer.endingDescription)\n\(log)")
            #expect(log.contains("of the \(count) jobs the dispatcher acknowledged for batch \(batch) are missing"), "\(log)")
            #expect(log.contains("job journal changed from"), "the message does not say the journal changed: \(log)")
            #expect(log.contains("--batch \(batch)"), "the message does not say how to resubmit: \(log)")
            return ended && producer.exitCode == 4
        }
    }

    @Test(.timeLimit(.minutes(3)), .enabled(if: FaultTests.canMountTmpfs, "needs root and permission to mount a small tmpfs"))
    func aFullJournalDiskRefusesSubmitsKeepsStatusAnsweringAndResumesWhenSpaceReturns() async throws {
        let mountPoint = try TestPaths.temporaryDirectory().appendingPathComponent("journal-tmpfs")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        try #require(mount("tmpfs", mountPoint.path, "tmpfs", 0, "size=8m") == 0, "mount -t tmpfs failed: errno \(errno)")
        defer { umount2(mountPoint.path, Int32(MNT_DETACH)) }
        var settings = FaultSettings()
        settings.journalDirectory = mountPoint
        let cluster = try await FaultCluster.start(workers: [], settings: settings)
        try await cluster.run {
            let before = try writeArticles(20, textBytes: 200, name: "before.jsonl", to: cluster.directory)
            let big = try writeArticles(400, textBytes: 3_000, name: "big.jsonl", to: cluster.directory)
            func submit(_ input: URL, batch: String) async throws -> CommandResult {
                try await runMirsad(["submit", input.path, "--dispatcher", cluster.dispatcherEndpoint, "--batch", batch, "--json"])
            }
            let first = try await submit(before, batch: "before")
            #expect(first.status == 0, "\(first.stderr)")

            let ballast = mountPoint.appendingPathComponent("ballast")
            try Data(count: max(0, mountFreeBytes(mountPoint.path) - 64 * 1024)).write(to: ballast)
            let refused = try await submit(big, batch: "during")
            #expect(refused.status == 5, "submit on a full journal ended \(refused.status): \(refused.stderr)")
            #expect(refused.stderr.contains("STORAGE_FULL"), "\(refused.stderr)")
            #expect(cluster.process(.dispatcher)?.isRunning == true, "the dispatcher stopped on a full disk")
            let status = await cluster.status()
            #expect(status != nil, "STATUS is not answered while the journal is full")
            #expect((status?["journal"] as? String)?.contains("full") == true, "status does not say the journal is full")
            // After the failed commit the journal is reopened at its last committed state; when even that finds no
            // room, the dispatcher serves an empty stand-in whose status says so (the 20 jobs are counted again
            // once the journal opens: see `queued == 420` below).
            let journal = status?["journal"] as? String ?? ""
            #expect(jsonInt(status, "queued") == 20 || journal.hasPrefix("unavailable: "),
                    "the jobs acknowledged before the disk filled are not all held: \(journal)")
            let letters = await cluster.deadLetters()
            #expect(letters != nil, "dead-letter requests are not answered while the journal is full")

            try FileManager.default.removeItem(at: ballast)
            let resumed = await waitUntil(timeout: .seconds(30), interval: .milliseconds(200)) {
                guard let journal = await cluster.status()?["journal"] as? String else { return false }
                return !journal.contains("full")
            }
            #expect(resumed, "intake did not resume once space returned")
            let again = try await submit(big, batch: "during")
            #expect(again.status == 0, "\(again.stderr)")
            let report = try? decodeJSON(again.stdout)
            #expect((jsonInt(report, "accepted") ?? 0) + (jsonInt(report, "duplicates") ?? 0) == 400, "\(again.stdout)")
            #expect(jsonInt(await cluster.status(), "queued") == 420)
            return resumed && again.status == 0 && refused.status == 5
        }
    }
}

extension JournalFaultTests {
    @Test(.timeLimit(.minutes(3)), .enabled(if: FaultTests.canMountTmpfs, "needs root and permission to mount a small tmpfs"))
    func aDispatcherStartedOnAFullDiskServesStatusRefusesSubmitsAndOpensItsJournalWhenSpaceReturns() async throws {
        let mountPoint = try TestPaths.temporaryDirectory().appendingPathComponent("no-room-at-start")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        try #require(mount("tmpfs", mountPoint.path, "tmpfs", 0, "size=1m") == 0, "mount -t tmpfs failed: errno \(errno)")
        defer { umount2(mountPoint.path, Int32(MNT_DETACH)) }
        let ballast = mountPoint.appendingPathComponent("ballast")
        try Data(count: mountFreeBytes(mountPoint.path)).write(to: ballast)

        var settings = FaultSettings()
        settings.journalDirectory = mountPoint
        let cluster = try await FaultCluster.start(workers: [], settings: settings)
        try await cluster.run {
            let articles = try writeArticles(10, textBytes: 200, name: "articles.jsonl", to: cluster.directory)
            func submit() async throws -> CommandResult {
                try await runMirsad(["submit", articles.path, "--dispatcher", cluster.dispatcherEndpoint, "--batch", "b", "--json"])
            }
            let refused = try await submit()
            #expect(refused.status == 5, "submit with no journal ended \(refused.status): \(refused.stderr)")
            #expect(refused.stderr.contains("STORAGE_FULL"), "\(refused.stderr)")
            let status = await cluster.status()
            #expect((status?["journal"] as? String)?.contains("unavailable") == true, "status: \(String(describing: status))")
            #expect(cluster.process(.dispatcher)?.isRunning == true, "the dispatcher exited on a full disk")

            try FileManager.default.removeItem(at: ballast)
            let opened = await waitUntil(timeout: .seconds(30), interval: .milliseconds(200)) {
                guard let journal = await cluster.status()?["journal"] as? String else { return false }
                return journal.hasPrefix("sqlite:") && !journal.contains("(full")
            }
            #expect(opened, "the journal was not opened once space returned")
            let accepted = try await submit()
            #expect(accepted.status == 0, "\(accepted.stderr)")
            #expect(jsonInt(await cluster.status(), "queued") == 10)
            return opened && accepted.status == 0 && refused.status == 5
        }
    }
}

private func mountFreeBytes(_ path: String) -> Int {
    var figures = statvfs()
    guard statvfs(path, &figures) == 0 else { return 0 }
    return Int(figures.f_bavail) * Int(figures.f_frsize)
}
