import ArgumentParser
import Logging
import MirsadMetrics
import ServiceLifecycle

/// `--metrics HOST:PORT`: serve the service's Prometheus metrics there (`GET /metrics`). Off when not given.
struct MetricsOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Serve Prometheus metrics at http://HOST:PORT/metrics (PORT 0 for any free port; logged). Off by default.",
        valueName: "host:port"))
    var metrics: String?

    func validate() throws {
        if let metrics, MetricsServer.address(metrics) == nil {
            throw ValidationError("--metrics must be HOST:PORT with PORT 0...65535, got \(metrics)")
        }
    }

    /// A registry when metrics are asked for.
    func registry() -> MetricsRegistry? {
        metrics == nil ? nil : MetricsRegistry()
    }

    /// The READY line of a service served beside these metrics: printed once the metrics server listens too.
    func readyLine() -> ReadyLine {
        ReadyLine(otherListeners: metrics == nil ? 0 : 1)
    }

    /// The server of `registry`, to run beside the service; none without `--metrics`. It tells `readyLine` when it
    /// listens.
    func services(_ registry: MetricsRegistry?, logger: Logger, readyLine: ReadyLine) -> [any Service] {
        guard let registry, let metrics, let (host, port) = MetricsServer.address(metrics) else { return [] }
        return [MetricsServer(host: host, port: port, registry: registry, logger: logger, ready: { _ in readyLine.listenerReady() })]
    }
}
