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

    func run() throws {
        let sentences = try ConllFile.read(file)
        var recognizer: EntityRecognizer
        if let model {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
            recognizer = EntityRecognizer(
                model: try NERModel(serialized: bytes), gazetteer: try EntityRecognizer.bundledGazetteer())
        } else {
            recognizer = try EntityRecognizer.bundled()
        }
        recognizer.addsUnrecognizedGazetteerNames = !modelOnly
        let started = DispatchTime.now().uptimeNanoseconds
        let score = recognizer.evaluate(sentences)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        print(String(
            format: "scored %d sentences in %.3f s (%.0f tokens/s)", sentences.count, seconds,
            Double(score.tokens) / max(seconds, 1e-9)))
        print(score.report)
    }
}
