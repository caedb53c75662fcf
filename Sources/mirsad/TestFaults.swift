import ArticleAnalysis
import Foundation

/// Test-only faults for fault-tolerance tests, read once from the environment when the worker starts:
/// `MIRSAD_TEST_POISON_MARKER=TEXT` makes the analysis of an article whose text or HTML contains TEXT crash the
/// process (`fatalError`), `MIRSAD_TEST_HANG_MARKER=TEXT` makes it never return. Unset (the normal case): no effect.
struct TestFaults: Sendable, Hashable {
    var poisonMarker: String?
    var hangMarker: String?

    static let poisonVariable = "MIRSAD_TEST_POISON_MARKER"
    static let hangVariable = "MIRSAD_TEST_HANG_MARKER"

    init(poisonMarker: String? = nil, hangMarker: String? = nil) {
        self.poisonMarker = poisonMarker.flatMap { $0.isEmpty ? nil : $0 }
        self.hangMarker = hangMarker.flatMap { $0.isEmpty ? nil : $0 }
    }

    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> TestFaults {
        TestFaults(poisonMarker: environment[poisonVariable], hangMarker: environment[hangVariable])
    }

    var isEmpty: Bool { poisonMarker == nil && hangMarker == nil }

    /// Crashes or hangs when `article` carries a marker; returns at once otherwise.
    func strike(_ article: Article) {
        guard !isEmpty else { return }
        let body = article.content.raw
        if let poisonMarker, body.contains(poisonMarker) {
            fatalError("test poison article \(article.id) (\(Self.poisonVariable))")
        }
        if let hangMarker, body.contains(hangMarker) {
            while true { sleep(3600) }
        }
    }
}
