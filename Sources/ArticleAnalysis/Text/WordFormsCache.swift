import Foundation

/// A process-wide memo of word analyses, shared by all analyzers and threads.
///
/// A word's forms depend only on the word, its script and (for Latin words) the article's language, so
/// memoising them changes no result. News vocabulary is skewed (a few thousand words make most of the tokens),
/// so most words are analysed once per process. Bounded: once `capacity` words are stored, new words are
/// analysed every time and not stored, so memory stays bounded whatever the input.
final class WordFormsCache: @unchecked Sendable {
    static let shared = WordFormsCache(capacity: 60_000)

    let capacity: Int
    /// Guards `entries`.
    private let lock = NSLock()
    private var entries: [WordKey: WordForms] = [:]

    /// The number of words stored.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.count
    }

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The forms of `word` (as written), from the memo or analysed now.
    func forms(of word: WordKey, script: Script, language: String) -> WordForms {
        // Latin stems depend on the language: such words are keyed with it.
        let key = script == .arabic ? word : WordKey(language + "\u{1}" + word.text)
        lock.lock()
        let known = entries[key]
        lock.unlock()
        if let known { return known }
        let forms = AnalyzedText.analyzeWord(word.text, script: script, language: language)
        lock.lock()
        if entries.count < capacity { entries[key] = forms }
        lock.unlock()
        return forms
    }
}
