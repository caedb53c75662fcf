import ArgumentParser
import ArticleAnalysis
import ArticleIngest
import Foundation
import MirsadServices

/// `mirsad train ...`: rebuilds the models that ship in the package's resources.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from annotated data.",
        subcommands: [TrainNERCommand.self, TrainNERLexiconCommand.self]
    )
}

/// `mirsad train ner FILE`: trains the named-entity model on a CoNLL `token TAG` file.
///
/// The shipped model is rebuilt bit for bit by
/// `mirsad train ner ../shared/data/anercorp/train.txt --output Sources/ArticleAnalysis/Resources/ner-model.bin`;
/// `--dev-fraction 0.1` holds out every 10th sentence and prints dev scores after each epoch (for tuning).
struct TrainNERCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ner",
        abstract: "Train the named-entity recognizer (averaged perceptron) on a CoNLL token/TAG file."
    )

    @Argument(help: "CoNLL file: one \"token TAG\" line per token, blank lines between sentences.")
    var file: String

    @Option(help: "Where to write the model.")
    var output: String = "ner-model.bin"

    @Option(help: "Share of sentences held out for development scoring (every round(1/x)-th sentence); 0 keeps all.")
    var devFraction: Double = 0

    @Option(help: ArgumentHelp(
        "Share of the file, at its end, scored as dev after each epoch (split by position, as the real test split is cut).",
        valueName: "fraction"))
    var devTail: Double = 0

    @Option(help: ArgumentHelp(
        "Share of the file, at its very end, set aside untouched (neither trained on nor scored); --dev-tail comes before it.",
        valueName: "fraction"))
    var heldOutTail: Double = 0

    @Option(name: .customLong("also-train"), help: ArgumentHelp(
        "Another CoNLL file whose sentences are all added to the training part (repeatable).", valueName: "file"))
    var extraTraining: [String] = []

    @Option(help: ArgumentHelp(
        "Another CoNLL file to score the trained model on at the end (repeatable; never trained on).", valueName: "file"))
    var alsoScore: [String] = []

    @Option(help: "Training passes over the data.")
    var epochs: Int = NERModel.TrainingSettings().epochs

    @Option(help: "log2 of the number of hashed feature rows.")
    var bucketBits: Int = NERModel.TrainingSettings().bucketBits

    @Option(help: "Features seen fewer times than this keep zero weight.")
    var minFeatureCount: Int = NERModel.TrainingSettings().minFeatureCount

    @Option(help: "Gazetteer file (CATEGORY<TAB>entry lines); the bundled one by default.")
    var gazetteer: String?

    @Option(help: "Corpus lexicon file (base<TAB>code lines, from `mirsad train ner-lexicon`); the bundled one by default.")
    var lexicon: String?

    func validate() throws {
        guard (0..<1).contains(devFraction) else { throw ValidationError("--dev-fraction must be in [0, 1)") }
        guard (0..<1).contains(devTail), (0..<1).contains(heldOutTail), devTail + heldOutTail < 1 else {
            throw ValidationError("--dev-tail and --held-out-tail must be in [0, 1) and leave something to train on")
        }
        guard devFraction == 0 || (devTail == 0 && heldOutTail == 0) else {
            throw ValidationError("--dev-fraction cannot be combined with --dev-tail or --held-out-tail")
        }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard (8...26).contains(bucketBits) else { throw ValidationError("--bucket-bits must be in 8...26") }
        guard minFeatureCount >= 1 else { throw ValidationError("--min-feature-count must be at least 1") }
    }

    func run() throws {
        let sentences = try ConllFile.read(file)
        let gaz: Gazetteer
        if let gazetteer {
            gaz = try Gazetteer(text: try String(contentsOfFile: gazetteer, encoding: .utf8))
        } else {
            gaz = try EntityRecognizer.bundledGazetteer()
        }
        let lex: NERLexicon
        if let lexicon {
            lex = try NERLexicon(text: try String(contentsOfFile: lexicon, encoding: .utf8))
        } else {
            lex = try EntityRecognizer.bundledLexicon()
        }
        let split = devFraction > 0
            ? ConllCorpus.split(sentences, devFraction: devFraction)
            : ConllCorpus.split(sentences, devTail: devTail, heldOutTail: heldOutTail)
        var train = split.train
        let dev = split.dev
        for path in extraTraining { train += try ConllFile.read(path) }
        let settings = NERModel.TrainingSettings(
            epochs: epochs, bucketBits: bucketBits, minFeatureCount: minFeatureCount)
        print(
            "training on \(train.count) sentences, \(dev.count) held out for dev; \(gaz.count) gazetteer entries,"
                + " \(lex.count) lexicon entries")
        let started = Date()
        let model = NERTrainer.train(train, gazetteer: gaz, lexicon: lex, settings: settings) { epoch, mistakes, current in
            var line = "epoch \(epoch): \(mistakes) sentences wrong"
            if !dev.isEmpty {
                let m = current()
                let modelOnly = EntityRecognizer(
                    model: m, gazetteer: gaz, lexicon: lex, addsUnrecognizedGazetteerNames: false)
                let withRules = EntityRecognizer(model: m, gazetteer: gaz, lexicon: lex)
                line += String(
                    format: ", dev micro-F1 %.4f (model only %.4f)",
                    withRules.evaluate(dev).microF1, modelOnly.evaluate(dev).microF1)
            }
            print(line)
        }
        let seconds = Date().timeIntervalSince(started)
        let bytes = model.serialized()
        try Data(bytes).write(to: URL(fileURLWithPath: output))
        print(String(format: "trained in %.1f s; wrote %@ (%d bytes)", seconds, output, bytes.count))
        let recognizer = EntityRecognizer(model: model, gazetteer: gaz, lexicon: lex)
        if !dev.isEmpty {
            print("dev (\(dev.count) sentences):")
            print(recognizer.evaluate(dev).report)
        }
        for path in alsoScore {
            let sentences = try ConllFile.read(path)
            print("\(path) (\(sentences.count) sentences):")
            print(recognizer.evaluate(sentences).report)
        }
    }
}

