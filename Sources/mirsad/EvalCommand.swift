import ArgumentParser
import ArticleAnalysis
import Foundation
import MirsadCore

/// `mirsad eval ...`: scores the analysis against annotated data.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score the analysis against annotated data.",
        subcommands: [EvalNERCommand.self, EvalStoriesCommand.self]
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

    @Option(help: "Model file to score instead of the bundled one (with the bundled resources unless named below).")
    var model: String?

    @OptionGroup var resources: NERResourceOptions

    @Option(help: ArgumentHelp(
        "Score only this share of the file before its held-out tail (the dev part of `train ner --dev-tail`).",
        valueName: "fraction"))
    var devTail: Double = 0

    @Option(help: ArgumentHelp("With --dev-tail: the share at the very end that is skipped.", valueName: "fraction"))
    var heldOutTail: Double = 0

    @Flag(help: "Score the model alone, without the gazetteer rule layer.")
    var modelOnly = false

    @Flag(help: "Print each token with its gold and predicted tag first (conlleval's input format).")
    var printPredictions = false

    func validate() throws {
        guard (0..<1).contains(devTail), (0..<1).contains(heldOutTail), devTail + heldOutTail < 1 else {
            throw ValidationError("--dev-tail and --held-out-tail must be in [0, 1) and sum below 1")
        }
        guard heldOutTail == 0 || devTail > 0 else { throw ValidationError("--held-out-tail needs --dev-tail") }
    }

    func run() throws {
        var sentences = try ConllFile.read(file)
        if devTail > 0 {
            sentences = ConllCorpus.split(sentences, devTail: devTail, heldOutTail: heldOutTail).dev
        }
        var recognizer: EntityRecognizer
        if model != nil || resources.isCustom {
            let weights = try model.map { try NERModel(serialized: Data(contentsOf: URL(fileURLWithPath: $0))) }
                ?? EntityRecognizer.bundled().model
            let (gaz, lex, clusters, nameLists) = try resources.load()
            recognizer = EntityRecognizer(
                model: weights, gazetteer: gaz, lexicon: lex, clusters: clusters, nameLists: nameLists)
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
        let started = Duration.currentThreadCPUTime()
        var found = 0
        for sentence in sentences { found += recognizer.recognize(sentence.tokens).count }
        let seconds = (Duration.currentThreadCPUTime() - started).inSeconds
        print(String(
            format: "recognized %d entities in %d sentences in %.3f s CPU (%.0f tokens/s)", found, sentences.count,
            seconds, Double(score.tokens) / max(seconds, 1e-9)))
        print(score.report)
    }
}
