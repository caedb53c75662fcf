import Foundation
import Testing

/// Data for the named-entity tests.
enum NERTestData {
    /// The shared data folder (`SharedData.require()`): nil, after failing the test when it is required, when
    /// it is missing.
    static func sharedDirectory(sourceLocation: SourceLocation = #_sourceLocation) -> URL? {
        SharedData.require(sourceLocation: sourceLocation)
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
