import AnalysisJSON
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
    @Option(help: "Analyse on this many threads (the input is read and the output written on one more). Output stays in input order unless --unordered.")
    var threads: Int?
    @Flag(help: "With --threads: print each analysis as soon as it is done, not in input order.")
    var unordered = false
    @Flag(help: .hidden)
    var foundationEncoder = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if unordered && threads == nil { throw ValidationError("--unordered needs --threads") }
    }

    func run() throws {
        try StandardOutput.ending(command: "analyze", analyzeAll)
    }

    private func analyzeAll() throws {
        let analyzer = loadAnalyzer { writeStandardError("mirsad analyze: \($0)\n") }
        let output = OutputBuffer()
        let render = Renderer(json: json, tokens: tokens, foundationEncoder: foundationEncoder)
        let pipeline = threads.map { count in
            ParallelAnalysis(threads: count, ordered: !unordered, work: { article in
                var line: [UInt8] = []
                render.appendLine(for: article, analysis: analyzer.analyze(article), to: &line)
                return line
            }, write: { try output.append($0) })
        }
        var line: [UInt8] = []
        let summary = try ArticleReader().read(inputs) { event in
            switch event {
            case .problem(let problem):
                try output.flush()
                writeStandardError("mirsad analyze: \(problem)\n")
            case .article(let article):
                if let pipeline {
                    try pipeline.submit(article)
                } else {
                    line.removeAll(keepingCapacity: true)
                    render.appendLine(for: article, analysis: analyzer.analyze(article), to: &line)
                    try output.append(line)
                }
            }
        }
        try pipeline?.finish()
        try output.flush()
        if summary.articles == 0 {
            writeStandardError("mirsad analyze: no articles found (\(summary))\n")
            throw ExitCode(2)
        }
        try SkippedInput.end(command: "analyze", problems: summary.problems, done: "the rest was analysed")
    }
}

/// One article's output line (with its "\n"): JSON or the human-readable form.
struct Renderer: Sendable {
    var json: Bool
    var tokens: Bool
    /// Encode with Foundation's `JSONEncoder` instead of `AnalysisJSON` (for measuring the two; same bytes).
    var foundationEncoder: Bool

    func appendLine(for article: Article, analysis: Analysis, to out: inout [UInt8]) {
        var analysis = analysis
        if !json {
            out.append(contentsOf: AnalysisText.render(id: article.id, analysis).utf8)
            out.append(0x0A)
            return
        }
        if !tokens { analysis.tokens = [] }
        if foundationEncoder {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let line = AnalyzedArticle(id: article.id, source: article.source, url: article.url, analysis: analysis)
            if let data = try? encoder.encode(line) { out.append(contentsOf: data) }
        } else {
            var buffer = JSONBuffer(capacity: 0)
            swap(&out, &buffer.bytes)
            AnalysisJSON.appendArticleLine(id: article.id, source: article.source, url: article.url, analysis: analysis, to: &buffer)
            swap(&out, &buffer.bytes)
        }
        out.append(0x0A)
    }
}

/// Standard output through a 64 KiB buffer (one write(2) per buffer, not per line).
final class OutputBuffer {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1 << 17) }

    func append(_ line: [UInt8]) throws {
        bytes.append(contentsOf: line)
        if bytes.count >= 1 << 16 { try flush() }
    }

    func flush() throws {
        guard !bytes.isEmpty else { return }
        defer { bytes.removeAll(keepingCapacity: true) }
        try StandardOutput.write(bytes)
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
