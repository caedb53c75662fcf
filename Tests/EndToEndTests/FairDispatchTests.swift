import Foundation
import Testing

/// Fair dispatch with real processes: a small batch submitted behind a large one is stored long before the large
/// one is. Prints the small batch's time alone and behind the large one (`fair:` lines); the assertion is on
/// order, not time.
@Suite(.serialized) struct FairDispatchTests {
    static let bigArticles = Int(ProcessInfo.processInfo.environment["MIRSAD_FAIR_BIG"] ?? "") ?? 5_000
    static let smallArticles = 50

    /// `count` short distinct articles as JSON Lines.
    static func articles(_ prefix: String, count: Int, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("\(prefix).jsonl").path
        let lines = (0..<count).map { index in
            let text = "قال وزير الخارجية في القاهرة اليوم إن المحادثات ستستمر، وذلك في الخبر رقم \(index) من \(prefix)."
            let object: [String: Any] = ["id": "\(prefix)-\(index)", "title": "خبر \(index)", "text": text]
            let data = try! JSONSerialization.data(withJSONObject: object)
            return String(decoding: data, as: UTF8.self)
        }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aSmallBatchBehindALargeOneIsStoredBeforeTheLargeOneEnds() async throws {
        try await TestCluster.with(workers: 2) { cluster in
            let endpoint = cluster.dispatcherEndpoint
            let alone = try Self.articles("alone", count: Self.smallArticles, in: cluster.directory)
            let big = try Self.articles("big", count: Self.bigArticles, in: cluster.directory)
            let small = try Self.articles("small", count: Self.smallArticles, in: cluster.directory)

            let aloneRun = try await runMirsad(["submit", alone, "--dispatcher", endpoint, "--wait", "--json"])
            #expect(aloneRun.status == 0, "\(aloneRun.stderr)")
            let aloneSeconds = try decodeJSON(aloneRun.stdout)["seconds"] as? Double ?? 0

            // The large batch is all acknowledged (queued) before the small one is sent.
            let bigRun = try await runMirsad(["submit", big, "--dispatcher", endpoint, "--json"])
            #expect(bigRun.status == 0, "\(bigRun.stderr)")
            let bigBatch = try #require(try decodeJSON(bigRun.stdout)["batch_id"] as? String)
            let smallRun = try await runMirsad(["submit", small, "--dispatcher", endpoint, "--wait", "--json"])
            #expect(smallRun.status == 0, "\(smallRun.stderr)")
            let smallSeconds = try decodeJSON(smallRun.stdout)["seconds"] as? Double ?? 0

            // How far the large batch had come when the small one was stored.
            let status = try await runMirsad(["status", "--dispatcher", endpoint, "--json"])
            let storedNow = try decodeJSON(status.stdout)["stored"] as? Int ?? 0
            let bigStored = storedNow - 2 * Self.smallArticles
            print("fair: \(Self.smallArticles) articles alone \(String(format: "%.2f", aloneSeconds)) s; "
                  + "behind \(Self.bigArticles): \(String(format: "%.2f", smallSeconds)) s "
                  + "(\(String(format: "%.1f", smallSeconds / max(aloneSeconds, 0.001)))x); "
                  + "the large batch \(bigBatch) had \(bigStored) of \(Self.bigArticles) stored by then")
            #expect(bigStored < Self.bigArticles * 4 / 5,
                    "the small batch waited for most of the large one: \(bigStored) of \(Self.bigArticles) stored first")
        }
    }
}
