#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import MirsadServices
import ServiceLifecycle

/// The process-wide part of signal handling, done once at start: the rest is each command's `ServiceGroup`.
enum ProcessSignals {
    /// Unblocks SIGTERM and SIGINT, which a parent may have started this process with blocked (test runners do),
    /// leaving a `ServiceGroup`'s signal handling silent; and ignores SIGPIPE, so a closed pipe is an error
    /// where it happens instead of the end of the process.
    static func prepare() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Runs `services` in one group that owns SIGTERM and SIGINT: either signal shuts every service down
    /// gracefully, in reverse order; when one of them returns by itself (a worker whose analysis hung), the
    /// others are shut down gracefully too.
    ///
    /// `stopWithin` bounds a graceful shutdown: past it the group cancels its services, which shuts their sockets'
    /// context down, so every libzmq call they are blocked in returns at once. The long-running services that serve
    /// peers (dispatcher, collector) pass it, so that no peer can make a process ignore SIGTERM; a worker finishing
    /// long analyses does not.
    static func runGroup(_ services: [any Service], logger: Logger, stopWithin: Duration? = nil) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = stopWithin
        let group = ServiceGroup(configuration: configuration)
        try await group.run()
    }

    /// How long a dispatcher or collector may take to stop gracefully before it is cancelled (under the units'
    /// `TimeoutStopSec=30`).
    static let serviceStopLimit: Duration = .seconds(20)

    /// Runs `work` as a `BlockingService` in a group of its own (as `runGroup` does) and returns what it returned,
    /// or throws what it threw.
    static func runBlocking<Output: Sendable>(
        name: String, logger: Logger, _ work: @escaping @Sendable (StopRequest) throws -> Output
    ) async throws -> Output {
        let service = BlockingService(name: name, work)
        try await runGroup([service], logger: logger)
        guard let output = service.output else { throw CancellationError() }
        return output
    }
}
