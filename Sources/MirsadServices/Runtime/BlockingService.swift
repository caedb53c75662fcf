import Logging
import ServiceLifecycle
import Synchronization

/// A command's blocking work (submitting a batch, watching the status) as a service, so that a `ServiceGroup`
/// owns SIGTERM/SIGINT for it as for the long-running roles: a signal sets the `StopRequest` the work was given,
/// and the work ends as it sees fit (a producer throws `Producer.Interrupted`).
public final class BlockingService<Output: Sendable>: Service, Sendable {
    private let name: String
    private let work: @Sendable (StopRequest) throws -> Output
    private let stop = StopRequest()
    private let finished = Mutex<Output?>(nil)

    public init(name: String, _ work: @escaping @Sendable (StopRequest) throws -> Output) {
        self.name = name
        self.work = work
    }

    public func run() async throws {
        let output = try await runOnLoopThread(name: name, stop: stop) { [work, stop] in try work(stop) }
        finished.withLock { $0 = output }
    }

    /// What the work returned, once `run` has returned.
    public var output: Output? { finished.withLock { $0 } }

    /// Runs `work` in a group of its own that owns SIGTERM and SIGINT, and returns what it returned (or throws
    /// what it threw).
    public static func runTrappingSignals(
        name: String, logger: Logger, _ work: @escaping @Sendable (StopRequest) throws -> Output
    ) async throws -> Output {
        let service = BlockingService(name: name, work)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        guard let output = service.output else { throw CancellationError() }
        return output
    }
}
