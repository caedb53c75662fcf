import ArgumentParser
import ArticleAnalysis
import ArticleIngest
import Foundation
import MirsadCore
import MirsadWire

/// `mirsad benchmark compression INPUT`: the two ways a worker compresses an analysis for its collector, side by
/// side on the same analyses: DEFLATE (`Zlib`, libdeflate level 6, protocol revision 2) and zstd with the bundled
/// dictionary (`Zstd`, revision 5). Prints the mean bytes and the CPU time of compressing and of decompressing one
/// analysis (the CPU time of the one thread that does it), each the best of `--repeats` passes over all of them,
/// alternated so that both meet the same machine.
struct CompressionBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compression", abstract: "Compare zlib and zstd with the dictionary on the encoded analyses of articles.")

    @Argument(help: "Articles to analyse (any input `mirsad submit` reads).")
    var input: [String]
    @Option(help: "Analyse at most this many articles.")
    var limit: Int = .max
    @Option(help: "Passes over the analyses per method; the fastest counts.")
    var repeats: Int = 5
    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        let analyzer = loadAnalyzer { writeStandardError("mirsad benchmark: \($0)\n") }
        var encoded: [Data] = []
        try ArticleReader().read(input) { event in
            guard case .article(let article) = event, encoded.count < limit else { return }
            let wire = Mirsad_V1_Analysis(analyzer.analyze(article), includeTokens: false, includeNormalizedText: false)
            encoded.append(try wire.serializedData())
        }
        guard !encoded.isEmpty else { throw CommandFailure("no articles in \(input.joined(separator: " "))") }
        let dictionary = try Zstd.bundled.get()
        let methods: [(name: String, compress: (Data) -> Data, decompress: (Data, Int) throws -> Data)] = [
            ("zlib", { Zlib.compress($0) }, { try Zlib.decompress($0, size: $1) }),
            ("zstd", { dictionary.compress($0) }, { try dictionary.decompress($0, size: $1) }),
        ]
        var bytes = [Int](repeating: 0, count: methods.count)
        var compressing = [Double](repeating: .infinity, count: methods.count)
        var decompressing = [Double](repeating: .infinity, count: methods.count)
        for _ in 0..<repeats {
            for (m, method) in methods.enumerated() {
                var frames: [Data] = []
                frames.reserveCapacity(encoded.count)
                var started = Duration.currentThreadCPUTime()
                for analysis in encoded { frames.append(method.compress(analysis)) }
                compressing[m] = min(compressing[m], (Duration.currentThreadCPUTime() - started).inSeconds)
                started = Duration.currentThreadCPUTime()
                for (frame, analysis) in zip(frames, encoded) {
                    guard try method.decompress(frame, analysis.count) == analysis else {
                        throw CommandFailure("\(method.name) did not give back an analysis it compressed")
                    }
                }
                decompressing[m] = min(decompressing[m], (Duration.currentThreadCPUTime() - started).inSeconds)
                bytes[m] = frames.reduce(0) { $0 + $1.count }
            }
        }
        let n = Double(encoded.count)
        let raw = Double(encoded.reduce(0) { $0 + $1.count }) / n
        if json {
            let parts = methods.indices.map { m in
                "\"\(methods[m].name)\": {\"bytes\": \(Double(bytes[m]) / n), \"compress_us\": \(compressing[m] / n * 1e6), \"decompress_us\": \(decompressing[m] / n * 1e6)}"
            }
            print("{\"analyses\": \(encoded.count), \"encoded_bytes\": \(raw), \(parts.joined(separator: ", "))}")
        } else {
            print("\(encoded.count) analyses, \(Int(raw.rounded())) bytes each encoded; per analysis (best of \(repeats) passes, CPU):")
            for m in methods.indices {
                print(String(format: "  %@: %5.0f bytes, compress %5.1f µs, decompress %5.1f µs", methods[m].name,
                             Double(bytes[m]) / n, compressing[m] / n * 1e6, decompressing[m] / n * 1e6))
            }
        }
    }
}
