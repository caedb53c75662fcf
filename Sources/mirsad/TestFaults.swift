import ArticleAnalysis
import Foundation
import MirsadWire

/// Test-only faults for fault-tolerance tests, read once from the environment when the worker starts:
/// `MIRSAD_TEST_POISON_MARKER=TEXT` makes the analysis of an article whose text or HTML contains TEXT crash the
/// process (`fatalError`), `MIRSAD_TEST_HANG_MARKER=TEXT` makes it never return, `MIRSAD_TEST_UNREADABLE_MARKER=TEXT`
/// makes its result carry an analysis the collector cannot read (an entity of no known type). Unset (the normal
/// case): no effect.
struct TestFaults: Sendable, Hashable {
    var poisonMarker: String?
    var hangMarker: String?
    var unreadableMarker: String?

    static let poisonVariable = "MIRSAD_TEST_POISON_MARKER"
    static let hangVariable = "MIRSAD_TEST_HANG_MARKER"
    static let unreadableVariable = "MIRSAD_TEST_UNREADABLE_MARKER"

    init(poisonMarker: String? = nil, hangMarker: String? = nil, unreadableMarker: String? = nil) {
        self.poisonMarker = poisonMarker.flatMap { $0.isEmpty ? nil : $0 }
        self.hangMarker = hangMarker.flatMap { $0.isEmpty ? nil : $0 }
        self.unreadableMarker = unreadableMarker.flatMap { $0.isEmpty ? nil : $0 }
    }

    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> TestFaults {
        TestFaults(
            poisonMarker: environment[poisonVariable], hangMarker: environment[hangVariable],
            unreadableMarker: environment[unreadableVariable])
    }

    var isEmpty: Bool { poisonMarker == nil && hangMarker == nil && unreadableMarker == nil }

    /// Crashes or hangs when `article` carries a marker; returns at once otherwise.
    func strike(_ article: Article) {
        guard poisonMarker != nil || hangMarker != nil else { return }
        let body = article.content.raw
        if let poisonMarker, body.contains(poisonMarker) {
            fatalError("test poison article \(article.id) (\(Self.poisonVariable))")
        }
        if let hangMarker, body.contains(hangMarker) {
            while true { sleep(3600) }
        }
    }

    /// Makes `analysis` unreadable to a collector when `article` carries the unreadable marker: an entity of type 0,
    /// which no collector knows, in the indexed fields (so compressed or not, the collector refuses the result).
    func garble(_ analysis: inout Mirsad_V1_Analysis, of article: Article) {
        guard let unreadableMarker, article.content.raw.contains(unreadableMarker) else { return }
        var entity = Mirsad_V1_CanonicalEntity()
        entity.key = "test-unreadable"
        entity.type = .unspecified
        analysis.canonicalEntities.append(entity)
    }
}
