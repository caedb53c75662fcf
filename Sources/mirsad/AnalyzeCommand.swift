import ArgumentParser
import ArticleAnalysis
import ArticleIngest
import Foundation
import MirsadServices

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze", abstract: "Analyse articles in this process, without a cluster, and print the results.")

    @Argument(help: "Files, directories, or - for standard input (as for `mirsad submit`).")
    var inputs: [String]
    @Flag(help: "Print each analysis as one JSON object per line.")
    var json = false
    @Flag(help: "With --json: include the tokens.")
    var tokens = false

    func run() throws {
        let analyzer = loadAnalyzer { writeStandardError("mirsad analyze: \($0)\n") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let summary = try ArticleReader().read(inputs) { event in
            switch event {
            case .problem(let problem):
                writeStandardError("mirsad analyze: \(problem)\n")
            case .article(let article):
                var analysis = analyzer.analyze(article)
                if json {
                    if !tokens { analysis.tokens = [] }
                    let line = AnalyzedArticle(id: article.id, source: article.source, url: article.url, analysis: analysis)
                    print(String(decoding: try encoder.encode(line), as: UTF8.self))
                } else {
                    print(AnalysisText.render(id: article.id, analysis))
                }
            }
        }
        if summary.articles == 0 {
            writeStandardError("mirsad analyze: no articles found (\(summary))\n")
            throw ExitCode(2)
        }
    }
}

/// One line of `mirsad analyze --json`.
struct AnalyzedArticle: Encodable {
    var id: String
    var source: String?
    var url: String?
    var analysis: Analysis
}

/// The human-readable form of an analysis.
enum AnalysisText {
    static func render(id: String, _ a: Analysis) -> String {
        var lines = ["== \(id)"]
        lines.append("language: \(a.language.code) (\(String(format: "%.2f", a.language.confidence)))")
        if let title = a.title { lines.append("title: \(title)") }
        for heading in a.headings { lines.append("heading: \(heading)") }
        lines.append("tokens: \(a.tokens.count), sentences: \(a.sentences.count)")
        for type in EntityType.allCases {
            let names = a.canonicalEntities.filter { $0.type == type }.map { "\($0.name) (\($0.mentions))" }
            if !names.isEmpty { lines.append("\(type.rawValue): " + names.joined(separator: ", ")) }
        }
        for quote in a.quotes {
            lines.append("quote [\(quote.kind.rawValue)] \(quote.speaker ?? "?"): \(quote.text)")
        }
        if !a.sources.isEmpty {
            lines.append("sources: " + a.sources.map { "\($0.text) (\($0.kind.rawValue))" }.joined(separator: ", ")
                         + String(format: "; anonymous share %.2f", a.anonymousSourceShare))
        }
        if !a.keywords.isEmpty { lines.append("keywords: " + a.keywords.map(\.phrase).joined(separator: ", ")) }
        if !a.topics.isEmpty {
            lines.append("topics: " + a.topics.map { String(format: "%@ %.2f", $0.topic, $0.score) }.joined(separator: ", "))
        }
        lines.append(String(format: "tone: %.2f", a.tone))
        for sentence in a.summary { lines.append("summary: \(sentence)") }
        lines.append(String(format: "simhash: %016llx", a.fingerprint.simhash))
        if !a.flags.isEmpty { lines.append("flags: " + a.flags.map(\.rawValue).joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}
