import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Serves one registry's metrics over HTTP: `GET /metrics` in the Prometheus text format (0.0.4), everything else
/// 404. A `Service`: it stops with its group, like the service it measures. The scrape runs the registry's
/// pre-scrape updates on the request's event loop; they only read counters, so a scrape never waits on a service.
public struct MetricsServer: Service {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let host: String
    let port: Int
    let registry: MetricsRegistry
    let logger: Logger
    let ready: @Sendable (String) -> Void

    /// `ready` gets `http://HOST:PORT/metrics` (the real port when `port` is 0) once it listens.
    public init(host: String, port: Int, registry: MetricsRegistry, logger: Logger, ready: @escaping @Sendable (String) -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.registry = registry
        self.logger = logger
        self.ready = ready
    }

    public func run() async throws {
        let router = Router(context: BasicRequestContext.self)
        let registry = self.registry
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: Self.contentType],
                body: .init(byteBuffer: ByteBuffer(string: registry.exposition())))
        }
        let (host, ready, logger) = (self.host, self.ready, self.logger)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)/metrics"
                logger.info("metrics served at \(url)")
                ready(url)
            },
            logger: logger)
        try await application.run()
    }

    /// `HOST:PORT` or `[IPv6]:PORT`; nil when it is not one.
    public static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
