import ArgumentParser
import ArticleAnalysis
import ArticleIngest
import Foundation
import MirsadWire

/// `mirsad train compression-dictionary INPUT...`: analyses news articles, encodes each analysis as a worker sends
/// it to a collector (no tokens, no normalised text) and trains a zstd dictionary on them (`Zstd`).
///
/// The shipped dictionary is rebuilt bit for bit (same articles, same analysis core, same libzstd) by
/// `mirsad train compression-dictionary ../shared/corpus/ant/articles.jsonl.gz --source BBC --source CNN
/// --per-source 2000 --output Sources/MirsadWire/Resources/analysis.zdict`: outlets other than the Al Arabiya and
/// France 24 articles the store's size is measured on. A change to the analysis changes the dictionary and its id:
/// the one it replaces moves to `Sources/MirsadWire/Resources/retired/analysis-ID.zdict` (`Zstd.retired`), so that
/// the frames stores keep, and peers still send, with it stay readable.
struct TrainCompressionDictionaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compression-dictionary",
        abstract: "Train the zstd dictionary that results' analyses are compressed with, on news articles."
    )

    @Argument(help: "Articles to analyse (any input `mirsad submit` reads: .jsonl, .jsonl.gz, directories, - for stdin).")
    var inputs: [String]

    @Option(help: "Use only articles of this source (repeatable); all sources when not given.")
    var source: [String] = []

    @Option(help: "At most this many articles of each source, the first in input order.")
    var perSource: Int = 2_000

    @Option(help: "The dictionary's size at most, in bytes (zstd's default: 110 KiB).")
    var capacity: Int = 112_640

    @Option(help: "Where to write the dictionary.")
    var output: String = "analysis.zdict"

    func validate() throws {
        guard perSource >= 1 else { throw ValidationError("--per-source must be at least 1") }
        guard capacity >= 1_024 else { throw ValidationError("--capacity must be at least 1024 bytes") }
    }

    func run() throws {
        let analyzer = try ArticleAnalyzer.bundled()
        let wanted = Set(source)
        var taken: [String: Int] = [:]
        var samples: [Data] = []
        _ = try ArticleReader().read(inputs) { event in
            switch event {
            case .article(let article):
                let outlet = article.source ?? ""
                guard wanted.isEmpty || wanted.contains(outlet), taken[outlet, default: 0] < perSource else { return }
                taken[outlet, default: 0] += 1
                let wire = Mirsad_V1_Analysis(analyzer.analyze(article), includeTokens: false, includeNormalizedText: false)
                samples.append(try wire.serializedData())
            case .problem(let problem):
                writeStandardError("mirsad train compression-dictionary: \(problem)\n")
            }
        }
        guard !samples.isEmpty else {
            throw CommandFailure("no articles\(wanted.isEmpty ? "" : " of \(source.joined(separator: ", "))") in \(inputs.joined(separator: " "))")
        }
        let dictionary = try Zstd.trainDictionary(samples: samples, capacity: capacity)
        try dictionary.write(to: URL(fileURLWithPath: output))
        let id = try Zstd.Dictionary(bytes: dictionary).id
        let counts = taken.sorted { $0.key < $1.key }.map { "\($0.key.isEmpty ? "(no source)" : $0.key) \($0.value)" }
        print("analysed \(samples.count) articles (\(counts.joined(separator: ", "))); wrote \(output): dictionary \(id), \(dictionary.count) bytes")
    }
}
