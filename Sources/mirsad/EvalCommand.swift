import ArgumentParser
import ArticleAnalysis
import Foundation

/// `mirsad eval ...`: scores the analysis against annotated data.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score the analysis against annotated data.",
        subcommands: [EvalNERCommand.self]
    )
}

/// `mirsad eval ner FILE`: precision, recall and F1 per entity type by exact span match (as conlleval), with
/// `micro-F1: 0.XXXX` as the last line.
struct EvalNERCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ner",
        abstract: "Score the named-entity recognizer on a CoNLL token/TAG file."
    )

    @Argument(help: "CoNLL file: one \"token TAG\" line per token, blank lines between sentences.")
    var file: String

    @Option(help: "Model file to score instead of the bundled one (used with the bundled gazetteer).")
    var model: String?

    @Flag(help: "Score the model alone, without the gazetteer rule layer.")
    var modelOnly = false

    @Flag(help: "Print each token with its gold and predicted tag first (conlleval's input format).")
    var printPredictions = false

    func run() throws {
        let sentences = try ConllFile.read(file)
        var recognizer: EntityRecognizer
        if let model {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
            recognizer = EntityRecognizer(
                model: try NERModel(serialized: bytes), gazetteer: try EntityRecognizer.bundledGazetteer(),
                lexicon: try EntityRecognizer.bundledLexicon())
        } else {
            recognizer = try EntityRecognizer.bundled()
        }
        recognizer.addsUnrecognizedGazetteerNames = !modelOnly
        let score = recognizer.evaluate(sentences)
        if printPredictions {
            for sentence in sentences {
                let predicted = TokenEntitySpan.tags(
                    of: recognizer.recognize(sentence.tokens), count: sentence.tokens.count)
                for i in sentence.tokens.indices {
                    print("\(sentence.tokens[i]) \(sentence.tags[i]) \(predicted[i])")
                }
                print("")
            }
        }
        // Recognition alone, timed on a second pass (reading and scoring excluded) in this thread's CPU time, so
        // that other processes on the machine do not count.
        let started = threadCPUSeconds()
        var found = 0
        for sentence in sentences { found += recognizer.recognize(sentence.tokens).count }
        let seconds = threadCPUSeconds() - started
        print(String(
            format: "recognized %d entities in %d sentences in %.3f s CPU (%.0f tokens/s)", found, sentences.count,
            seconds, Double(score.tokens) / max(seconds, 1e-9)))
        print(score.report)
    }
}

/// CPU time used by the calling thread, in seconds.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
