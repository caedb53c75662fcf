import ArgumentParser
import ArticleAnalysis
import ArticleIngest
import Foundation
import MirsadCore
import MirsadServices

struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark", abstract: "Measure parts of Mirsad (see Benchmarks/).",
        subcommands: [
            AnalysisBenchmark.self, JournalBenchmarkCommand.self, ResultsFileCommand.self, CollectorBenchmark.self,
            ReportBenchmarkCommand.self, CompressionBenchmark.self,
        ])
}

/// The analysis core alone, on the calling thread: articles/s and MB/s over the articles of INPUT.
struct AnalysisBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "analysis")

    @Argument(help: "Articles to analyse (any input `mirsad submit` reads).")
    var input: [String]
    @Option(help: "Analyse at most this many articles.")
    var limit: Int = .max
    @Flag(help: "Print one JSON line.")
    var json = false

    func run() throws {
        var articles: [Article] = []
        var problems: [String] = []
        try ArticleReader().read(input) { event in
            switch event {
            case .article(let article): if articles.count < limit { articles.append(article) }
            case .problem(let problem): problems.append(problem.description)
            }
        }
        guard !articles.isEmpty else {
            throw CommandFailure("no articles in \(input.joined(separator: " ")): \(problems.prefix(3).joined(separator: "; "))")
        }
        let analyzer = loadAnalyzer { writeStandardError("mirsad benchmark: \($0)\n") }
        _ = analyzer.analyze(articles[0])  // load lazily built tables before timing
        let bytes = articles.reduce(0) { $0 + $1.content.raw.utf8.count }
        let started = MonotonicInstant.now()
        var tokens = 0
        for article in articles { tokens += analyzer.analyze(article).tokens.count }
        let seconds = started.duration(to: .now()).inSeconds
        let rate = Double(articles.count) / seconds
        let mbps = Double(bytes) / seconds / 1e6
        if json {
            print("{\"articles\": \(articles.count), \"seconds\": \(seconds), \"articles_per_s\": \(rate), \"mb_per_s\": \(mbps), \"tokens\": \(tokens)}")
        } else {
            print("\(articles.count) articles, \(tokens) tokens in \(Format.seconds(seconds)): \(Format.rate(rate)) articles/s, \(String(format: "%.2f", mbps)) MB/s")
        }
    }
}
