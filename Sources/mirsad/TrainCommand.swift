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
        subcommands: [
            TrainNERCommand.self, TrainNERLexiconCommand.self, TrainNERClustersCommand.self,
            TrainNERNameListsCommand.self, TrainEntityKeysCommand.self, TrainKeywordDFCommand.self,
            TrainCompressionDictionaryCommand.self,
        ]
    )
}

/// `mirsad train ner FILE`: trains the named-entity model on a CoNLL `token TAG` file.
///
/// The shipped model is rebuilt bit for bit by
/// `mirsad train ner ../shared/data/anercorp/train.txt --output Sources/ArticleAnalysis/Resources/ner-model.bin`;
/// `--held-out-tail 0.1667 --dev-tail 0.1667` trains on the first 4/6 of the file and prints the scores of the 5th sixth
/// after each epoch (how the settings were chosen); `--dev-tail 0.1667` alone scores the last sixth.
/// `--dev-fraction 0.1` (every 10th sentence as dev) is kept for comparison: its dev sentences come from the training
/// documents and it overstates F1.
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

    @Option(help: "Added to every entity tag's score when decoding (recorded in the model; not used while training).")
    var entityBias: Float = NERModel.TrainingSettings().entityBias

    @Option(help: "Features seen fewer times than this keep zero weight.")
    var minFeatureCount: Int = NERModel.TrainingSettings().minFeatureCount

    @OptionGroup var resources: NERResourceOptions

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
        let (gaz, lex, clusters, nameLists) = try resources.load()
        let split = devFraction > 0
            ? ConllCorpus.split(sentences, devFraction: devFraction)
            : ConllCorpus.split(sentences, devTail: devTail, heldOutTail: heldOutTail)
        var train = split.train
        let dev = split.dev
        for path in extraTraining { train += try ConllFile.read(path) }
        let settings = NERModel.TrainingSettings(
            epochs: epochs, bucketBits: bucketBits, minFeatureCount: minFeatureCount, entityBias: entityBias)
        print(
            "training on \(train.count) sentences, \(dev.count) held out for dev; \(gaz.count) gazetteer entries,"
                + " \(lex.count) lexicon entries, \(clusters.count) clustered words, \(nameLists.count) listed name words")
        let started = Date()
        let model = NERTrainer.train(
            train, gazetteer: gaz, lexicon: lex, clusters: clusters, nameLists: nameLists, settings: settings
        ) { epoch, mistakes, current in
            var line = "epoch \(epoch): \(mistakes) sentences wrong"
            if !dev.isEmpty {
                let m = current()
                let recognizer = EntityRecognizer(
                    model: m, gazetteer: gaz, lexicon: lex, clusters: clusters, nameLists: nameLists)
                let modelOnly = EntityRecognizer(
                    model: m, gazetteer: gaz, lexicon: lex, clusters: clusters, nameLists: nameLists,
                    addsUnrecognizedGazetteerNames: false)
                line += String(
                    format: ", dev micro-F1 %.4f (model only %.4f)",
                    recognizer.evaluate(dev).microF1, modelOnly.evaluate(dev).microF1)
            }
            print(line)
        }
        let seconds = Date().timeIntervalSince(started)
        let bytes = model.serialized()
        try Data(bytes).write(to: URL(fileURLWithPath: output))
        print(String(format: "trained in %.1f s; wrote %@ (%d bytes)", seconds, output, bytes.count))
        let recognizer = EntityRecognizer(
            model: model, gazetteer: gaz, lexicon: lex, clusters: clusters, nameLists: nameLists)
        if !dev.isEmpty {
            let sweep = [0, 2, 4, 6, 8, 10, 12, 14, 16].map { (bias: Float) -> String in
                let r = EntityRecognizer(
                    model: model.withEntityBias(bias), gazetteer: gaz, lexicon: lex, clusters: clusters,
                    nameLists: nameLists)
                return String(format: "%.0f: %.4f", bias, r.evaluate(dev).microF1)
            }
            print("dev micro-F1 by entity bias: \(sweep.joined(separator: ", "))")
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
        let articles = try ArticleTexts.read(inputs, command: "ner-lexicon") { builder.add(text: $0) }
        let text = builder.text()
        try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        print("counted \(articles) articles; wrote \(output) (\(text.utf8.count) bytes)")
    }
}

/// `mirsad train ner-clusters INPUT...`: learns the recognizer's word classes (`NERWordClusters`) from news
/// articles (each article's title and text). The shipped ones are rebuilt bit for bit by
/// `mirsad train ner-clusters ../shared/corpus/ant/articles.jsonl.gz --output Sources/ArticleAnalysis/Resources/ner-clusters.txt`.
/// Retrain the model (`mirsad train ner`) after changing the clusters.
struct TrainNERClustersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ner-clusters",
        abstract: "Learn the recognizer's word clusters from news articles."
    )

    @Argument(help: "Articles to read (any input `mirsad submit` reads: .jsonl, .jsonl.gz, directories, - for stdin).")
    var inputs: [String]

    @Option(help: "Where to write the clusters.")
    var output: String = "ner-clusters.txt"

    @Option(help: "At most this many word bases get a cluster (the most frequent).")
    var vocabulary: Int = NERWordClusters.Builder.Settings().vocabulary

    @Option(help: "Word bases seen fewer times get no cluster.")
    var minimumCount: Int = NERWordClusters.Builder.Settings().minimumCount

    @Option(help: "Neighbouring words that describe a word (the most frequent).")
    var contexts: Int = NERWordClusters.Builder.Settings().contexts

    @Option(help: "Width of the projected word vectors (a multiple of 8).")
    var dimensions: Int = NERWordClusters.Builder.Settings().dimensions

    func validate() throws {
        guard vocabulary >= 1, contexts >= 1, minimumCount >= 1 else {
            throw ValidationError("--vocabulary, --contexts and --minimum-count must be positive")
        }
        guard dimensions >= 8, dimensions % 8 == 0 else { throw ValidationError("--dimensions must be a multiple of 8") }
    }

    func run() throws {
        var builder = NERWordClusters.Builder()
        let articles = try ArticleTexts.read(inputs, command: "ner-clusters") { builder.add(text: $0) }
        var settings = NERWordClusters.Builder.Settings()
        settings.vocabulary = vocabulary
        settings.contexts = contexts
        settings.minimumCount = minimumCount
        settings.dimensions = dimensions
        let started = Date()
        let text = builder.text(settings: settings)
        try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        print(String(
            format: "read %d articles (%d tokens); clustered in %.1f s; wrote %@ (%d bytes)", articles,
            builder.tokenCount, Date().timeIntervalSince(started), output, text.utf8.count))
    }
}

