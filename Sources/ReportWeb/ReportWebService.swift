import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ReportStore
import ServiceLifecycle

/// `mirsad web`: the report's pages served over HTTP from a store that a collector may be writing at the same time
/// (SQLite in WAL mode, or PostgreSQL: readers see each committed transaction whole and never wait for the writer).
///
/// A `Service`: run in a `ServiceGroup`, whose graceful shutdown (SIGTERM, SIGINT) stops accepting connections,
/// lets requests in progress finish, then stops the reading threads.
public struct ReportWebService: Service {
    public struct Configuration: Sendable {
        public var host: String
        /// 0 for any free port (the `ready` callback gets the one chosen).
        public var port: Int
        /// The dispatcher to ask for the live status; nil to show none.
        public var dispatcherEndpoint: String?
        public var statusTimeout: Duration
        /// Threads that run store reads and status requests: how many of them can wait at once.
        public var readThreads: Int

        public init(host: String, port: Int, dispatcherEndpoint: String? = nil, statusTimeout: Duration = .seconds(1), readThreads: Int = 4) {
            self.host = host
            self.port = port
            self.dispatcherEndpoint = dispatcherEndpoint
            self.statusTimeout = statusTimeout
            self.readThreads = readThreads
        }
    }

    let configuration: Configuration
    let store: any ReportStore & ReportQueries
    let logger: Logger
    let ready: @Sendable (String) -> Void

    /// `ready` gets `http://HOST:PORT` once the server listens.
    public init(configuration: Configuration, store: any ReportStore & ReportQueries, logger: Logger, ready: @escaping @Sendable (String) -> Void) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.ready = ready
    }

    public func run() async throws {
        let threadPool = NIOThreadPool(numberOfThreads: configuration.readThreads)
        threadPool.start()
        let router = Router(context: BasicRequestContext.self)
        ReportRoutes(
            reads: StoreReads(store: store, threadPool: threadPool),
            status: ClusterStatusProbe(endpoint: configuration.dispatcherEndpoint, timeout: configuration.statusTimeout, threadPool: threadPool)
        ).add(to: router)
        let (host, ready) = (configuration.host, ready)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                ready("http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
            },
            logger: logger)
        do {
            try await application.run()
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
        try await threadPool.shutdownGracefully()
    }
}
