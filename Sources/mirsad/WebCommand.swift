import ArgumentParser
import Foundation
import MirsadMetrics
import MirsadServices
import ReportStore
import ReportWeb

/// `mirsad web`: the report's pages served live from the store.
struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "Serve the report's pages live from the store over HTTP, with the cluster's status.",
        discussion: """
            Pages: / (the overview; filters as query parameters since, until, source, entity, topic, story, \
            language, limit, named like mirsad report's options), /entity/KEY, /story/ID, /article/ID, /status. \
            An unknown id is a 404 page, a bad parameter value a 400 page naming the parameter. \
            Prints READY http://HOST:PORT once listening; SIGTERM or SIGINT stops it gracefully.
            """)

    @Option(help: "The report store: a SQLite file's path, or postgres://USER:PASSWORD@HOST:PORT/DATABASE (it must exist; it is only read, or upgraded from an older mirsad).")
    var store: String = Defaults.storePath
    @Option(help: ArgumentHelp("Address to listen on, HOST:PORT (PORT 0 for any free port).", valueName: "host:port"))
    var bind: String = "127.0.0.1:8080"
    @Option(help: "The dispatcher to ask for the cluster's live status (tcp://HOST:PORT); without it, pages show no status.")
    var dispatcher: String?
    @OptionGroup var metrics: MetricsOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard Self.address(bind) != nil else { throw ValidationError("--bind must be HOST:PORT with PORT 0...65535, got \(bind)") }
    }

    func run() async throws {
        let logger = logging.bootstrap(label: "mirsad.web")
        let location = ReportStoreLocation(store)
        if case .sqlite = location, !FileManager.default.fileExists(atPath: store) {
            throw CommandFailure("no report store at \(store) (run `mirsad run` or a collector first, or pass --store)")
        }
        let reportStore: any ReportStore & ReportQueries
        do {
            reportStore = try location.open(creating: false)
        } catch {
            throw CommandFailure("\(error)")
        }
        let (host, port) = Self.address(bind)!
        var configuration = ReportWebService.Configuration(host: host, port: port, dispatcherEndpoint: dispatcher)
        let registry = metrics.registry()
        if let registry { configuration.middleware = [WebRequestMetrics(registry: registry, version: Defaults.version)] }
        let readyLine = metrics.readyLine()
        let service = ReportWebService(configuration: configuration, store: reportStore, logger: logger, ready: readyLine.serviceReady)
        try await ProcessSignals.runGroup([service] + metrics.services(registry, logger: logger, readyLine: readyLine), logger: logger)
    }

    /// `HOST:PORT`, `[IPv6]:PORT`.
    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
