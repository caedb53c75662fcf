import ArgumentParser
import ArticleAnalysis
import ArticleIngest
import Foundation
import MirsadServices

/// `mirsad train entity-keys INPUT... --gazetteers DIR`: counts words and given-name pairs over a news corpus and
/// writes the entity key lexicon (`EntityKeyLexicon`). The shipped one is rebuilt bit for bit by
/// `mirsad train entity-keys ../shared/corpus/ant/articles.jsonl.gz --gazetteers ../shared/data/gazetteers --output Sources/ArticleAnalysis/Resources/entity-keys.txt`.
struct TrainEntityKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entity-keys",
        abstract: "Build the entity key lexicon (name proclitics, person aliases) from news articles and gazetteers."
    )

    @Argument(help: "Articles to count (any input `mirsad submit` reads: .jsonl, .jsonl.gz, directories, - for stdin).")
    var inputs: [String]

    @Option(help: "Folder of name lists, one name a line (every .txt file in it except LICENSE files).")
    var gazetteers: String

    @Option(help: "Where to write the lexicon.")
    var output: String = "entity-keys.txt"

    func run() throws {
        let bundled = EntityKeyLexicon.Builder.bundledGazetteerWords()
        var names = bundled.names
        var given = bundled.givenNames
        let folder = URL(fileURLWithPath: gazetteers)
        let files = try FileManager.default.contentsOfDirectory(atPath: gazetteers)
            .filter { $0.hasSuffix(".txt") && !$0.hasPrefix("LICENSE") }.sorted()
        guard !files.isEmpty else { throw CommandFailure("no .txt name lists in \(gazetteers)") }
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
                let words = line.split(separator: " ").map(String.init)
                names.formUnion(words)
                // Person lists give given names: single-token lists whole, full names their first word.
                if file.hasPrefix("first-names") || file.hasPrefix("person-name-tokens") { given.formUnion(words) }
                if file.hasPrefix("person-names"), words.count > 1 { given.insert(words[0]) }
            }
        }
        var builder = EntityKeyLexicon.Builder(names: names, givenNames: given)
        let summary = try ArticleReader().read(inputs) { event in
            switch event {
            case .article(let article):
                if let title = article.title { builder.add(text: title) }
                builder.add(text: article.content.raw)
            case .problem(let problem):
                writeStandardError("mirsad train entity-keys: \(problem)\n")
            }
        }
        guard summary.articles > 0 else { throw CommandFailure("no articles in \(inputs.joined(separator: " "))") }
        let lexicon = builder.build()
        let text = lexicon.text()
        try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        print("counted \(summary.articles) articles; \(lexicon.procliticLetters.count) name words, "
            + "\(lexicon.personAliases.count) person aliases; wrote \(output) (\(text.utf8.count) bytes)")
    }
}