/// `mirsad train ner-name-lists DIR`: the recognizer's name-list features (`NERNameLists`) from the public lists in
/// DIR (`../shared/data/gazetteers/`: Wikidata person-name tokens, ArabNamer person names, Arabic first and last
/// names, world cities, CLDR territories). The shipped file is rebuilt bit for bit by
/// `mirsad train ner-name-lists ../shared/data/gazetteers --output Sources/ArticleAnalysis/Resources/ner-name-lists.txt`.
struct TrainNERNameListsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ner-name-lists",
        abstract: "Build the recognizer's name-list features from public name lists."
    )

    @Argument(help: "Directory with the lists (one name a line).")
    var directory: String

    @Option(help: "Where to write the name lists.")
    var output: String = "ner-name-lists.txt"

    /// The files read, and what each line of each is.
    enum ListKind { case personNameWords, personNames, givenNames, familyNames, places }
    static let files: [(String, ListKind)] = [
        ("person-name-tokens.wikidata.txt", .personNameWords),
        ("person-names.arabnamer.txt", .personNames),
        ("first-names.arabic.txt", .givenNames),
        ("last-names.arabic.txt", .familyNames),
        ("places.world-cities.txt", .places),
        ("places.cldr-territories.txt", .places),
    ]

    func run() throws {
        var builder = NERNameLists.Builder()
        for (name, kind) in Self.files {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw CommandFailure("\(path): cannot read as UTF-8 text (\(error.localizedDescription))")
            }
            for line in text.split(whereSeparator: \.isNewline) {
                let entry = line.trimmingCharacters(in: .whitespaces)
                guard !entry.isEmpty else { continue }
                switch kind {
                case .personNameWords, .personNames: builder.add(personName: entry)
                case .givenNames: builder.add(givenName: entry)
                case .familyNames: builder.add(familyName: entry)
                case .places: builder.add(place: entry)
                }
            }
        }
        let text = builder.text()
        try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        print("wrote \(output) (\(text.utf8.count) bytes)")
    }
}

/// The recognizer's resources for `train ner` and `eval ner`: the bundled ones, or files named on the command line
/// (an empty file turns a kind of feature off).
struct NERResourceOptions: ParsableArguments {
    @Option(help: "Gazetteer file (CATEGORY<TAB>entry lines); the bundled one by default.")
    var gazetteer: String?

    @Option(help: "Corpus lexicon file (base<TAB>code lines, from `mirsad train ner-lexicon`); the bundled one by default.")
    var lexicon: String?

    @Option(help: "Word clusters file (base<TAB>path lines, from `mirsad train ner-clusters`); the bundled one by default.")
    var clusters: String?

    @Option(help: "Name lists file (base<TAB>bits lines, from `mirsad train ner-name-lists`); the bundled one by default.")
    var nameLists: String?

    /// Whether any resource file was named.
    var isCustom: Bool { gazetteer != nil || lexicon != nil || clusters != nil || nameLists != nil }

    func load() throws -> (Gazetteer, NERLexicon, NERWordClusters, NERNameLists) {
        func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
        let gaz = try gazetteer.map { try Gazetteer(text: try read($0)) } ?? EntityRecognizer.bundledGazetteer()
        let lex = try lexicon.map { try NERLexicon(text: try read($0)) } ?? EntityRecognizer.bundledLexicon()
        let cl = try clusters.map { try NERWordClusters(text: try read($0)) } ?? EntityRecognizer.bundledClusters()
        let nl = try nameLists.map { try NERNameLists(text: try read($0)) } ?? EntityRecognizer.bundledNameLists()
        return (gaz, lex, cl, nl)
    }
}

/// The texts of articles for the unannotated-corpus trainers: each article's title, then its text.
enum ArticleTexts {
    /// Calls `body` with each text of the articles in `inputs` (any input `mirsad submit` reads), reports input
    /// problems on standard error, and returns the number of articles; none at all is an error.
    static func read(_ inputs: [String], command: String, _ body: (String) -> Void) throws -> Int {
        let summary = try ArticleReader().read(inputs) { event in
            switch event {
            case .article(let article):
                if let title = article.title { body(title) }
                body(article.content.raw)
            case .problem(let problem):
                writeStandardError("mirsad train \(command): \(problem)\n")
            }
        }
        guard summary.articles > 0 else { throw CommandFailure("no articles in \(inputs.joined(separator: " "))") }
        return summary.articles
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
