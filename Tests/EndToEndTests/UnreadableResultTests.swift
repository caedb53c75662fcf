import Foundation
import MirsadServices
import Testing

/// A result the collector cannot read is refused, never stored: the worker reports its job failed, the dispatcher
/// retries it and dead-letters it after its attempts, and the store holds every other article and no row for it.
/// Real `mirsad` processes; the workers' test-only switch `MIRSAD_TEST_UNREADABLE_MARKER` makes the marked
/// article's analysis unreadable on every attempt. The test needs the ANT corpus in ../shared (see `SharedData`).
@Suite(.serialized, .enabled(if: SharedData.isExpected, SharedData.reason))
struct UnreadableResultTests {
    @Test(.timeLimit(.minutes(5)))
    func anUnreadableResultIsRetriedThenDeadLetteredAndNeverStored() async throws {
        let shared = try #require(TestPaths.shared, "the fault tests need the ANT corpus")
        var random = FaultRandom.fromEnvironment(test: "unreadable result")
        let count = 120
        let markedIndex = Int.random(in: 10..<(count - 10), using: &random)
        let marker = "MIRSAD-TEST-UNREADABLE-\(random.seed)"
        var settings = FaultSettings()
        settings.maxAttempts = 3
        settings.workerEnvironment = ["MIRSAD_TEST_UNREADABLE_MARKER": marker]
        let cluster = try await FaultCluster.start(workers: [.supervised, .unsupervised], settings: settings)
        try await cluster.run {
            let corpus = try await FaultCorpus.write(count: count, from: shared, to: cluster.directory, marker: marker,
                                                     markedIndexes: [markedIndex])
            let batch = "fault-unreadable-\(random.seed)"
            let producer = try await cluster.submit(corpus.url, batch: batch)
            let exited = await producer.waitForExit(timeout: .seconds(180)) != nil
            #expect(exited, "the producer's submit --wait did not end")
            #expect(producer.exitCode == 0, "submit ended: \(producer.endingDescription): \(producer.outputText)")

            let deadLetters = await cluster.deadLetters(batch: batch)
            let letters = deadLetters?["dead_letters"] as? [[String: Any]] ?? []
            let letter = letters.first
            print("fault: unreadable result: dead letters \(letters)")
            #expect(letters.count == 1, "exactly the unreadable article is dead-lettered")
            #expect(letter?["article_id"] as? String == corpus.articleIDs[markedIndex],
                    "the dead letter names \(corpus.articleIDs[markedIndex])")
            #expect(jsonInt(letter, "attempts") == settings.maxAttempts, "dead after exactly --max-attempts refusals")
            let error = letter?["error"] as? String ?? ""
            #expect(error.contains("the collector refused the result") && error.contains("unreadable analysis"), "\(error)")

            await cluster.shutdown()
            let store = StoreFigures.read(cluster.storePath)
            let stored = StoreFigures.storedJobIDs(cluster.storePath)
            print("fault: unreadable result: store \(store.map(\.description) ?? "unreadable")")
            #expect(store?.rows == count - 1 && store?.analysed == count - 1, "every other article stored analysed, no failed row")
            #expect(!stored.contains("\(batch):\(markedIndex)"), "the refused result was stored")
            return exited && producer.exitCode == 0 && letters.count == 1 && jsonInt(letter, "attempts") == settings.maxAttempts
                && store?.rows == count - 1 && store?.analysed == count - 1
        }
    }
}
