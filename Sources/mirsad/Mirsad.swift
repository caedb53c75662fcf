import ArgumentParser
import MirsadServices

@main
struct Mirsad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirsad",
        abstract: "Analyse news articles at scale: a dispatcher, workers and a collector over ZeroMQ.",
        version: Defaults.version,
        subcommands: [
            RunCommand.self, SubmitCommand.self, StatusCommand.self, DLQCommand.self,
            DispatcherCommand.self, WorkerCommand.self, CollectorCommand.self, KeysCommand.self,
            AnalyzeCommand.self, ReportCommand.self, WebCommand.self, TrainCommand.self, EvalCommand.self, BenchmarkCommand.self,
        ]
    )

    static func main() async {
        ProcessSignals.prepare()
        await main(nil)
    }
}
