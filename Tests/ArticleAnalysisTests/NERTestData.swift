import Foundation
import Testing

/// Locates `/work/shared`-style data for tests: `$MIRSAD_SHARED`, else `../shared` beside the repository root.
/// Missing data skips a test (returns nil) unless `MIRSAD_REQUIRE_SHARED=1`, which makes it fail.
enum NERTestData {
    static func sharedDirectory(sourceLocation: SourceLocation = #_sourceLocation) -> URL? {
        let env = ProcessInfo.processInfo.environment
        let dir: URL
        if let path = env["MIRSAD_SHARED"], !path.isEmpty {
            dir = URL(fileURLWithPath: path)
        } else {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            dir = root.deletingLastPathComponent().appendingPathComponent("shared")
        }
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("README.md").path) { return dir }
        if env["MIRSAD_REQUIRE_SHARED"] == "1" {
            Issue.record("shared data not found at \(dir.path) (set MIRSAD_SHARED)", sourceLocation: sourceLocation)
        }
        return nil
    }

    /// Simple tokenisation for tests: white space separates tokens, punctuation marks are tokens of their own;
    /// sentences end at . ! ? ؟ and line breaks.
    static func sentences(of text: String) -> [[String]] {
        var sentences: [[String]] = []
        var tokens: [String] = []
        var word = ""
        func endWord() {
            if !word.isEmpty { tokens.append(word); word = "" }
        }
        func endSentence() {
            endWord()
            if !tokens.isEmpty { sentences.append(tokens); tokens = [] }
        }
        for ch in text {
            if ch.isWhitespace {
                if ch.isNewline { endSentence() } else { endWord() }
            } else if ch.isPunctuation || ch.isSymbol || "،؛؟".contains(ch) {
                endWord()
                tokens.append(String(ch))
                if ".!?؟".contains(ch) { endSentence() }
            } else {
                word.append(ch)
            }
        }
        endSentence()
        return sentences
    }
}
