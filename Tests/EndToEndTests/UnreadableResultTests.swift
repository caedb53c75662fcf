import Foundation
import Testing

/// A result the collector cannot read is refused, never stored: the worker reports its job failed, the dispatcher
/// retries it and dead-letters it after its attempts, and the store holds every other article and no row for it.
/// Real `mirsad` processes; the workers' test-only switch `MIRSAD_TEST_UNREADABLE_MARKER` makes the marked
/// article's analysis unreadable on every attempt.
@Suite(.serialized)
struct UnreadableResultTests {
    @Test(.timeLimit(.minutes(5)))
    func anUnreadableResultIsRetriedThenDeadLetteredAndNeverStored() throws {
        guard let shared = FaultCorpus.shared() else { return }
        var random = FaultRandom.fromEnvironment(test: "unreadable result")
        let count = 120
        let markedIndex = Int.random(in: 10..<(count - 10), using: &random)
        let marker = "MIRSAD-TEST-UNREADABLE-\(random.seed)"
        var settings = FaultSettings()
        settings.maxAttempts = 3
        settings.workerEnvironment = ["MIRSAD_TEST_UNREADABLE_MARKER": marker]
        let cluster = try FaultCluster(workers: [.supervised, .unsupervised], settings: settings)
        var passed = false
        defer {
            if !passed { cluster.printLogs() }
            cluster.shutdown()
            if passed { cluster.removeFiles() }
        }
        let corpus = try FaultCorpus.write(count: count, from: shared, to: cluster.directory, marker: marker,
                                           markedIndexes: [markedIndex])
        let batch = "fault-unreadable-\(random.seed)"
        let producer = try cluster.submit(corpus.url, batch: batch)
        let exited = producer.waitForExit(timeoutSeconds: 180)
        #expect(exited, "the producer's submit --wait did not end")
        #expect(producer.exitCode == 0, "submit ended with \(producer.describeExit())")

        let deadLetters = cluster.deadLetters(batch: batch)
        let letters = deadLetters?["dead_letters"] as? [[String: Any]] ?? []
        let letter = letters.first
        print("fault: unreadable result: dead letters \(letters)")
        #expect(letters.count == 1, "exactly the unreadable article is dead-lettered")
        #expect(letter?["article_id"] as? String == corpus.articleIDs[markedIndex], "the dead letter names \(corpus.articleIDs[markedIndex])")
        #expect(jsonInt(letter, "attempts") == settings.maxAttempts, "dead after exactly --max-attempts refusals")
        let error = letter?["error"] as? String ?? ""
        #expect(error.contains("the collector refused the result") && error.contains("unreadable analysis"), "\(error)")

        cluster.shutdown()
        let store = StoreFigures.read(cluster.storePath)
        let stored = StoreFigures.storedJobIDs(cluster.storePath)
        print("fault: unreadable result: store \(store.map(\.description) ?? "unreadable")")
        #expect(store?.rows == count - 1 && store?.analysed == count - 1, "every other article stored analysed, no failed row")
        #expect(!stored.contains("\(batch):\(markedIndex)"), "the refused result was stored")
        passed = exited && producer.exitCode == 0 && letters.count == 1 && jsonInt(letter, "attempts") == settings.maxAttempts
            && store?.rows == count - 1 && store?.analysed == count - 1
    }
}
