import Foundation
import Testing
@testable import ArticleAnalysis

/// The project's shared data folder: $MIRSAD_SHARED, else `../shared` beside the repository root.
///
/// Tests that need it carry the `.needsSharedData` trait, so a missing folder shows as a skip with its reason;
/// with MIRSAD_REQUIRE_SHARED=1 they run anyway and `SharedData.require()` fails them naming the missing folder.
enum SharedData {
    static let root: URL = {
        if let env = ProcessInfo.processInfo.environment["MIRSAD_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        // Tests/ArticleAnalysisTests/SharedData.swift -> repository root -> ../shared
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("README.md").path) }

    /// Set (CI sets it) to make a missing folder a failure instead of a skip.
    static var isRequired: Bool { ProcessInfo.processInfo.environment["MIRSAD_REQUIRE_SHARED"] == "1" }

    /// The shared folder, or nil (after recording an issue when MIRSAD_REQUIRE_SHARED=1) when it is missing.
    static func require(sourceLocation: SourceLocation = #_sourceLocation) -> URL? {
        if isAvailable { return root }
        if isRequired {
            Issue.record("shared data folder not found at \(root.path) (set MIRSAD_SHARED)", sourceLocation: sourceLocation)
        }
        return nil
    }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    struct AntArticle: Decodable {
        var id: String
        var source: String?
        var category: String?
        var title: String?
        var text: String

        var article: Article { Article(id: id, source: source, category: category, title: title, content: .text(text)) }
    }

    /// The articles of corpus/ant/sample-500.jsonl, in file order.
    static let antSample: [AntArticle] = {
        guard isAvailable, let data = try? text("corpus/ant/sample-500.jsonl") else { return [] }
        return data.split(separator: "\n").compactMap { try? JSONDecoder().decode(AntArticle.self, from: Data($0.utf8)) }
    }()

    static func antArticle(_ id: String) -> Article? { antSample.first { $0.id == id }?.article }

    static let analyzer = ArticleAnalyzer()
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only when the shared data folder is there, or when it is required (then its absence fails).
    static var needsSharedData: Self {
        .enabled(
            if: SharedData.isAvailable || SharedData.isRequired,
            "needs the shared data folder \(SharedData.root.path) (set MIRSAD_SHARED)")
    }
}
