import ArgumentParser
import Logging
import ArticleAnalysis
import MirsadServices

/// Where the dispatcher listens; shared by every command that talks to it.
struct DispatcherAddress: ParsableArguments {
    @Option(name: .customLong("dispatcher"), help: "The dispatcher's endpoint.")
    var endpoint: String = Defaults.dispatcherEndpoint
    @OptionGroup var keys: ClientKeyOptions
}

/// Logging for long-running roles: to standard error, one line per event.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func bootstrap(label: String) -> Logger {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { name in
            var handler = StreamLogHandler.standardError(label: name)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}

/// An error a command reports as one clear line and a non-zero exit.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The analyzer with its bundled models. A missing or damaged model is reported once and the analysis goes on
/// without named entities, rather than stopping a worker.
func loadAnalyzer(report: (String) -> Void) -> ArticleAnalyzer {
    do {
        return try ArticleAnalyzer.bundled()
    } catch {
        report("the named-entity model could not be loaded (\(error)); analyses will have no entities")
        return ArticleAnalyzer()
    }
}