/// `mirsad train ner-lexicon INPUT...`: counts word bases over a news corpus (each article's title and text) and
/// writes the recognizer's corpus lexicon (`NERLexicon`). The shipped one is rebuilt bit for bit by
/// `mirsad train ner-lexicon ../shared/corpus/ant/articles.jsonl.gz --output Sources/ArticleAnalysis/Resources/ner-lexicon.txt`.
/// Retrain the model (`mirsad train ner`) after changing the lexicon.
struct TrainNERLexiconCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ner-lexicon",
        abstract: "Build the recognizer's corpus lexicon from news articles."
    )

    @Argument(help: "Articles to count (any input `mirsad submit` reads: .jsonl, .jsonl.gz, directories, - for stdin).")
    var inputs: [String]

    @Option(help: "Where to write the lexicon.")
    var output: String = "ner-lexicon.txt"

    func run() throws {
        var builder = NERLexicon.Builder()
        let summary = try ArticleReader().read(inputs) { event in
            switch event {
            case .article(let article):
                if let title = article.title { builder.add(text: title) }
                builder.add(text: article.content.raw)
            case .problem(let problem):
                writeStandardError("mirsad train ner-lexicon: \(problem)\n")
            }
        }
        guard summary.articles > 0 else { throw CommandFailure("no articles in \(inputs.joined(separator: " "))") }
        let text = builder.text()
        try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        print("counted \(summary.articles) articles; wrote \(output) (\(text.utf8.count) bytes)")
    }
}

/// Reading CoNLL files for the commands, with errors that name the file and line.
enum ConllFile {
    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }

    static func read(_ path: String) throws -> [TaggedSentence] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ReadError(description: "\(path): cannot read as UTF-8 text (\(error.localizedDescription))")
        }
        do {
            return try ConllCorpus.parse(text)
        } catch {
            throw ReadError(description: "\(path): \(error)")
        }
    }
}
