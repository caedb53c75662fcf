import ArgumentParser
import ArticleAnalysis
import ArticleIngest
import Foundation
import MirsadServices

/// `mirsad train keyword-df INPUT...`: counts in how many articles each word stem occurs and writes the document
/// frequencies that keyword scoring uses (`DocumentFrequencies`). The shipped table is rebuilt bit for bit by
/// `mirsad train keyword-df ../shared/corpus/ant/articles.jsonl.gz --output Sources/ArticleAnalysis/Resources/keyword-df.txt`.
struct TrainKeywordDFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyword-df",
        abstract: "Count document frequencies of word stems over news articles, for keyword scoring."
    )

    @Argument(help: "Articles to count (any input `mirsad submit` reads: .jsonl, .jsonl.gz, directories, - for stdin).")
    var inputs: [String]

    @Option(help: "Where to write the table.")
    var output: String = "keyword-df.txt"

    @Option(help: "Stems found in fewer articles than this are left out (they score as unseen).")
    var minimumDocuments: Int = 3

    func validate() throws {
        guard minimumDocuments >= 1 else { throw ValidationError("--minimum-documents must be at least 1") }
    }

    func run() throws {
        var frequencies = DocumentFrequencies()
        let summary = try ArticleReader().read(inputs) { event in
            switch event {
            case .article(let article):
                frequencies.add(text: [article.title ?? "", article.content.raw].joined(separator: "\n"))
            case .problem(let problem):
                writeStandardError("mirsad train keyword-df: \(problem)\n")
            }
        }
        guard summary.articles > 0 else { throw CommandFailure("no articles in \(inputs.joined(separator: " "))") }
        let table = frequencies.pruned(minimum: minimumDocuments)
        let text = table.text()
        try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        print("counted \(summary.articles) articles; \(table.counts.count) of \(frequencies.counts.count) stems kept; "
            + "wrote \(output) (\(text.utf8.count) bytes)")
    }
}
