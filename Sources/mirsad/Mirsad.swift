import ArgumentParser

@main
struct Mirsad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirsad",
        abstract: "Analyse news articles at scale over ZeroMQ.",
        subcommands: [TrainCommand.self, EvalCommand.self]
    )
}
