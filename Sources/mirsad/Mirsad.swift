import ArgumentParser
import Foundation
import MirsadConfig
import MirsadServices

@main
struct Mirsad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirsad",
        abstract: "Analyse news articles at scale: a dispatcher, workers and a collector over ZeroMQ.",
        version: Defaults.version,
        subcommands: [
            RunCommand.self, SubmitCommand.self, StatusCommand.self, DLQCommand.self,
            DispatcherCommand.self, WorkerCommand.self, CollectorCommand.self, KeysCommand.self, ConfigCommand.self,
            AnalyzeCommand.self, ReportCommand.self, WebCommand.self, TrainCommand.self, EvalCommand.self, BenchmarkCommand.self,
        ]
    )

    static func main() async {
        ProcessSignals.prepare()
        // The configuration file and MIRSAD_... variables become flags before the ones given (which win).
        let arguments: [String]
        do {
            arguments = try ConfigurationLayers.apply(
                to: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("mirsad: configuration: \(error)\n".utf8))
            Foundation.exit(1)
        }
        await main(arguments)
        // Reached only when the command succeeded (a failure exits inside `main`).
        if let status = StandardOutput.statusAfterPrinting() { Foundation.exit(status) }
    }
}
